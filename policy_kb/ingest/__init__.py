"""Ingest stage: bytes on disk → decoded text → cleaned text with an offset map → metadata → clause tree."""
