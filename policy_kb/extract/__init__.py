"""Extract stage: clauses → obligations (who must do what, by when, how much), built on a spaCy pipeline."""
