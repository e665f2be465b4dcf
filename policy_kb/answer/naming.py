"""Which document a question names: by its title or a shortening of it (`河南 节能条例`, `噪声法`, `危化品条例`), or in
English by its kind and the words of its title (`the Henan Province Regulation on Air Pollution Prevention and
Control`, `the noise law`).

Why: a document's own name is the strongest evidence of what a question is about, and some answers hold none of the
question's topic words (`本条例自2018年5月1日起施行` answers `节能条例什么时候施行`).  A Chinese shortening keeps the
title's characters in their order and its kind (`节能条例` of 河南省节约能源条例; `噪声法` is a 法, never a …办法).
Several documents that fit equally well are told apart only by the question's place (the nearest level of its
jurisdiction chain); otherwise no document is named: a wrong name would confine the answer to the wrong document.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .. import places
from ..records import Document
from .understand import DOCUMENT_KINDS, Question

# a title's place, cut to compare a name with the title itself (`河南省节约能源条例` → 节约能源条例)
_PLACE_PREFIX = re.compile(r"^(?:中华人民共和国|[\u4e00-\u9fff]{1,8}?(?:自治区|省|市|自治州|州|盟|地区|县|区|旗))")


def kind_of(title: str) -> str | None:
    return next((k for k in DOCUMENT_KINDS if title.endswith(k)), None)


def is_shortening(name: str, title: str) -> bool:
    """`name` is `title` or keeps the title's characters in their order (节能条例 of 节约能源条例)."""
    rest = iter(title)
    return all(ch in rest for ch in name)


@dataclass(frozen=True)
class Title:
    """A document's title as naming compares it: normalised once per knowledge-base version."""

    doc: Document
    text: str
    chars: frozenset[str]
    kind: str | None
    bare: str  # without its place (`河南省节约能源条例` → 节约能源条例)

    @classmethod
    def of(cls, doc: Document) -> Title:
        text = unicodedata.normalize("NFKC", doc.title or "").replace(" ", "")
        return cls(doc, text, frozenset(text), kind_of(text), _PLACE_PREFIX.sub("", text))


@dataclass(frozen=True)
class _Name:
    """A candidate name or title term of the question, with its characters for a quick test against each title."""

    text: str
    chars: frozenset[str]

    def shortens(self, title: Title) -> bool:
        return self.chars <= title.chars and is_shortening(self.text, title.text)


def _chinese_fit(name: _Name, title: Title) -> tuple[int, ...] | None:
    """How well a name of the title's kind fits it, best highest: the title itself (with or without its place), then
    the longer name, then written as one piece, then the fewer characters of the title left out."""
    if not name.shortens(title):
        return None
    n = name.text
    return (int(n in (title.text, title.bare)), len(n), int(n in title.text), len(n) - len(title.text))


def _english_fit(kinds: set[str], terms: list[_Name], title: Title) -> tuple[int, ...] | None:
    """The number of the question's glossary terms the title holds (as written or shortened), for a title of a kind
    the question names."""
    if title.kind not in kinds:
        return None
    held = sum(1 for t in terms if t.shortens(title))
    return (held,) if held else None


def named_document(q: Question, titles: list[Title]) -> str | None:
    """The id of the one document the question names, or None."""
    if not (q.doc_names or q.doc_kinds):
        return None
    by_kind: dict[str | None, list[_Name]] = {}
    for name in q.doc_names:
        by_kind.setdefault(kind_of(name), []).append(_Name(name, frozenset(name)))
    terms = [_Name(t, frozenset(t)) for t in q.title_terms]
    fits: dict[str, tuple[int, ...]] = {}
    for title in titles:
        found = (
            _english_fit(q.doc_kinds, terms, title)
            if q.language == "en"
            else max((f for n in by_kind.get(title.kind, []) if (f := _chinese_fit(n, title))), default=None)
        )
        if found:
            fits[title.doc.id] = found
    if not fits:
        return None
    best = max(fits.values())
    tied = [t.doc for t in titles if fits.get(t.doc.id) == best]
    if len(tied) > 1 and q.jurisdiction:  # the nearest level of the question's place that has one of them
        chain = places.ancestors(q.jurisdiction)
        levels = [chain.index(d.jurisdiction) if d.jurisdiction in chain else len(chain) for d in tied]
        nearest = min(levels)
        tied = [d for d, level in zip(tied, levels, strict=True) if level == nearest < len(chain)]
    return tied[0].id if len(tied) == 1 else None
