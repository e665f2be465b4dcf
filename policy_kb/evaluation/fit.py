"""`policy-kb eval answers --fit`: fit the evidence scorer's weights and thresholds on training questions.

Each candidate sentence of each training question is one example; it is positive when it contains one of the
question's answer facts (the gold facts are copied from the clauses, so containment is exact).  A logistic
regression (scikit-learn, L2) gives the weights.  Folds are grouped by the document the answer comes from, so the
out-of-fold scores of a question come from weights fitted without any question about its document; the thresholds
(answer / select / ratio / same_clause) are chosen on those out-of-fold scores, as the app will meet unseen
questions.  The final weights are fitted on all training questions and written to policy_kb/data/answer_model.json
with the cross-validated measures.

The answerability model (boosted decision stumps, one step function per `Overall` feature) and the thresholds are
fitted on the questions asked of several knowledge bases (`make fit`: its fit KB of every training document and the
5-document seed KB the app ships with): its inputs (the best scores, coverage, words no clause contains) move with
the size of the corpus, and a model fitted on one size refused answerable questions on the other.  On a further
knowledge base a question counts when the KB holds its answer (every gold clause's document) or when it is
unanswerable.  The sentence scorer is fitted on the first KB only (its features are relative to the best
candidate).  A question keeps its fold on every KB (folds are grouped by document).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from ..answer.answerable import decide
from ..answer.compose import Answerer
from ..answer.evidence import Evidence, Features
from ..answer.scorer import MODEL_FILE, Model, Overall, Steps, Thresholds, ranked
from ..answer.understand import Question
from .answers import clause_matches, fact_form

FOLDS = 5
# scikit-learn's C, ten times the default penalty: the sentence weights moved with the documents in the fit, and the
# evidence they rank first with them; at 0.1 the decisions that differ between refits without a tenth of the documents
# fell from 0.109 / 0.097 to 0.071 / 0.064 on two of three probes (0.051 / 0.050 on the third), probe quality the same
# or better, `make cv` flat (docs/quality.md, session 18; `make steadiness`)
REGULARISATION = 0.1
# the answerability model's boosting (cross-validated by document on the training questions: 200 stumps at rate 0.1
# on 80 % samples gave AUC 0.812; depth-2 trees 0.814, harder to read; 100 stumps at 0.05, 0.809)
STUMPS = 200
STUMP_RATE = 0.1
STUMP_SAMPLE = 0.8
# grids the thresholds are chosen from (out-of-fold scores)
ANSWER_GRID = [round(x, 3) for x in np.arange(0.1, 0.9, 0.025)]
SELECT_GRID = [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5]
RATIO_GRID = [0.2, 0.35, 0.5, 0.7, 0.85]
SAME_GRID = [0.05, 0.1, 0.15, 0.25, 0.35, 0.5]
WHOLE_GRID = [0, 150, 250, 400]  # characters
MIN_PRECISION = 0.65  # select/ratio/…: the most facts found while at least this share of cited clauses are gold


@dataclass
class Example:
    """One training question with its candidate sentences (features fixed; scores change with the weights)."""

    gold: dict[str, Any]
    question: Question
    evidence: list[Evidence]
    labels: list[int]
    missing: list[str]
    group: str  # the document its answer comes from; an unanswerable question: its own id
    answerable: float = 0.0  # out-of-fold answerability probability
    kb: int = 0  # the knowledge base it was asked of: 0 the first (the sentence scorer's), 1… the further ones


def holds(answerer: Answerer, g: dict[str, Any]) -> bool:
    """Whether a gold question belongs to a knowledge base: it is unanswerable, or the KB holds the documents of
    all its gold clauses."""
    if not g.get("answerable", True):
        return True
    docs = {d.id for d in answerer.store.documents()}
    golds = g.get("gold_clauses") or []
    return bool(golds) and all(c.split(":")[0] in docs for c in golds)


def collect(answerer: Answerer, gold: list[dict[str, Any]], as_of: date, kb: int = 0) -> list[Example]:
    """The examples of the questions a knowledge base holds (all of them on the first one, ``kb`` 0)."""
    out = []
    for k, g in enumerate(gold):
        if kb and not holds(answerer, g):
            continue
        q, _ = answerer.read(g["question"], g.get("jurisdiction"), g.get("previous"))
        doc, settled = answerer.lookup(q, as_of)
        if settled:
            continue  # a place without documents, an unknown 文号: decided by lookup, not by evidence
        evidence, _, missing = answerer.evidence(q, answerer._scope(q, g.get("jurisdiction"), doc), as_of)
        facts = [fact_form(f) for f in g.get("answer_facts", [])] if g.get("answerable", True) else []
        labels = [int(any(f in fact_form(e.text) for f in facts)) for e in evidence]
        golds = g.get("gold_clauses") or []
        # the document of its answer; an unanswerable question is a group of its own (GroupKFold spreads them
        # over the folds), the same on every KB
        group = golds[0].split(":")[0] if golds else f"none-{g.get('id', k)}"
        out.append(Example(g, q, evidence, labels, missing, group, kb=kb))
    return out


def collect_all(answerers: list[Answerer], gold: list[dict[str, Any]], as_of: date) -> list[Example]:
    return [ex for kb, answerer in enumerate(answerers) for ex in collect(answerer, gold, as_of, kb)]


def _fit(examples: list[Example]) -> Model:
    """The sentence scorer, on the first knowledge base's examples."""
    from sklearn.linear_model import LogisticRegression

    examples = [ex for ex in examples if ex.kb == 0]
    x = np.array([e.features.vector() for ex in examples for e in ex.evidence], dtype=float)
    y = np.array([label for ex in examples for label in ex.labels])
    lr = LogisticRegression(C=REGULARISATION, max_iter=2000).fit(x, y)
    return Model(
        dict(zip(Features.names(), (round(float(w), 4) for w in lr.coef_[0]), strict=True)),
        round(float(lr.intercept_[0]), 4),
    )


