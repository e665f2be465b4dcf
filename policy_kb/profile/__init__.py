"""My obligations: a company profile matched against every obligation in the knowledge base (checklist, calendar)."""
