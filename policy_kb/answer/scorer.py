"""Sentence scorer: a logistic regression over the named `Features` of a piece of evidence.

The weights, the bias and the decision thresholds are data, not code: `policy_kb/data/answer_model.json`, written by
`policy-kb eval answers --fit` (policy_kb/evaluation/fit.py) from training questions, cross-validated by document.
A feature the model file does not know gets weight 0, so adding a feature never breaks an old model file.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .evidence import Evidence, Features

MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "answer_model.json"


@dataclass(frozen=True)
class Thresholds:
    """Decisions on the scores, each chosen on training questions (fit.py says how)."""

    answer: float = 0.5  # the best sentence must reach this for the question to count as answerable
    select: float = 0.3  # another clause is cited only when one of its sentences reaches this …
    ratio: float = 0.5  # … and at least this share of the best score
    same_clause: float = 0.2  # another sentence of an already cited clause is quoted from this score (no citation)


@dataclass(frozen=True)
class Model:
    weights: dict[str, float]
    bias: float
    thresholds: Thresholds = field(default_factory=Thresholds)

    def probability(self, features: Features) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * value
                            for name, value in zip(Features.names(), features.vector(), strict=True))
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def score(self, evidence: list[Evidence]) -> list[Evidence]:
        """The evidence with `score` set, best first."""
        for e in evidence:
            e.score = self.probability(e.features)
        return sorted(evidence, key=lambda e: (-e.score, e.clause_rank, e.start))

    def to_json(self, extra: dict[str, object] | None = None) -> str:
        data = {"weights": self.weights, "bias": self.bias, "thresholds": self.thresholds.__dict__, **(extra or {})}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def load(path: Path | str = MODEL_FILE) -> Model:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Model({k: float(v) for k, v in data["weights"].items()}, float(data["bias"]),
                 Thresholds(**{k: float(v) for k, v in data.get("thresholds", {}).items()}))


@lru_cache(maxsize=1)
def default_model() -> Model:
    return load()
