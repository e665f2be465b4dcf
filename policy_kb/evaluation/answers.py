"""`policy-kb eval answers`: fact recall, citation support and unanswerable accuracy on tests/gold/questions.jsonl.

- fact recall: share of expected answer facts (strings copied from the clauses) found in answered texts;
- citation support: share of answered answers that pass the citation check again, independently;
- unanswerable accuracy: share of unanswerable questions not returned as ``answered``;
- extra citations: per answered question, cited clauses outside its gold clauses (target: never more than 2);
- citation precision: share of the clauses cited by answered answers that are gold clauses (a gold article also
  matches its own items, and chapter/section segments are ignored: `第七章/第八十二条/（二）` is `第八十二条`);
- characters per citation: mean length of a cited clause's text (what a reader must read to check the answer);
- refused for a missing word: answerable questions refused with "没有出现…" (target 0).
A gold row with ``previous`` is a follow-up: it is asked with that question as the conversation before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..answer.compose import Answerer
from ..answer.scorer import Model
from ..answer.verify import check


def fact_form(s: str) -> str:
    """Text as gold facts are compared with it: no whitespace, one percent sign."""
    return re.sub(r"\s+", "", s).replace("％", "%")


@dataclass
class AnswerReport:
    fact_recall: float = 0.0
    citation_support: float = 0.0
    unanswerable_accuracy: float = 0.0
    answered_rate: float = 0.0
    citation_precision: float = 0.0
    chars_per_citation: float = 0.0
    refused_for_missing_word: int = 0
    max_extra_citations: int = 0
    over_two_extra: int = 0
    failures: list[str] = field(default_factory=list)
    causes: dict[str, int] = field(default_factory=dict)  # failed answerable questions per stage (``diagnose``)

    def table(self) -> str:
        return "\n".join(
            [
                f"fact recall            {self.fact_recall:.3f}",
                f"citation support       {self.citation_support:.3f}",
                f"unanswerable accuracy  {self.unanswerable_accuracy:.3f}",
                f"answered (answerable)  {self.answered_rate:.3f}",
                f"citation precision     {self.citation_precision:.3f}",
                f"chars per citation     {self.chars_per_citation:.0f}",
                f"refused: missing word  {self.refused_for_missing_word}",
                f"max extra citations    {self.max_extra_citations}",
                f"answers with >2 extra  {self.over_two_extra}",
                *([f"lost at ({', '.join(f'{k} {v}' for k, v in self.causes.items())})"] if self.causes else []),
            ]
        )


_DIVISION = re.compile(r"^第[一二三四五六七八九十百零〇\d]+[章节编]$")


def _article_path(clause_id: str) -> tuple[str, tuple[str, ...]]:
    doc, _, path = clause_id.partition(":")
    return doc, tuple(p for p in path.split("/") if p and not _DIVISION.match(p))


def clause_matches(cited: str, gold: str) -> bool:
    """Whether a cited clause is the gold clause or one of its items (chapters and sections ignored)."""
    (cd, cp), (gd, gp) = _article_path(cited), _article_path(gold)
    return cd == gd and bool(gp) and cp[: len(gp)] == gp


def evaluate(
    answerer: Answerer,
    questions: list[dict[str, Any]],
    as_of: date,
    diagnose: bool = False,
    models: dict[str, Model] | None = None,
) -> AnswerReport:
    """With ``diagnose``, each failure is labelled with the stage that lost its facts (:mod:`.diagnose`); with
    ``models`` (per question id, cross-validation: `fit.fold_models`), a question is answered with its model."""
    from .diagnose import cause

    rep = AnswerReport()
    shipped = answerer.model
    facts_total = facts_found = answered = supported = unans = unans_ok = answerable = 0
    cited_total = cited_gold = cited_chars = 0
    doc_year = {d.id: int(d.issue_date[:4]) if d.issue_date else None for d in answerer.store.documents()}
    issued = {d.id: d.issue_date for d in answerer.store.documents()}
    for q in questions:
        answerer.model = (models or {}).get(q["id"], shipped)
        a = answerer.ask(q["question"], q.get("jurisdiction"), as_of, previous=q.get("previous"))
        if not q.get("answerable", True):
            unans += 1
            unans_ok += a.status != "answered"
            if a.status == "answered":
                rep.failures.append(f"{q['id']} answered an unanswerable question: {q['question']}")
            continue
        answerable += 1
        text = fact_form(a.answer)
        facts = q.get("answer_facts", [])
        found = [f for f in facts if fact_form(f) in text]
        facts_total += len(facts)
        facts_found += len(found) if a.status != "not_found" else 0
        if a.status == "not_found" and ("没有出现" in a.answer or "do not mention" in a.answer):
            rep.refused_for_missing_word += 1
        if a.status == "not_found" or len(found) < len(facts):
            lost = sorted(set(facts) - set(found)) if a.status != "not_found" else sorted(facts)
            why = cause(answerer, q, lost, as_of) if diagnose and lost else ""
            if why:
                rep.causes[why] = rep.causes.get(why, 0) + 1
            rep.failures.append(
                f"{q['id']} [{a.status}]{f' ({why})' if why else ''} missing {sorted(set(facts) - set(found))}: "
                f"{q['question']}"
            )
        if a.status == "answered":
            answered += 1
            supported += not check(a.answer, a.citations, as_of, doc_year, issued)
            golds = q.get("gold_clauses", [])
            in_gold = [c for c in a.citations if any(clause_matches(c.clause_id, g) for g in golds)]
            cited_total += len(a.citations)
            cited_gold += len(in_gold)
            cited_chars += sum(len(c.text) for c in a.citations)
            extra = len(a.citations) - len(in_gold)
            rep.max_extra_citations = max(rep.max_extra_citations, extra)
            rep.over_two_extra += extra > 2
    answerer.model = shipped
    rep.fact_recall = facts_found / facts_total if facts_total else 1.0
    rep.citation_support = supported / answered if answered else 1.0
    rep.unanswerable_accuracy = unans_ok / unans if unans else 1.0
    rep.answered_rate = answered / answerable if answerable else 1.0
    rep.citation_precision = cited_gold / cited_total if cited_total else 1.0
    rep.chars_per_citation = cited_chars / cited_total if cited_total else 0.0
    return rep