def _fit_answerable(examples: list[Example], model: Model) -> Model:
    """The answerability model on the examples' current (out-of-fold) sentence scores: boosted decision stumps
    (one feature and one threshold each), read back as one step function per feature (`scorer.Steps`)."""
    from sklearn.ensemble import GradientBoostingClassifier

    x = np.array([Overall.of(ex.question, _ranked(ex)).vector() for ex in examples], dtype=float)
    y = np.array([int(_deliverable(ex)) for ex in examples])
    boosted = GradientBoostingClassifier(
        max_depth=1, n_estimators=STUMPS, learning_rate=STUMP_RATE, subsample=STUMP_SAMPLE, random_state=0
    ).fit(x, y)
    steps, bias = _steps_of(boosted, Overall.names(), x)
    return Model(model.weights, model.bias, model.thresholds, steps, bias)


def _steps_of(boosted: Any, names: list[str], x: np.ndarray) -> tuple[Steps, float]:
    """A fitted ensemble of stumps as (steps per feature, bias): a stump adds ``rate × left`` below its threshold
    and ``rate × right`` above, i.e. a constant plus ``rate × (right − left)`` above.  The constants and the prior
    make the bias, read off scikit-learn's own log-odds on the training rows, which the steps must then reproduce."""
    rate = boosted.learning_rate
    added: dict[tuple[int, float], float] = {}
    for (tree,) in boosted.estimators_:
        t = tree.tree_
        if t.node_count == 1:  # no split: a constant, in the bias
            continue
        key = (int(t.feature[0]), float(t.threshold[0]))
        added[key] = added.get(key, 0.0) + rate * (float(t.value[2][0][0]) - float(t.value[1][0][0]))
    steps: Steps = {}
    for (feature, threshold), add in sorted(added.items()):
        steps.setdefault(names[feature], []).append((threshold, add))
    ours = np.array([sum(a for (f, th), a in added.items() if row[f] > th) for row in x])
    theirs = boosted.decision_function(x)
    bias = float(np.median(theirs - ours))
    assert np.allclose(theirs, ours + bias, atol=1e-6), "stumps read back wrongly"
    return {k: [(round(th, 6), round(a, 6)) for th, a in v] for k, v in steps.items()}, round(bias, 6)


