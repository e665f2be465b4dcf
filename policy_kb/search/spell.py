"""Typo correction against the corpus's own vocabulary: `焦碳` → 焦炭, `干息焦` → 干熄焦, `排放线值` → 排放限值.

A query word the corpus never uses is replaced by a corpus word of the same
length that differs in one character with the same pinyin (Chinese typing errors are homophones); when several
fit, the one that also occurs next to the word's neighbours in the corpus wins.  Words the corpus simply does not
use (碳排放, 环保税) have no homophone neighbour and stay as they are, so "the documents do not say" still works.
A two-character word is corrected without that evidence when it is no word of the language either: neither the corpus
nor jieba's dictionary (a maintained lexicon of ~350 000 words) has it, and one corpus word sounds like it (`压运` →
押运, `燥声` → 噪声, `罚宽` → 罚款).
Question words the documents never use (`时候`, `怎么`: the Chinese words of data/stopwords.txt) are corrected too
(`什么时侯` → 什么时候), so that a typo in them does not hide what the question asks.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cached_property, lru_cache

from ..store import Store

MIN_DF = 2


def _in_lexicon(word: str) -> bool:
    """Whether jieba's dictionary has the word: a word of the language, though the documents may not use it."""
    import jieba

    if not jieba.dt.initialized:
        jieba.dt.initialize()
    return bool(jieba.dt.FREQ.get(word))


@lru_cache(maxsize=8192)
def _sound(ch: str) -> str:
    from pypinyin import lazy_pinyin

    return lazy_pinyin(ch)[0]


class Speller:
    def __init__(self, store: Store):
        self.store = store

    @cached_property
    def _vocab(self) -> dict[str, int]:
        rows = self.store.vocabulary(2, 8)
        return {t: df for t, df in rows if re.fullmatch(r"[\u4e00-\u9fff]+", t)}

    @cached_property
    def _question_words(self) -> set[str]:
        """Words of questions, not of documents (`时候`, `怎么`): the Chinese stop words of two or more characters."""
        from .text import STOPWORDS

        return {w for w in STOPWORDS if len(w) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", w)}

    @cached_property
    def _wildcards(self) -> dict[str, list[tuple[str, int]]]:
        index: dict[str, list[tuple[str, int]]] = defaultdict(list)
        terms = [(t, df) for t, df in self._vocab.items() if df >= MIN_DF]
        terms += [(w, MIN_DF) for w in self._question_words if w not in self._vocab]
        for term, df in terms:
            for i in range(len(term)):
                index[term[:i] + "?" + term[i + 1 :]].append((term, df))
        return index

    def _count(self, text: str, limit: int = -1) -> int:
        """Clauses containing `text` (up to `limit`): candidates from the trigram table, verified by instr(), so a
        lookup costs what the matches cost, not a scan of every clause (3.5 s per query at 1M clauses before,
        docs/scaling.md)."""
        return self.store.count_containing(text, limit)

    def known(self, word: str) -> bool:
        return word in self._vocab or word in self._question_words or self._count(word, limit=1) > 0

    @cached_property
    def _function_characters(self) -> frozenset[str]:
        """The one-character stop words (是, 的, 了) and negations (不, 没: data/negations.txt): a 'word' holding one is
        two words jieba ran together (`各是`, `不给`)."""
        from ..places import data_lines
        from .text import STOPWORDS

        return frozenset(w for w in STOPWORDS if len(w) == 1) | frozenset(data_lines("negations.txt"))

    def _non_word(self, word: str) -> bool:
        """No word of the language: not in jieba's dictionary, and not two words run together (`各是` is 各 + 是)."""
        return not _in_lexicon(word) and not any(ch in self._function_characters for ch in word)

    def _phrase_count(self, phrase: str) -> int:
        return self._count(phrase)

    def suggest(self, word: str, left: str = "", right: str = "") -> str | None:
        """A homophone correction for a word the corpus never uses, or None."""
        if len(word) < 2 or not re.fullmatch(r"[\u4e00-\u9fff]+", word) or self.known(word):
            return None
        cands: dict[str, int] = {}
        for i in range(len(word)):
            for term, df in self._wildcards.get(word[:i] + "?" + word[i + 1 :], []):
                if _sound(term[i]) == _sound(word[i]):  # Chinese typos are homophones: 碳/炭, 息/熄, 线/限
                    cands[term] = max(cands.get(term, 0), df)
        if not cands:
            return None
        only = next(iter(cands)) if len(cands) == 1 else None
        if only and (len(word) >= 3 or not (left or right) or only in self._question_words or self._non_word(word)):
            return only  # one homophone in the corpus (a bare `焦碳` query too), a question word, or of a non-word
        # ambiguous (common for 2-character words): the candidate that appears with the word's neighbours
        scored = {
            c: (self._phrase_count(left[-2:] + c) if left else 0) + (self._phrase_count(c + right[:2]) if right else 0)
            for c in cands
        }
        best = max(scored, key=lambda c: (scored[c], cands[c]))
        return best if scored[best] > 0 else None

    def correct(self, text: str) -> tuple[str, dict[str, str]]:
        """The text with misspelt words replaced, and {typo: correction}."""
        from ..extract.nlp import jieba_tokenizer

        words = list(jieba_tokenizer().cut(text))
        fixes: dict[str, str] = {}
        out = []
        i = 0
        while i < len(words):
            w = words[i]
            # an unknown word is often split by jieba (`交化` → 交 化, `干息焦` → 干息 焦): try it joined first
            if i + 1 < len(words) and len(w) + len(words[i + 1]) <= 4:
                pair = w + words[i + 1]
                fix = self.suggest(pair, "".join(words[:i]), "".join(words[i + 2 :]))
                if fix:
                    fixes[pair] = fix
                    out.append(fix)
                    i += 2
                    continue
            fix = self.suggest(w, "".join(words[:i]), "".join(words[i + 1 :]))
            if fix:
                fixes[w] = fix
            out.append(fix or w)
            i += 1
        return "".join(out), fixes
