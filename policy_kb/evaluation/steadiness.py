"""`policy-kb eval answers --steadiness` (and `eval profiles --steadiness`): how much a fitted model moves when its
training data do.

A refit on a slightly different set of training questions (a document added, a gold row fixed) changed the test
splits by a few questions each (docs/quality.md, session 17): more than most changes decided on `make cv`.  `make cv`
scores quality, not this.  Here a fifth of the documents' questions is set aside as a probe; the whole fitting
procedure (`fit.train`: sentence scorer, answerability model, thresholds) runs several times, each time without a
different tenth of the remaining documents; and every refit answers or refuses each probe question.  The measure is
the share of probe questions two refits decide differently (answer or refuse), averaged over all pairs of refits,
reported with each refit's quality on the probe.  Groups are documents, as in the folds of the fit.
"""

from __future__ import annotations

import copy
import itertools
import random
from dataclasses import dataclass

import numpy as np

from ..answer.scorer import Model, ranked
from . import fit
from .binding_fit import Example as BindingExample
from .fit import Example

PROBE_SHARE = 0.2  # of the documents (an unanswerable question is its own group): questions no refit learns from
DROP_SHARE = 0.1  # of the other documents, left out of each refit: the size of a change a session makes to the data
REFITS = 6  # refits compared pairwise (15 pairs); each is one whole `fit.train`, ~1.5 min on the fit KBs


def _cell(pair: tuple[float, float]) -> str:
    """A (mean, standard deviation) pair as the tables print it."""
    return f"{pair[0]:.3f} ± {pair[1]:.3f}"


@dataclass(frozen=True)
class Outcome:
    """One refit's decision on one probe question."""

    answered: bool
    facts_found: int
    facts: int
    answerable: bool


@dataclass(frozen=True)
class Steadiness:
    disagreement: float  # share of probe questions decided differently by two refits, mean over pairs
    fact_recall: tuple[float, float]  # (mean, standard deviation) over the refits, on the probe
    unanswerable_accuracy: tuple[float, float]
    answered: tuple[float, float]
    probe: int  # probe questions (counted once per knowledge base they are asked of)
    refits: int

    def table(self) -> str:
        return "\n".join(
            [
                f"steadiness: {self.refits} refits, each without a different {DROP_SHARE:.0%} of the training "
                f"documents; {self.probe} probe questions no refit learns from",
                f"decisions that differ between two refits  {self.disagreement:.3f}",
                f"fact recall on the probe                  {_cell(self.fact_recall)}",
                f"unanswerable accuracy on the probe        {_cell(self.unanswerable_accuracy)}",
                f"answerable questions answered            {_cell(self.answered)}",
            ]
        )


def _decide(model: Model, probe: list[Example]) -> list[Outcome]:
    out = []
    for ex in copy.deepcopy(probe):  # scoring writes into the evidence
        model.score(ex.evidence)
        ex.answerable = model.answerable(ex.question, ranked(ex.evidence))
        answered, found, facts, _, _ = fit.outcome(ex, model.thresholds)
        out.append(Outcome(answered, found, facts, bool(ex.gold.get("answerable", True))))
    return out


def _quality(outcomes: list[Outcome]) -> tuple[float, float, float]:
    answerable = [o for o in outcomes if o.answerable]
    unanswerable = [o for o in outcomes if not o.answerable]
    found = sum(o.facts_found for o in answerable if o.answered)
    facts = sum(o.facts for o in answerable) or 1
    refused = sum(not o.answered for o in unanswerable) / (len(unanswerable) or 1)
    answered = sum(o.answered for o in answerable) / (len(answerable) or 1)
    return found / facts, refused, answered


