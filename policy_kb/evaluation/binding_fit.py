"""`policy-kb eval profiles --fit`: fit the binding classifier (extract/binding.py) on the dev profiles' checklists.

One example per (dev profile, obligation of a document its author reviewed completely) whose place is in the
profile's jurisdiction chain and whose facility conditions do not fail (those two stay rules): positive when a gold
row of that profile matches the obligation (same clause, the row's words in the sentence), whether `applies` or
`to_confirm`.  A logistic regression (scikit-learn, L2) over the named features gives the weights; the decision
threshold is the one with the best F1 on out-of-fold probabilities of the training examples (folds grouped by
document), never on the examples it is judged on.

Cross-validation is by profile AND by document: the model that decides the obligations of document d for profile p
is fitted without any example of p and without any example of d (of any profile), and its threshold is chosen on
inner folds of that training set.  `policy-kb eval profiles --cv` scores the checklists those models give.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..embed.embedder import DEFAULT_MODEL_NAME
from ..extract.binding import (
    MODEL_FILE,
    TEXT_PREFIX,
    VECTOR_SCALE,
    BindingModel,
    SentenceTerm,
    TextFeatures,
    feature_names,
)
from ..profile.match import profile_features
from ..profile.model import Profile
from ..records import Obligation

REGULARISATION = 0.05  # scikit-learn C: strong L2 over ~6 900 examples of named and n-gram features (with the n-grams,
# dev CV F1 0.654 at C 0.05 and 0.647 at 0.2; with the sentence vectors 0.704 at 0.05 and 0.703 at 0.1: docs/quality.md)
NAMED_SCALE = 5.0  # the named features enter the fit multiplied by this, so the L2 penalty shrinks their weights less
# than the thousands of n-gram and vector columns' (a rare, decisive feature such as `company_self` or `party_other` is
# otherwise drowned); the stored weights are scaled back, so the model file reads the features as they are. Dev CV by
# profile and document P/R 0.674 / 0.749 at 1.0 → 0.679 / 0.767 at 5.0 (docs/quality.md, session 19)
SENTENCE_MODEL = DEFAULT_MODEL_NAME  # the sentence vectors' model (embed/sentence_vectors.py): the provisioned e5
INNER_FOLDS = 4  # folds (grouped by document) for the out-of-fold probabilities the threshold is chosen on
THRESHOLD_GRID = [round(x, 3) for x in np.arange(0.1, 0.9, 0.025)]


@dataclass
class Example:
    profile: str
    doc_id: str
    obligation_id: str
    features: dict[str, float]
    label: int
    in_force: bool = True  # False for a plan whose period is over: fitted on, but no checklist shows it
    sentence: str = ""  # the obligation's text: its character n-grams are features too (`TextFeatures`)
    vector: np.ndarray | None = field(default=None, repr=False)  # its sentence vector (`SentenceTerm`)


def examples_of(
    name: str,
    profile: Profile,
    obligations: Iterable[Obligation],
    gold: list[dict[str, Any]],
    expired: frozenset[str] = frozenset(),
) -> list[Example]:
    """The profile's examples: obligations in its jurisdiction chain whose facility conditions do not fail."""
    from .profiles import _matches

    out = []
    for ob in obligations:
        if ob.jurisdiction not in profile.places:
            continue
        features, decision = profile_features(profile, ob)
        if decision.fails:
            continue
        label = int(any(_matches(row, ob) for row in gold))
        out.append(Example(name, ob.doc_id, ob.id, features, label, ob.doc_id not in expired, ob.text))
    return out


def _matrix(examples: list[Example], text: TextFeatures, mean: np.ndarray | None) -> tuple[Any, np.ndarray, list[str]]:
    """(sparse feature matrix, labels, column names): the named features, the vocabulary's n-grams, then (with the
    training sentences' `mean` vector) the sentence vectors' columns, as `SentenceTerm.logit` reads them."""
    from scipy.sparse import csr_matrix, hstack

    names = [*feature_names(), *(TEXT_PREFIX + g for g in text.idf)]
    column = {n: i for i, n in enumerate(names)}
    rows, cols, values = [], [], []
    for r, e in enumerate(examples):
        named = {n: NAMED_SCALE * v for n, v in e.features.items()}
        for name, value in {**named, **text.of(e.sentence)}.items():
            if name in column and value:
                rows.append(r)
                cols.append(column[name])
                values.append(value)
    x = csr_matrix((values, (rows, cols)), shape=(len(examples), len(names)))
    if mean is not None:
        x = hstack([x, csr_matrix(VECTOR_SCALE * (np.array([e.vector for e in examples]) - mean))]).tocsr()
    return x, np.array([e.label for e in examples]), names


