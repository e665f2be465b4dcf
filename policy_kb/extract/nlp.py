"""The spaCy pipeline: `spacy.blank("zh")` with a jieba segmenter that knows the domain vocabulary, plus rule
components that mark DEPT, ORG, GPE, TOPIC, DATE and QTY spans in ``doc.spans``.  No downloaded model.

Spans may overlap (a date inside a department assignment, a topic inside a quantity), so they live in span groups;
``doc.ents`` gets the non-overlapping subset for display.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .. import places
from .dates import find_deadlines
from .departments import org_names
from .lexicon import DEPT_RE, TOPICS, jieba_words
from .quantities import find_thresholds

SPAN_LABELS = ("DEPT", "ORG", "GPE", "TOPIC", "DATE", "QTY")


def _finders(text: str) -> dict[str, list[tuple[int, int]]]:
    """Character spans per label, from the same parsers the extractor uses (so spans and fields agree)."""
    orgs = []
    for name in org_names(text):
        start = text.find(name)
        orgs.append((start, start + len(name)))
    return {
        "DEPT": [m.span() for m in DEPT_RE.finditer(text)],
        "ORG": orgs,
        "DATE": [(d.start, d.end) for d in find_deadlines(text)],
        "QTY": sorted({(t.start, t.end) for t in find_thresholds(text)}),
    }


@lru_cache(maxsize=1)
def jieba_tokenizer() -> Any:
    """A private jieba Tokenizer with the domain words (the global jieba instance is left untouched)."""
    import jieba

    jieba.setLogLevel(60)
    tk = jieba.Tokenizer()
    tk.initialize()  # the default dictionary (~0.7 s)
    if not jieba.dt.initialized:
        # jieba.posseg (question understanding) cuts with the global instance: give it the same dictionary
        # instead of a second 0.7 s load — part of the cold-start budget (docs/benchmarks.md)
        jieba.dt.FREQ, jieba.dt.total, jieba.dt.initialized = dict(tk.FREQ), tk.total, True
    for word in jieba_words():
        tk.add_word(word, freq=20000)
    return tk


def _make_regex_spans(nlp: Any, name: str) -> Any:
    from spacy.util import filter_spans

    def component(doc: Any) -> Any:
        for label, found in _finders(doc.text).items():
            group = []
            for a, b in found:
                span = doc.char_span(a, b, label=label, alignment_mode="expand") if b > a >= 0 else None
                if span is not None:
                    group.append(span)
            doc.spans[label] = group
        doc.ents = filter_spans([s for label in SPAN_LABELS for s in doc.spans.get(label, [])])
        return doc

    return component


@lru_cache(maxsize=1)
def get_nlp() -> Any:
    """Build once per process (the only cached global besides the embedding model)."""
    import spacy
    from spacy.language import Language

    if "policy_regex_spans" not in Language.factories:
        Language.factory("policy_regex_spans")(_make_regex_spans)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.tokenizer.jieba_seg = jieba_tokenizer()  # type: ignore[union-attr]  # spaCy's zh tokenizer has it
    ruler: Any = nlp.add_pipe("span_ruler", config={"spans_key": "PHRASES", "phrase_matcher_attr": "TEXT"})
    ruler.add_patterns(
        [{"label": "TOPIC", "pattern": t} for t in TOPICS]
        + [
            {"label": "GPE", "pattern": n}
            for n in {*places.PLACES, *(p.short for p in places.PLACES.values())}
            if len(n) >= 2
        ]
    )
    nlp.add_pipe("policy_regex_spans")
    return nlp


def spans(doc: Any, label: str) -> list[tuple[int, int, str]]:
    """(start_char, end_char, text) of the spans with a label, phrase-ruler spans included."""
    out = [(s.start_char, s.end_char, s.text) for s in doc.spans.get(label, [])]
    out += [(s.start_char, s.end_char, s.text) for s in doc.spans.get("PHRASES", []) if s.label_ == label]
    return sorted(set(out))