def measure(examples: list[Example], refits: int = REFITS, seed: int = 42) -> Steadiness:
    """Refit `refits` times on perturbed training sets and compare the decisions on the probe (see the module doc)."""
    if refits < 2:
        raise ValueError("steadiness compares refits: at least 2")
    groups = sorted({ex.group for ex in examples})
    probe_groups = set(random.Random(seed).sample(groups, round(len(groups) * PROBE_SHARE)))
    probe = [ex for ex in examples if ex.group in probe_groups]
    pool = [ex for ex in examples if ex.group not in probe_groups]
    pool_groups = sorted({ex.group for ex in pool})
    runs = []
    for r in range(refits):
        dropped = set(random.Random(seed + 1 + r).sample(pool_groups, round(len(pool_groups) * DROP_SHARE)))
        model, _ = fit.train(copy.deepcopy([ex for ex in pool if ex.group not in dropped]))
        runs.append(_decide(model, probe))
    pairs = [np.mean([a.answered != b.answered for a, b in zip(x, y)]) for x, y in itertools.combinations(runs, 2)]
    quality = np.array([_quality(run) for run in runs])
    mean, sd = quality.mean(axis=0), quality.std(axis=0)
    return Steadiness(
        disagreement=round(float(np.mean(pairs)), 4),
        fact_recall=(round(float(mean[0]), 3), round(float(sd[0]), 3)),
        unanswerable_accuracy=(round(float(mean[1]), 3), round(float(sd[1]), 3)),
        answered=(round(float(mean[2]), 3), round(float(sd[2]), 3)),
        probe=len(probe),
        refits=refits,
    )


@dataclass(frozen=True)
class BindingSteadiness:
    """The same measure for the binding classifier of checklists (`eval profiles --steadiness`): the share of probe
    (profile, obligation) decisions, bound or not, that two refits make differently, and each refit's quality."""

    disagreement: float
    precision: tuple[float, float]  # (mean, standard deviation) over the refits, on the probe's examples
    recall: tuple[float, float]
    probe: int  # probe examples: (profile, obligation) pairs of the probe documents in force
    refits: int

    def table(self) -> str:
        return "\n".join(
            [
                f"steadiness: {self.refits} refits of the binding classifier, each without a different "
                f"{DROP_SHARE:.0%} of the training documents; {self.probe} probe (profile, obligation) pairs",
                f"decisions that differ between two refits  {self.disagreement:.3f}",
                f"precision on the probe                    {_cell(self.precision)}",
                f"recall on the probe                       {_cell(self.recall)}",
            ]
        )


def measure_binding(examples: list[BindingExample], refits: int = REFITS, seed: int = 42) -> BindingSteadiness:
    """Refit the binding classifier (`binding_fit.train`: weights and threshold) `refits` times, each without a
    different tenth of the documents outside the probe, and compare its decisions on the probe documents' examples.
    Groups are documents: every profile's examples of a probe document are in the probe."""
    from .binding_fit import train

    if refits < 2:
        raise ValueError("steadiness compares refits: at least 2")
    docs = sorted({e.doc_id for e in examples})
    probe_docs = set(random.Random(seed).sample(docs, round(len(docs) * PROBE_SHARE)))
    probe = [e for e in examples if e.doc_id in probe_docs and e.in_force]
    pool_docs = sorted(set(docs) - probe_docs)
    labels = np.array([e.label for e in probe], dtype=bool)
    runs = []
    for r in range(refits):
        dropped = set(random.Random(seed + 1 + r).sample(pool_docs, round(len(pool_docs) * DROP_SHARE)))
        model = train([e for e in examples if e.doc_id not in probe_docs and e.doc_id not in dropped])
        runs.append(np.array([model.probability(e.features, e.sentence, e.vector) >= model.threshold for e in probe]))
    pairs = [float(np.mean(x != y)) for x, y in itertools.combinations(runs, 2)]
    precision = [float((run & labels).sum() / (run.sum() or 1)) for run in runs]
    recall = [float((run & labels).sum() / (labels.sum() or 1)) for run in runs]
    return BindingSteadiness(
        disagreement=round(float(np.mean(pairs)), 4),
        precision=(round(float(np.mean(precision)), 3), round(float(np.std(precision)), 3)),
        recall=(round(float(np.mean(recall)), 3), round(float(np.std(recall)), 3)),
        probe=len(probe),
        refits=refits,
    )