def _fitted(examples: list[Example], threshold: float = 0.5, report: dict[str, Any] | None = None) -> BindingModel:
    """A logistic regression over the examples' named and n-gram features (the vocabulary fitted on their
    sentences) and, when every example has one, their sentence vectors (centred on the training mean)."""
    from sklearn.linear_model import LogisticRegression

    text = TextFeatures.fit([e.sentence for e in examples if e.sentence])
    vectors = [e.vector for e in examples if e.vector is not None]
    mean = np.mean(vectors, axis=0) if examples and len(vectors) == len(examples) else None
    x, y, names = _matrix(examples, text, mean)
    lr = LogisticRegression(C=REGULARISATION, max_iter=5000).fit(x, y)
    coef = lr.coef_[0].copy()
    coef[: len(feature_names())] *= NAMED_SCALE  # back to the features as they are (see NAMED_SCALE)
    weights = {n: round(float(w), 4) for n, w in zip(names, coef[: len(names)], strict=True) if abs(w) >= 1e-4}
    term = None
    if mean is not None:
        term = SentenceTerm(SENTENCE_MODEL, coef[len(names) :].astype(np.float32), mean.astype(np.float32))
    return BindingModel(weights, round(float(lr.intercept_[0]), 4), threshold, report or {}, text, term)


def _f1(labels: list[int], probabilities: list[float], threshold: float) -> float:
    tp = sum(1 for y, p in zip(labels, probabilities, strict=True) if y and p >= threshold)
    predicted = sum(1 for p in probabilities if p >= threshold)
    return 2 * tp / (predicted + sum(labels)) if predicted + sum(labels) else 0.0


def choose_threshold(examples: list[Example]) -> tuple[float, float]:
    """(threshold, its F1) on out-of-fold probabilities: folds grouped by document, so each example is scored by
    weights fitted without its document.  Only documents in force count (a checklist never shows an expired plan;
    its sentences are fitted on all the same)."""
    docs = sorted({e.doc_id for e in examples})
    folds = [docs[i :: min(INNER_FOLDS, len(docs))] for i in range(min(INNER_FOLDS, len(docs)))]
    labels: list[int] = []
    probabilities: list[float] = []
    for held in folds:
        train = [e for e in examples if e.doc_id not in held]
        test = [e for e in examples if e.doc_id in held]
        if not test or len({e.label for e in train}) < 2:
            continue
        model = _fitted(train)
        labels += [e.label for e in test if e.in_force]
        probabilities += [model.probability(e.features, e.sentence, e.vector) for e in test if e.in_force]
    if not labels:
        return 0.5, 0.0
    best = max(THRESHOLD_GRID, key=lambda t: (_f1(labels, probabilities, t), -abs(t - 0.5)))
    return best, _f1(labels, probabilities, best)


def train(examples: list[Example]) -> BindingModel:
    """The whole procedure on some examples: threshold on inner out-of-fold probabilities, weights on all."""
    threshold, inner_f1 = choose_threshold(examples)
    return _fitted(examples, threshold, {"inner_f1": round(inner_f1, 3)})


def fold_models(examples: list[Example]) -> dict[tuple[str, str], BindingModel]:
    """Per (profile, document): the model fitted without that profile's examples and without that document's."""
    cells = sorted({(e.profile, e.doc_id) for e in examples})
    return {(p, d): train([e for e in examples if e.profile != p and e.doc_id != d]) for p, d in cells}


def fit(examples: list[Example], report: dict[str, Any], out: Path = MODEL_FILE) -> BindingModel:
    """Fit on all examples and write the model file with the report (the caller's cross-validated measures)."""
    final = train(examples)
    model = BindingModel(
        final.weights,
        final.bias,
        final.threshold,
        {
            "trained_on": sorted({e.profile for e in examples}),
            "examples": len(examples),
            "positives": sum(e.label for e in examples),
            "regularisation_C": REGULARISATION,
            "named_scale": NAMED_SCALE,
            "threshold_from": f"best F1 on out-of-fold probabilities of documents in force, {INNER_FOLDS} folds "
            "grouped by document",
            **final.report,
            **report,
        },
        final.text,
        final.sentence,
    )
    out.write_text(model.to_json(), encoding="utf-8")
    return model
