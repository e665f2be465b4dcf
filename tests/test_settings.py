"""policy_kb/settings.py: every POLICY_KB_* variable in one record, read once by an entry point (issue 16)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from policy_kb import settings
from policy_kb.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_variable_the_code_names_is_a_documented_setting():
    """No module reads a POLICY_KB_* variable of its own: each one the package names is read by Settings.from_env
    and documented there."""
    source = (ROOT / "policy_kb" / "settings.py").read_text(encoding="utf-8")
    named = {
        m
        for path in (ROOT / "policy_kb").rglob("*.py")
        for m in re.findall(r"POLICY_KB_[A-Z0-9_]+", path.read_text(encoding="utf-8"))
    }
    read = set(re.findall(r'"(POLICY_KB_[A-Z0-9_]+)"', inspect.getsource(Settings.from_env)))
    assert named - read <= set(), named - read
    for name in read:
        assert re.search(rf'"""{name}\b', source), f"{name} is not documented in settings.py"


def test_values_are_read_and_checked():
    s = Settings.from_env(
        {
            "POLICY_KB_EMBED_MODEL": "fake",
            "POLICY_KB_EMBED_BACKEND": " Torch ",
            "POLICY_KB_BF16": "0",
            "POLICY_KB_ONNX_WORKERS": "3",
            "POLICY_KB_CACHE": "~/somewhere",
            "POLICY_KB_MAX_UPLOAD_MB": "5",
        }
    )
    assert (s.embed_model, s.embed_backend, s.bf16, s.onnx_workers) == ("fake", "torch", False, 3)
    assert s.cache == Path("~/somewhere").expanduser() and s.max_upload_bytes == 5 * 1024 * 1024
    default = Settings.from_env({})
    assert (default.embed_model, default.embed_backend, default.bf16, default.onnx_workers) == (
        None,
        "onnx",
        None,
        None,
    )
    with pytest.raises(ValueError, match="POLICY_KB_ONNX_WORKERS must be a whole number"):
        Settings.from_env({"POLICY_KB_ONNX_WORKERS": "two"})


def test_an_entry_points_settings_win_over_later_environment_changes(monkeypatch):
    monkeypatch.setenv("POLICY_KB_EMBED_MODEL", "fake")
    assert settings.current().embed_model == "fake"  # nothing configured: the environment as it is now
    settings.configure(Settings.from_env())
    monkeypatch.setenv("POLICY_KB_EMBED_MODEL", "another")
    assert settings.current().embed_model == "fake"  # read once by the entry point
    settings.forget()
    assert settings.current().embed_model == "another"
