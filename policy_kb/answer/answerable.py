"""Answerability: one decision on the scored evidence, then the checks an intent needs.

The evidence answers the question when the answerability model (`scorer.Overall`: the best scores, the best word
and character coverage, missing words) reaches the fitted `Thresholds.answer`; the sentences to
quote are then chosen by the other fitted thresholds (at most three cited clauses, five for a list).  An intent
then checks that the chosen evidence holds what it asks for: a date for *when*, an amount for *how much*, a
definition for *what does “…” mean*.  A word the corpus does not contain is an input of the answerability model
(`missing`) and, in an answer, a caveat (`文件中没有出现“时侯”，以下按问题的其余部分作答`); never a reason given
for a refusal: a typo or a word the documents do not use must not by itself make a question unanswerable.  A
refusal says that no clause answers the question and shows the nearest clauses.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

from .evidence import AMOUNT_RE, DATE_RE, SPAN_RE, Evidence, dated
from .scorer import Thresholds
from .understand import Question

MAX_CLAUSES = 3  # citations per answer …
MAX_CLAUSES_LIST = 5  # … unless the question asks for a list
MAX_SENTENCES = 12  # sentences quoted: a per-city list (`太原市建设4套…`) is often one sentence per city (was 8)
_CN_COUNT = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@dataclass
class Decision:
    """The sentences to quote, or why there are none (``reason`` set, ``chosen`` empty)."""

    chosen: list[Evidence] = field(default_factory=list)
    reason: str | None = None  # zh
    reason_en: str | None = None
    missing: list[str] = field(default_factory=list)  # the question's words no clause in scope contains: an
    # answer says it was read without them
    closest: list[Evidence] = field(default_factory=list)  # a refusal's sentences that come closest (a when-question
    # answered by a span of time): shown before the search hits


def caveat(missing: list[str], en: bool) -> str:
    """The line that opens an answer given although some of the question's words occur in no clause."""
    if not missing:
        return ""
    if en:
        words = ", ".join(f"“{m}”" for m in missing)
        return f"(The documents do not mention {words}; answered from the rest of the question.)"
    return f"（文件中没有出现{'、'.join(f'“{m}”' for m in missing)}，以下按问题的其余部分作答）"


def defines(text: str, term: str) -> bool:
    """Whether a clause explains a term: `“两断四停”（即断水、…）`, `X是指…`, or an enumeration whose length
    matches the number in the term (`节能、环保、安全“三大改造”`)."""
    for m in re.finditer(rf"[“\"]?{re.escape(term)}[”\"]?", text):
        if re.match(r"[^，。；]{0,4}?[，,]?[（(]?(?:即|是指|指的是|包括|：)", text[m.end() : m.end() + 10]):
            return True
        count = _CN_COUNT.get(term[0]) or (
            int(term[0]) if term[0].isdigit() and len(term) > 1 and not term.isdigit() else None
        )
        before = re.split(r"[，。；：]|实施|推进|开展|实行|推动", text[: m.start()])[-1]
        if count and len([x for x in before.split("、") if x.strip()]) == count:
            return True
    return False


# a roster line: `组长：赵辉…`
_ROSTER_RE = re.compile(r"^(?:副?组长|成员|副?主任|办公室主任)[：:]")
# a sentence that continues the one before it: the next item of a list (`（2）…`, `2.`, `②`), `其中…`
_CONTINUES_RE = re.compile(r"^(?:其中|其余|但|（[2-9一-九]）|\([2-9]\)|[2-9][.．、]|[②-⑨])")


def choose(q: Question, ranked: list[Evidence], th: Thresholds) -> list[Evidence]:
    """The best sentence, other clauses' sentences that score nearly as well, and further sentences of the cited
    clauses that score well enough on their own (they cost no citation); a short cited clause is quoted whole, and
    a quoted list item brings the items that follow it.  A deadline question also gets the best dated rule of
    every other place whose rules apply (the county's plan, the city's, the province's all bind)."""
    best = ranked[0]
    today = q.intent == "deadline" and not q.names_period  # what must be done now, not what a past plan said
    if today and best.features.historical:
        best = next((e for e in ranked if not e.features.historical and e.score >= th.select), best)
    limit = MAX_CLAUSES_LIST if q.intent == "list" else MAX_CLAUSES
    chosen, cited = [best], [best.clause.id]
    for e in ranked:
        if e is best:
            continue
        if len(chosen) == MAX_SENTENCES:
            break
        if e.clause.id in cited:
            if e.score >= th.same_clause:
                chosen.append(e)
        elif len(cited) < limit and e.score >= th.select and e.score >= th.ratio * best.score:
            chosen.append(e)
            cited.append(e.clause.id)
    if q.intent == "deadline":
        places_done = {e.jurisdiction for e in chosen}
        for e in ranked:
            if (
                e.jurisdiction not in places_done
                and _has_date(e)
                and e.score >= th.select
                and len(cited) < MAX_CLAUSES_LIST
            ):
                places_done.add(e.jurisdiction)
                chosen.append(e)
                cited.append(e.clause.id)
    if today and any(not e.features.historical for e in chosen):
        # a plan whose period is over answers for today only when nothing newer does
        chosen = [e for e in chosen if not e.features.historical]
        cited = [c for c in cited if any(e.clause.id == c for e in chosen)]
    short = {c for c in cited if len(next(e.clause.text for e in chosen if e.clause.id == c)) <= th.whole_clause}
    chosen += [e for e in ranked if e.clause.id in short and e not in chosen]
    chosen += _continuations(chosen, ranked)
    # a clause's heading is quoted when it is the best sentence or the only one of its clause (an item that opens
    # with its rule: `1.新建焦炉炭化室高度不低于6米，…`); beside its own body the body says it (`关停退出4.3米焦炉`)
    per_clause = Counter(e.clause.id for e in chosen)
    chosen = [e for e in chosen if e is best or not e.features.heading or per_clause[e.clause.id] == 1]
    # a roster line (`组长：赵辉…`) answers only a question about that role; never a bullet of its own otherwise
    return [e for e in chosen if e is best or q.role or not _ROSTER_RE.match(e.text)]


