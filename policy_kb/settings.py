"""Every ``POLICY_KB_*`` setting in one frozen record, read from the environment once by the entry point.

Why: the settings were read in eight modules at import or call time, and ``policy-kb serve`` passed its options to
the app by writing ``os.environ``.  Now ``cli.main`` and ``app.py`` call :meth:`Settings.from_env` once and pass
the record down (``serve`` replaces ``index``/``corpus`` with its options); the app's handlers read
``service.settings``.  Process-wide knobs read deep inside the search stage (thread counts) come from
:func:`current`, the settings the entry point configured.

Variables read elsewhere, on purpose: the embedding model's ``POLICY_KB_EMBED_MODEL``, ``POLICY_KB_EMBED_BACKEND``,
``POLICY_KB_BF16``, ``POLICY_KB_ONNX_WORKERS`` and ``POLICY_KB_CACHE`` (policy_kb/embed/, which resolves the model
for every caller, tests included), and the crash tests' ``POLICY_KB_FAULT_INJECT`` (build.py's fault points, a test
hook set per subprocess).
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
        )


_current: Settings | None = None


def configure(settings: Settings) -> Settings:
    """Make ``settings`` the process's settings (entry points: cli.main, app.py); returns them."""
    global _current
    _current = settings
    return settings


def current() -> Settings:
    """The settings the entry point configured; read from the environment on first use when none did (a library
    caller, a test)."""
    return _current if _current is not None else configure(Settings.from_env())


def cache_dir() -> Path:
    """``$POLICY_KB_CACHE``, else ``~/.cache/policy-kb``: files derived once per machine and kept between runs (the
    converted model and its ONNX export, the romanised place names).  Read at each call, like the embedding model
    variables, because the model is resolved by every caller (tests switch it per test)."""
    env = os.environ.get("POLICY_KB_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "policy-kb"
