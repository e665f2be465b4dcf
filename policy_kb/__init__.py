"""policy-kb: a knowledge base and chatbot over Chinese government policy documents.

Pipeline (one package per stage): ingest (load → clean → metadata → clauses) → extract (obligations) →
store (SQLite) → search → answer → app.
"""

__version__ = "0.1.0"
