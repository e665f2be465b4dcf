"""Embedding models: offline provisioning (provision.py) and encoders (embedder.py).

Nothing heavy is imported here so `import policy_kb.embed` stays cheap.
"""