def _deliverable(ex: Example) -> bool:
    """What the answerability model learns to recognise: an answerable question whose candidate sentences hold one
    of its facts.  An answerable question whose facts the candidates lack is answered wrongly if at all, so its
    evidence looks like an unanswerable question's: labelled as one, it no longer teaches the model that evidence
    without the answer deserves an answer."""
    return bool(ex.gold.get("answerable", True)) and any(ex.labels)


def _ranked(ex: Example) -> list[Evidence]:
    return ranked(ex.evidence)


def outcome(ex: Example, th: Thresholds) -> tuple[bool, int, int, int, int]:
    """(answered, facts found, facts, cited clauses in gold, cited clauses) for one example at thresholds."""
    d = decide(ex.question, _ranked(ex), ex.answerable, th, ex.missing)
    text = fact_form("".join(e.text for e in d.chosen))
    facts = [fact_form(f) for f in ex.gold.get("answer_facts", [])]
    cited = {e.clause.id for e in d.chosen}
    gold = ex.gold.get("gold_clauses") or []
    in_gold = sum(any(clause_matches(c, g) for g in gold) for c in cited)
    return (d.reason is None, sum(f in text for f in facts), len(facts), in_gold, len(cited))


def choose_thresholds(examples: list[Example]) -> tuple[Thresholds, dict[str, float]]:
    """First select / ratio / same_clause / whole_clause (every question answered): most facts found while the
    citation precision stays at least MIN_PRECISION; then the answer threshold at the equal-error point — as many
    answerable questions answered as unanswerable ones refused, the intent checks included."""
    answerable = [ex for ex in examples if ex.gold.get("answerable", True)]
    unanswerable = [ex for ex in examples if not ex.gold.get("answerable", True)]

    best: tuple[float, Thresholds] | None = None
    for select, ratio, same, whole in itertools.product(SELECT_GRID, RATIO_GRID, SAME_GRID, WHOLE_GRID):
        th = Thresholds(answer=0.0, select=select, ratio=ratio, same_clause=same, whole_clause=whole)
        found = gold = cited = 0
        for ex in answerable:
            ok, got, _, in_gold, n_cited = outcome(ex, th)
            found += got if ok else 0
            gold += in_gold if ok else 0
            cited += n_cited if ok else 0
        value = found if gold >= MIN_PRECISION * cited else found - 1000
        if best is None or value > best[0]:
            best = (value, th)
    assert best is not None
    chosen = best[1]

    def rates(t: float) -> tuple[float, float]:
        th = Thresholds(t, chosen.select, chosen.ratio, chosen.same_clause, chosen.whole_clause)
        yes = sum(outcome(ex, th)[0] for ex in answerable) / (len(answerable) or 1)
        no = sum(not outcome(ex, th)[0] for ex in unanswerable) / (len(unanswerable) or 1)
        return yes, no

    # the equal-error point: answerable questions answered as often as unanswerable ones refused (the two targets
    # are equal); it moves little when the data change, unlike the maximum of a flat balanced-accuracy curve
    curve = {t: rates(t) for t in ANSWER_GRID}
    answer = min(ANSWER_GRID, key=lambda t: (abs(curve[t][0] - curve[t][1]), -sum(curve[t])))
    final = Thresholds(answer, chosen.select, chosen.ratio, chosen.same_clause, chosen.whole_clause)
    return final, measure(examples, final)


def measure_by_kb(examples: list[Example], th: Thresholds) -> dict[str, dict[str, float]]:
    """`measure` on each knowledge base's examples."""
    return {str(kb): measure([ex for ex in examples if ex.kb == kb], th) for kb in sorted({ex.kb for ex in examples})}


