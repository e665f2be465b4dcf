"""Search stage: keyword (jieba + SQLite FTS5), exact (numbers, units, 文号) and semantic (e5 + faiss), fused."""
