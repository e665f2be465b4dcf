"""Answer stage: question understanding → evidence (obligations first, then clauses) → cited answer → citation check."""
