"""The provisioned e5 model run by onnxruntime with 4-bit block weights (exported by onnx_export.py).

Why not sentence-transformers' own `backend="onnx"`: it needs optimum, and it still imports PyTorch,
transformers and sentence-transformers (3–4 s of a cold start on this machine).  The model is small enough to drive
directly: the folder's tokenizer.json through `tokenizers`, the encoder through onnxruntime, then the folder's mean
pooling and L2 normalisation in numpy — the same steps as the folder's sentence-transformers modules.

One onnxruntime thread per call: a short query is fastest on one thread (as with PyTorch), and passages are
encoded one per core in parallel instead of splitting each matrix product across cores.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ..settings import current
from .onnx_export import INPUTS, quantised_path, word_embeddings_path


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


class OnnxEmbedder:
    """Same vectors as `SentenceTransformerEmbedder` on the provisioned folder (cosine ≥ 0.9999 on the seed
    passages, see tests/test_onnx_encoder.py), same protocol: float32, L2-normalised, E5 prompts applied."""

    backend = "onnx-q4"

    def __init__(
        self, folder: str | os.PathLike[str], *, model_file: Path | None = None, name: str | None = None
    ) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        folder = Path(folder)
        self.name = name or str(folder)
        pooling = _read_json(folder / "1_Pooling" / "config.json")
        if not pooling.get("pooling_mode_mean_tokens") or not (folder / "2_Normalize").is_dir():
            raise ValueError(f"{folder}: the ONNX encoder implements mean pooling + Normalize only")
        self.dim = int(pooling["word_embedding_dimension"])
        prompts = _read_json(folder / "config_sentence_transformers.json").get("prompts") or {}
        self._query_prefix = prompts.get("query") or ""
        self._passage_prefix = prompts.get("passage") or prompts.get("document") or ""
        max_len = int(_read_json(folder / "sentence_bert_config.json")["max_seq_length"])
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_len)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        model_file = model_file or quantised_path(folder)
        self._session = onnxruntime.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
        # read-only memory map: no load time, pages shared by every process on the machine
        self._word_embeddings = np.load(word_embeddings_path(model_file), mmap_mode="r")
        self._workers = current().onnx_workers or os.cpu_count() or 1

    def _one(self, text: str) -> np.ndarray:
        """Tokenise, encode, mean-pool, normalise one text.  One text per call, not a padded batch: on 2 cores
        single texts in parallel were the fastest (4-bit export: 34 passages/s against 20 with length-sorted
        batches of 16, same run on a loaded machine; the int8 export before it: 63 against 32 with batches of 8)."""
        ids = np.asarray([self._tokenizer.encode(text).ids], dtype=np.int64)
        embeds = np.asarray(self._word_embeddings[ids], dtype=np.float32)
        ones = np.ones_like(ids)
        hidden = self._session.run(None, dict(zip(INPUTS, (embeds, ones, np.zeros_like(ids)))))[0][0]
        pooled = hidden.mean(axis=0)
        return pooled / max(float(np.linalg.norm(pooled)), 1e-12)

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if self._workers > 1 and len(texts) > 1:
            with ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="policy-kb-onnx") as pool:
                out[:] = list(pool.map(lambda t: self._one(prefix + t), texts))  # onnxruntime releases the GIL
        else:
            for row, text in enumerate(texts):
                out[row] = self._one(prefix + text)
        return out

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._query_prefix)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._passage_prefix)

    def __repr__(self) -> str:
        return f"OnnxEmbedder(name={self.name!r}, dim={self.dim})"