def measure(examples: list[Example], th: Thresholds) -> dict[str, float]:
    found = total = answered = unanswered_ok = in_gold = cited = 0
    n_ans = n_un = 0
    for ex in examples:
        ok, got, n, g, c = outcome(ex, th)
        if ex.gold.get("answerable", True):
            n_ans += 1
            answered += ok
            found += got if ok else 0
            total += n
            in_gold += g if ok else 0
            cited += c if ok else 0
        else:
            n_un += 1
            unanswered_ok += not ok
    return {
        "fact_recall": round(found / (total or 1), 3),
        "answered": round(answered / (n_ans or 1), 3),
        "unanswerable_accuracy": round(unanswered_ok / (n_un or 1), 3),
        "citation_precision": round(in_gold / (cited or 1), 3),
    }


def train(examples: list[Example]) -> tuple[Model, dict[str, float]]:
    """The whole fitting procedure on some examples (of one or more knowledge bases): out-of-fold sentence scores
    and answerability (folds grouped by document), thresholds chosen on them, final weights on all; returns the
    model and its cross-validated measures."""
    from sklearn.model_selection import GroupKFold

    groups = [ex.group for ex in examples]
    folds = list(GroupKFold(n_splits=FOLDS).split(examples, groups=groups))
    for train_, test in folds:  # out-of-fold sentence scores
        model = _fit([examples[i] for i in train_])
        for i in test:
            model.score(examples[i].evidence)
    oof = {i: _ranked(examples[i]) for i in range(len(examples))}
    for train_, test in folds:  # out-of-fold answerability, on out-of-fold sentence scores
        answering = _fit_answerable([examples[i] for i in train_], Model({}, 0.0))
        for i in test:
            examples[i].answerable = answering.answerable(examples[i].question, oof[i])
    thresholds, cv = choose_thresholds(examples)
    final = _fit(examples)
    final = _fit_answerable(examples, final)
    return Model(final.weights, final.bias, thresholds, final.answer_steps, final.answer_bias), cv


def fit(
    answerer: Answerer,
    gold: list[dict[str, Any]],
    as_of: date,
    out: Path = MODEL_FILE,
    also: list[Answerer] | None = None,
) -> dict[str, Any]:
    """Fit, cross-validate, choose thresholds, write the model file; returns the report written with it.
    ``also``: further knowledge bases the answerability model and thresholds learn on (see the module doc)."""
    examples = collect_all([answerer, *(also or [])], gold, as_of)
    final, cv = train(examples)
    first = [ex for ex in examples if ex.kb == 0]
    report = {
        "trained_on": len(first),
        "sentences": sum(len(ex.evidence) for ex in first),
        "positives": sum(sum(ex.labels) for ex in first),
        "folds": f"{FOLDS}, grouped by document",
        "cross_validated": cv,
    }
    if also:
        report["knowledge_bases"] = [str(a.searcher.index_dir) for a in [answerer, *also]]
        report["questions_per_kb"] = [sum(ex.kb == kb for ex in examples) for kb in range(len(also) + 1)]
        report["cross_validated_per_kb"] = measure_by_kb(examples, final.thresholds)
    out.write_text(final.to_json({"report": report}), encoding="utf-8")
    return report


def fold_models(
    answerer: Answerer, gold: list[dict[str, Any]], as_of: date, also: list[Answerer] | None = None
) -> dict[str, Model]:
    """Per question id, the model `fit` would write had it not seen that question nor any question about the same
    document: 5 folds grouped by document, and in each the whole procedure (`train`, with its own inner folds and
    thresholds) on the other four.  `policy-kb eval answers --cv` answers every question with its fold's model,
    so the measure covers every stage (parts, compose, verify), not only the sentences chosen."""
    from sklearn.model_selection import GroupKFold

    examples = collect_all([answerer, *(also or [])], gold, as_of)
    out: dict[str, Model] = {}
    groups = [ex.group for ex in examples]
    for train_, test in GroupKFold(n_splits=FOLDS).split(examples, groups=groups):
        model, _ = train([examples[i] for i in train_])
        out.update({examples[i].gold["id"]: model for i in test})
    return out
