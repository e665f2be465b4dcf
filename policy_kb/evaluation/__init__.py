"""Evaluation against hand-written gold files in tests/gold/: extraction, retrieval and answers."""
