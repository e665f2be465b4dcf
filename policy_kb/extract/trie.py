"""A word list as a trie-shaped regular expression.

Python's `re` tries the branches of `北京市|北京|天津市|…` one after the other at every position of the text, so
DEPT_RE with its 3,000 place names cost about 13 µs per character (the largest cost of a build on real text,
docs/scaling.md).  The same words as a trie (`北京(?:市)?|天津市`) let the engine reject a position after one
character.  Matches are identical to the longest-first alternation: every word that can match at a position is a
prefix of the same text, so they lie on one path of the trie, and greedy optional groups try the longer one first
and back off to the shorter one exactly as the sorted alternation does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_END = ""  # key that marks the end of a word in a trie node


def trie_alternation(words: Iterable[str]) -> str:
    """Regex source matching the same strings, in the same order of preference, as
    ``"|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))``."""
    root: dict[str, dict] = {}
    for word in words:
        if not word:
            continue
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[_END] = {}
    return _pattern(root) or "(?!)"


def _pattern(node: dict[str, dict]) -> str:
    chars = sorted(k for k in node if k != _END)
    branches = [re.escape(ch) + _pattern(node[ch]) for ch in chars]
    if not branches:
        return ""
    if len(branches) > BUCKET:
        body = _buckets(chars, branches)
    else:
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if _END in node:  # the word may also end here: the longer continuation first, then nothing
        return body + "?" if len(branches) == 1 and _single_char(branches[0]) else f"(?:{body})?"
    return body


BUCKET = 32  # branches tried one by one; a wider node is split into groups behind a character-class look-ahead


def _buckets(chars: list[str], branches: list[str]) -> str:
    """`re` tries a node's branches in turn (a cheap first-character test each, but a thousand of them at every
    position of the text for the first character of a place name).  Groups of BUCKET branches, each behind a
    look-ahead for its first characters, and the whole behind one for all of them, make a position that starts no
    word fail after one set lookup.  The branches start with different characters, so their order is immaterial."""
    groups = []
    for i in range(0, len(branches), BUCKET):
        firsts = "".join(_class_char(c) for c in chars[i : i + BUCKET])
        groups.append(f"(?=[{firsts}])(?:" + "|".join(branches[i : i + BUCKET]) + ")")
    every = "".join(_class_char(c) for c in chars)
    return f"(?=[{every}])(?:" + "|".join(groups) + ")"


def _class_char(ch: str) -> str:
    return "\\" + ch if ch in "\\]^-[" else ch


def _single_char(branch: str) -> bool:
    return len(branch) == 1 or (len(branch) == 2 and branch[0] == "\\")
