"""Sentence scorer: a logistic regression over the named `Features` of a piece of evidence.

The weights, the bias and the decision thresholds are data, not code: `policy_kb/data/answer_model.json`, written by
`policy-kb eval answers --fit` (policy_kb/evaluation/fit.py) from training questions, cross-validated by document.
A feature the model file does not know gets weight 0, so adding a feature never breaks an old model file.

The answerability model is additive too, but each `Overall` feature adds a step function instead of a straight line
(boosted decision stumps, fitted), so a feature can count differently over its range (`best_fit` gains most below
0.15, `missing` costs most above 0.45).  Cross-validated by document on the training questions, the steps separate
answerable from unanswerable questions better than the straight lines did (AUC 0.789 → 0.812 on the same out-of-fold
examples), and each feature's table can still be read.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

from ..search.text import normalise
from .evidence import Evidence, Features
from .understand import Question

SPECIFIC_DEPTH = 5  # the best sentences whose clauses must hold the question's specifics
MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "answer_model.json"


@dataclass(frozen=True)
class Thresholds:
    """Decisions on the scores, each chosen on training questions (fit.py says how)."""

    answer: float = 0.5  # the answerability probability must reach this for the question to count as answerable
    select: float = 0.3  # another clause is cited only when one of its sentences reaches this …
    ratio: float = 0.5  # … and at least this share of the best score
    same_clause: float = 0.2  # another sentence of an already cited clause is quoted from this score (no citation)
    whole_clause: float = 0  # a cited clause of at most this many characters is quoted whole


@dataclass(frozen=True)
class Overall:
    """What the whole evidence says about a question: whether anything in the knowledge base answers it.  (No
    absolute cosine: its scale belongs to one embedding model, and the model can be swapped.)"""

    best: float  # the best sentence's score
    second: float  # the runner-up's
    cover: float  # the best share of the question's concepts named in one sentence
    clause_cover: float  # … in one clause (a question about 验收 and 抽查 answered by two sentences of one clause)
    bigrams: float  # the best share of the question's character pairs in one sentence
    missing: float  # share of the question's content words that no clause in scope contains
    best_fit: float  # the best score of a sentence that holds what the intent asks for (a date, an amount …)
    specifics_missing: float  # share of the question's specifics (`2030`, `4.3米`) absent from the best clauses
    # and their documents' titles, 文号 and dates
    place_other: float  # the best sentences name other places, not the asked one (a per-city list without 大同)
    agree: float  # how far both search routes agree on the best sentence's clause: the lower of its relative dense
    # and keyword scores (1: first in both).  Both routes put one clause first for 0.45 of answerable training
    # questions and 0.08 of unanswerable ones (off-topic words find scattered clauses)
    named: float  # the question names the best clause's document by its title or a shortening of it (`大气法`)

    @classmethod
    def of(cls, q: Question, ranked: list[Evidence]) -> Overall:
        if not ranked:
            return cls(**dict.fromkeys(cls.names(), 0.0) | {"missing": 1.0, "specifics_missing": 1.0})
        f = [e.features for e in ranked]
        best = {e.clause.id: normalise(e.clause.text) + e.document for e in ranked[:SPECIFIC_DEPTH]}
        absent = [s for s in q.specifics if not any(normalise(s) in t for t in best.values())]
        return cls(
            ranked[0].score,
            ranked[1].score if len(ranked) > 1 else 0.0,
            max(x.cover for x in f),
            max(x.clause_cover for x in f),
            max(x.bigrams for x in f),
            f[0].missing,
            max((e.score for e in ranked if e.features.intent_fit), default=0.0),
            len(absent) / len(q.specifics) if q.specifics else 0.0,
            max(e.features.place_other for e in ranked[:SPECIFIC_DEPTH]),
            min(f[0].dense, f[0].keyword),
            float(q.named_document is not None and ranked[0].clause.doc_id == q.named_document),
        )

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def vector(self) -> tuple[float, ...]:
        return tuple(self.__dict__.values())  # field order (dataclasses.astuple deep-copies: 10x slower)


def _logistic(weights: dict[str, float], bias: float, names: list[str], values: tuple[float, ...]) -> float:
    z = bias + sum(weights.get(name, 0.0) * value for name, value in zip(names, values, strict=True))
    return _sigmoid(z)


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


Steps = dict[str, list[tuple[float, float]]]  # per feature name: (threshold, log-odds added above it), by threshold


def _stepped(steps: Steps, bias: float, names: list[str], values: tuple[float, ...]) -> float:
    """Logistic of the bias plus, per feature, every step whose threshold its value exceeds."""
    z = bias
    for name, value in zip(names, values, strict=True):
        z += sum(add for threshold, add in steps.get(name, ()) if value > threshold)
    return _sigmoid(z)


@dataclass(frozen=True)
class Model:
    weights: dict[str, float]  # per `Features` name: how a sentence is scored
    bias: float
    thresholds: Thresholds = field(default_factory=Thresholds)
    answer_steps: Steps = field(default_factory=lambda: {"best": [(0.5, 1.0)]})  # per `Overall` name
    answer_bias: float = -0.5

    def probability(self, features: Features) -> float:
        return _logistic(self.weights, self.bias, Features.names(), features.vector())

    def answerable(self, q: Question, ranked: list[Evidence]) -> float:
        """Probability that the scored evidence (best first) answers the question."""
        return _stepped(self.answer_steps, self.answer_bias, Overall.names(), Overall.of(q, ranked).vector())

    def score(self, evidence: list[Evidence]) -> list[Evidence]:
        """The evidence with `score` set, best first."""
        for e in evidence:
            e.score = self.probability(e.features)
        return ranked(evidence)

    def to_json(self, extra: dict[str, object] | None = None) -> str:
        data = {
            "weights": self.weights,
            "bias": self.bias,
            "answer_steps": {name: [list(step) for step in steps] for name, steps in self.answer_steps.items()},
            "answer_bias": self.answer_bias,
            "thresholds": self.thresholds.__dict__,
            **(extra or {}),
        }
        text = json.dumps(data, ensure_ascii=False, indent=2)
        # one line per step, `[threshold, log-odds]`: a readable diff when the model is refitted
        return re.sub(r"\[\s+(-?[\d.e-]+),\s+(-?[\d.e-]+)\s+\]", r"[\1, \2]", text) + "\n"


def ranked(evidence: list[Evidence]) -> list[Evidence]:
    """Scored evidence best first; ties go to the better-ranked clause, then to the earlier sentence."""
    return sorted(evidence, key=lambda e: (-e.score, e.clause_rank, e.start))


def load(path: Path | str = MODEL_FILE) -> Model:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Model(
        {k: float(v) for k, v in data["weights"].items()},
        float(data["bias"]),
        Thresholds(**{k: float(v) for k, v in data.get("thresholds", {}).items()}),
        {k: [(float(t), float(w)) for t, w in v] for k, v in data.get("answer_steps", {}).items()},
        float(data.get("answer_bias", 0.0)),
    )


@lru_cache(maxsize=1)
def default_model() -> Model:
    return load()
