"""Benchmarks for policy-kb; run with `python -m benchmarks.run` (see benchmarks/run.py)."""