def _continuations(chosen: list[Evidence], ranked: list[Evidence]) -> list[Evidence]:
    """Sentences that continue a chosen one, in the order the clause states them."""
    by_clause: dict[str, list[Evidence]] = {}
    for e in sorted(ranked, key=lambda e: e.start):
        by_clause.setdefault(e.clause.id, []).append(e)
    out: list[Evidence] = []
    taken = {id(e) for e in chosen}
    for sentences in by_clause.values():
        for before, after in itertools.pairwise(sentences):
            if id(before) in taken and id(after) not in taken and _CONTINUES_RE.match(after.text):
                taken.add(id(after))
                out.append(after)
    return out


def _has_date(e: Evidence) -> bool:
    """A date, a recurring deadline or a date expression in the sentence."""
    recurring = bool(e.obligation and e.obligation.deadline and e.obligation.deadline.kind == "recurring")
    return dated(e.obligation) or recurring or bool(DATE_RE.search(e.text))


def _no_date(chosen: list[Evidence]) -> Decision:
    """The refusal of a when-question whose evidence holds no date.  When it holds a span of time instead
    (`届满前一个月`), the refusal says so and shows those sentences first: `no deadline` would be a claim the
    documents contradict."""
    spans = [(e, m.group(0)) for e in chosen if (m := SPAN_RE.search(e.text))]
    if not spans:
        return Decision(
            reason="文件中没有找到相关的期限规定。", reason_en="The documents do not state a deadline for this."
        )
    said = spans[0][1]
    return Decision(
        reason=f"文件没有规定具体日期，相关条款规定的是时限（“{said}”），请核对下列条款。",
        reason_en=f"The documents set no calendar date; the closest clause sets a time limit (“{said}”). Check the "
        "clauses below.",
        closest=[e for e, _ in spans],
    )


def decide(q: Question, ranked: list[Evidence], answerable: float, th: Thresholds, missing: list[str]) -> Decision:
    """``ranked``: the scored evidence, best first; ``answerable``: the answerability model's probability;
    ``missing``: the question's words no clause in scope contains (kept for the answer's caveat; the model has
    already weighed them)."""
    if not ranked or answerable < th.answer:
        return Decision(reason="没有找到可以回答该问题的条款。", reason_en="No clause answers this question.")
    chosen = choose(q, ranked, th)
    if q.intent == "deadline" and not q.asks_why and not any(_has_date(e) for e in chosen):
        return _no_date(chosen)
    if q.wants_money:
        money = [e for e in chosen if AMOUNT_RE.search(e.text)]
        if q.per_unit:  # `每人补偿多少` is not answered by a per-tonne rate
            money = [e for e in money if re.search(rf"/{q.per_unit}|每{q.per_unit}", e.text)]
        if not money:
            return Decision(
                reason="文件中没有找到相关的金额规定。", reason_en="The documents do not state an amount for this."
            )
    for ask in q.quantities:  # each quantity asked for, by the question or (when its parts fail) by one of its parts
        if not any(ask.answered_by(e.text) for e in chosen):
            return Decision(
                reason=f"文件中没有给出{ask.label}。", reason_en=f"The documents do not state {ask.label_en} for this."
            )
    if (
        q.intent == "definition"
        and q.asks_meaning
        and q.quoted
        and not any(defines(e.clause.text, t) for t in q.quoted for e in chosen)
    ):
        terms = "、".join(q.quoted)
        return Decision(
            reason=f"文件中没有对“{terms}”的定义或解释。", reason_en=f"The documents use {terms} but do not define it."
        )
    return Decision(chosen=chosen, missing=list(missing))
