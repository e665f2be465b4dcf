"""Text that arrives from outside (queries, uploaded file names): invisible characters removed, names made safe.

Unicode format characters (category Cf: zero-width space/joiners, bidi marks and overrides, the BOM, soft hyphens)
are invisible: in a query they split a word so that keyword search misses it (`补\\u200b偿标准`), in a file name they
hide what the name really says (`txt.exe` behind a right-to-left override).  They are removed, nothing else.
"""

from __future__ import annotations

import re
import unicodedata

MAX_STEM_CHARS = 80
_SUFFIX_RE = re.compile(r"\.[A-Za-z0-9]{1,8}$")
_UNSAFE_RE = re.compile(r"[^\w.\-]+")  # \w is Unicode-aware: Chinese characters are kept


def strip_format_chars(text: str) -> str:
    """``text`` without Unicode format characters (category Cf)."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def safe_file_name(name: str, fallback: str = "document") -> str:
    """One plain file name that cannot leave its folder, keeping every readable part of ``name``.

    Path separators are not cut at (a name like `通知<b>x</b>.txt` keeps `通知`, `b`, `x`): they and every other
    character that is not a letter, digit, `.`, `-` or `_` become `-`.  Leading dots and dashes go (no hidden files,
    no `..`); the extension is lower-cased; the stem is cut at ``MAX_STEM_CHARS``.
    """
    text = unicodedata.normalize("NFC", strip_format_chars(name)).strip()
    match = _SUFFIX_RE.search(text)
    suffix = match.group(0).lower() if match else ""
    stem = text[: match.start()] if match else text
    stem = _UNSAFE_RE.sub("-", stem)
    stem = re.sub(r"-{2,}", "-", stem).strip(".-_")[:MAX_STEM_CHARS].rstrip(".-_") or fallback
    return f"{stem}{suffix}"
