"""Every ``POLICY_KB_*`` setting in one frozen record, read from the environment once by the entry point.

Why: the settings were read in eight modules at import or call time, and ``policy-kb serve`` passed its options to
the app by writing ``os.environ``.  Now ``cli.main`` and ``app.py`` call :meth:`Settings.from_env` once and pass
the record down (``serve`` replaces ``index``/``corpus`` with its options); the app's handlers read
``service.settings``.  Process-wide knobs read deep inside the search stage (thread counts) come from
:func:`current`, the settings the entry point configured.

A library caller or a test that configured nothing gets the environment as it is at each call (:func:`current`), so
a test can switch the embedding model with ``monkeypatch.setenv`` (tests/conftest.py forgets what an entry point
configured after each test).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

MB = 1024 * 1024
_SHARED = Path(__file__).resolve().parent.parent.parent / "shared"  # the real-text folders next to the repository


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as e:
        raise ValueError(f"${name} must be a whole number, got {value!r}") from e


def _flag(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() not in ("0", "false", "no", "")


@dataclass(frozen=True, kw_only=True)
class Settings:
    index: Path = Path("indices")
    """POLICY_KB_INDEX: the knowledge-base folder (kb.sqlite, dense index, feedback); the CLI's --index default."""

    corpus: Path = Path("corpus")
    """POLICY_KB_CORPUS: the corpus folder the web app saves admin uploads into."""

    admin_password: str = field(default="", repr=False)
    """POLICY_KB_ADMIN_PASSWORD: uploads in the web app need it; unset or empty = uploads are off."""

    max_upload_bytes: int = 20 * MB
    """POLICY_KB_MAX_UPLOAD_MB (MiB): the largest file an admin may upload."""

    export_cache_bytes: int = 200 * MB
    """POLICY_KB_EXPORT_CACHE_MB (MiB): the bound of the web app's export-file cache."""

    gradio_temp_bytes: int = 500 * MB
    """POLICY_KB_GRADIO_TEMP_MB (MiB): the bound of Gradio's temp folder when it is the app's own."""

    faiss_threads: int = 1
    """POLICY_KB_FAISS_THREADS: OpenMP threads of a dense search (one query is fastest on one; docs/benchmarks.md)."""

    torch_threads: int = 1
    """POLICY_KB_TORCH_THREADS: threads of the PyTorch query encoder (the ONNX one uses one per call anyway)."""

    real_dev: Path = _SHARED / "real-dev"
    """POLICY_KB_REAL_DEV: the real documents `policy-kb eval documents` reads (never copied into the repository)."""

    lawrefbook: Path = _SHARED / "lawrefbook" / "lawrefbook-2f4c5c2.tar.xz"
    """POLICY_KB_LAWREFBOOK: the LawRefBook tarball the document evaluation reads laws from."""

    embed_model: str | None = None
    """POLICY_KB_EMBED_MODEL: a sentence-transformers model name or folder, ``fake`` for the hashing embedder of the
    tests; unset = the provisioned multilingual-e5-small."""

    embed_backend: str = "onnx"
    """POLICY_KB_EMBED_BACKEND: ``onnx`` (the 4-bit export, default) or ``torch`` (sentence-transformers)."""

    bf16: bool | None = None
    """POLICY_KB_BF16 (0/1): bfloat16 autocast of the PyTorch encoder; unset = on where the CPU computes it natively."""

    onnx_workers: int | None = None
    """POLICY_KB_ONNX_WORKERS: passages the ONNX encoder embeds in parallel during a build; unset = one per core."""

    cache: Path = Path.home() / ".cache" / "policy-kb"
    """POLICY_KB_CACHE: files derived once per machine (the converted model and its ONNX export, the romanised place
    names)."""

    fault_inject: str | None = None
    """POLICY_KB_FAULT_INJECT: the build stage at which the crash-safety tests kill a build (build.fault_point)."""

    @property
    def admin_enabled(self) -> bool:
        return bool(self.admin_password)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """The settings the environment gives (``os.environ`` unless ``env``); unset variables keep the defaults."""
        env = os.environ if env is None else env
        d = cls()
        return cls(
            index=Path(env.get("POLICY_KB_INDEX") or d.index),
            corpus=Path(env.get("POLICY_KB_CORPUS") or d.corpus),
            admin_password=env.get("POLICY_KB_ADMIN_PASSWORD", ""),
            max_upload_bytes=_int(env, "POLICY_KB_MAX_UPLOAD_MB", d.max_upload_bytes // MB) * MB,
            export_cache_bytes=_int(env, "POLICY_KB_EXPORT_CACHE_MB", d.export_cache_bytes // MB) * MB,
            gradio_temp_bytes=_int(env, "POLICY_KB_GRADIO_TEMP_MB", d.gradio_temp_bytes // MB) * MB,
            faiss_threads=_int(env, "POLICY_KB_FAISS_THREADS", d.faiss_threads),
            torch_threads=_int(env, "POLICY_KB_TORCH_THREADS", d.torch_threads),
            real_dev=Path(env.get("POLICY_KB_REAL_DEV") or d.real_dev),
            lawrefbook=Path(env.get("POLICY_KB_LAWREFBOOK") or d.lawrefbook),
            embed_model=env.get("POLICY_KB_EMBED_MODEL") or None,
            embed_backend=(env.get("POLICY_KB_EMBED_BACKEND") or d.embed_backend).strip().lower(),
            bf16=_flag(env.get("POLICY_KB_BF16")),
            onnx_workers=_int(env, "POLICY_KB_ONNX_WORKERS", 0) or None,
            cache=Path(env["POLICY_KB_CACHE"]).expanduser() if env.get("POLICY_KB_CACHE") else d.cache,
            fault_inject=env.get("POLICY_KB_FAULT_INJECT") or None,
        )


_current: Settings | None = None


def configure(settings: Settings) -> Settings:
    """Make ``settings`` the process's settings (entry points: cli.main, app.py); returns them."""
    global _current
    _current = settings
    return settings


def current() -> Settings:
    """The settings the entry point configured; when none did (a library caller, a test), the environment as it is
    now (a dozen lookups, not cached, so a test's ``monkeypatch.setenv`` takes effect)."""
    return _current if _current is not None else Settings.from_env()


def forget() -> None:
    """Drop what an entry point configured (tests: an in-process ``cli.main`` must not outlive its test)."""
    global _current
    _current = None


def cache_dir() -> Path:
    """The cache folder of the current settings (``$POLICY_KB_CACHE``, else ``~/.cache/policy-kb``)."""
    return current().cache
