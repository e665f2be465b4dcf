"""Why an answerable gold question lost a fact: the stage of the answer pipeline where the fact was lost.

Used by `policy-kb eval answers -v` to label each failure, so that work goes to the stage that loses most facts
(docs/quality.md, "Issue 13, session 5").  A fact is followed down the pipeline; the first stage that no longer has
it is the cause:

- ``lookup``: refused before any search (a place without documents, an unknown 文号, out of scope);
- ``retrieval``: no candidate sentence (of the clauses search returned) contains the fact;
- ``refused``: a candidate holds it, but the answerability model refused the question;
- ``intent check``: refused by an intent's check (no date for a when-question, no amount for how-much);
- ``ranking``: answered, but no sentence holding the fact was chosen;
- ``compose``: a chosen sentence holds it, yet the answer text does not (merged lines, a cut quote).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..answer.compose import Answerer
from .answers import fact_form

CAUSES = ("lookup", "retrieval", "refused", "intent check", "ranking", "compose")


def cause(answerer: Answerer, gold: dict[str, Any], missing: list[str], as_of: date) -> str:
    """The stage that lost the first of ``missing`` facts (the gold row's facts absent from its answer)."""
    q, _ = answerer.read(gold["question"], gold.get("jurisdiction"), gold.get("previous"))
    doc, settled = answerer.lookup(q, as_of)
    if settled is not None or q.out_of_scope:
        return "lookup"
    facts = [fact_form(f) for f in missing]
    candidates = []
    for part in [q, *q.parts]:
        candidates += answerer.evidence(part, answerer._scope(part, gold.get("jurisdiction"), doc), as_of)[0]
    if not any(f in fact_form(e.text) for e in candidates for f in facts):
        return "retrieval"
    d, _ = answerer.decide(q, gold.get("jurisdiction"), doc, as_of)
    if d.reason is not None:
        ranked = answerer.evidence(q, answerer._scope(q, gold.get("jurisdiction"), doc), as_of)[0]
        return "refused" if answerer.model.answerable(q, ranked) < answerer.model.thresholds.answer else "intent check"
    if not any(f in fact_form(e.text) for e in d.chosen for f in facts):
        return "ranking"
    return "compose"
