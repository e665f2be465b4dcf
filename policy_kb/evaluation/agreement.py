"""A second reader against the gold: how far the gold itself can be trusted as a target.

The answer and checklist targets (fact recall ≥ 0.9, checklist P ≥ 0.85 / R ≥ 0.9) are only meaningful if a second
careful reader, given the same texts and conventions but not the gold, would mostly agree with it.  Two helper
sessions wrote that second reading from the source texts alone (tests/gold/agreement/README.md):

- **answers**: the 90 train7 questions answered by quoting the regulations (`train7_second.jsonl`); scored with the
  measures `eval answers` gives the program: the gold's facts found in the second reader's quotes, unanswerable
  questions left unanswered, the cited clauses that are gold clauses and their length;
- **checklists**: two dev profiles' checklists on l44–l47 (`profiles_second.jsonl`); scored as `eval profiles`
  scores a program's checklist (its rows turned into the extracted obligations they name) and sentence by sentence.

`python -m policy_kb.evaluation.agreement` prints both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..extract.obligations import split_sentences
from .answers import _article_path, clause_matches, fact_form
from .extraction import _norm
from .profiles import _documents, _matches, load_gold, micro, score

AGREEMENT = Path(__file__).resolve().parents[2] / "tests" / "gold" / "agreement"
ANSWERS_GOLD = AGREEMENT.parent / "answers" / "train7.jsonl"
PROFILES = ["anyang_longan_coking", "zibo_zichuan_ceramics"]


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class AnswerAgreement:
    fact_recall: float
    unanswerable_accuracy: float
    answerability_agreement: float
    citation_precision: float
    chars_per_citation: float


def answers(gold_path: Path = ANSWERS_GOLD, second_path: Path = AGREEMENT / "train7_second.jsonl") -> AnswerAgreement:
    """The second reader's answers scored like the program's: a gold fact counts when it occurs in the quotes of an
    answer the reader gave (a question the reader calls unanswerable finds none)."""
    gold = {r["id"]: r for r in _rows(gold_path)}
    second = {r["id"]: r for r in _rows(second_path)}
    if set(gold) != set(second):
        raise ValueError(f"{second_path}: question ids differ from {gold_path}")
    clause_text = _clause_texts({c.split(":")[0] for r in second.values() for c in r["clauses"]})
    facts = found = cited = cited_gold = chars = 0
    for qid, g in gold.items():
        s = second[qid]
        if not g["answerable"]:
            continue
        facts += len(g["answer_facts"])
        if not s["answerable"]:
            continue
        text = fact_form("".join(s["quotes"]))
        found += sum(fact_form(f) in text for f in g["answer_facts"])
        cited += len(s["clauses"])
        cited_gold += sum(any(clause_matches(c, gc) for gc in g["gold_clauses"]) for c in s["clauses"])
        chars += sum(len(clause_text.get(_article_path(c), "")) for c in s["clauses"])
    unanswerable = [q for q in gold if not gold[q]["answerable"]]
    return AnswerAgreement(
        fact_recall=found / facts,
        unanswerable_accuracy=sum(not second[q]["answerable"] for q in unanswerable) / len(unanswerable),
        answerability_agreement=sum(gold[q]["answerable"] == second[q]["answerable"] for q in gold) / len(gold),
        citation_precision=cited_gold / cited if cited else 1.0,
        chars_per_citation=chars / cited if cited else 0.0,
    )


def _clause_texts(doc_ids: set[str]) -> dict[tuple[str, tuple[str, ...]], str]:
    """Clause texts by (document, path without chapters and sections): how the two readers' ids differ."""
    return {_article_path(c.id): c.text for doc, _ in _documents(doc_ids).values() for c in doc.clauses}


@dataclass
class ChecklistAgreement:
    precision: float  # of the second reader's checklist, scored against the gold as `eval profiles` scores
    recall: float
    status: float  # rows both list with the same status (applies / to_confirm)
    sentence_f1: float  # the same sentences (clause and sentence within it) listed by both


def checklists(second_path: Path = AGREEMENT / "profiles_second.jsonl") -> ChecklistAgreement:
    gold = load_gold("dev", only=PROFILES)
    second: dict[str, list[dict[str, Any]]] = {n: [] for n in PROFILES}
    for row in _rows(second_path):
        second[row["profile"]].append(row)
    results = []
    for name in PROFILES:
        obligations = [o for d in gold.scopes[name] for o in gold.docs[d][1]]
        predicted = {
            o.id: (o, r["status"] == "to_confirm") for r in second[name] for o in obligations if _matches(r, o)
        }
        results.append(score(name, gold.rows[name], list(predicted.values())))
    clauses = {c.id: c.text for doc, _ in gold.docs.values() for c in doc.clauses}
    keys = [{_sentence(r, clauses) for rows in side.values() for r in rows} for side in (gold.rows, second)]
    both = len(keys[0] & keys[1])
    m = micro(results)
    tp = sum(r.tp for r in results)
    return ChecklistAgreement(
        precision=m["precision"],
        recall=m["recall"],
        status=sum(r.status_ok for r in results) / tp if tp else 1.0,
        sentence_f1=2 * both / (len(keys[0]) + len(keys[1])),
    )


def _sentence(row: dict[str, Any], clauses: dict[str, str]) -> tuple[str, str, int | str]:
    """(profile, clause, index of the sentence holding the row's words): rows that quote different words of one
    sentence are the same row."""
    text = clauses.get(row["clause_id"], "")
    words = _norm(row["text_contains"])
    for i, (a, b) in enumerate(split_sentences(text, 0)):
        if words in _norm(text[a:b]):
            return row["profile"], row["clause_id"], i
    return row["profile"], row["clause_id"], words


if __name__ == "__main__":
    a = answers()
    print(
        f"answers (train7, second reader): fact recall {a.fact_recall:.3f}, "
        f"unanswerable {a.unanswerable_accuracy:.3f}, answerability agreement {a.answerability_agreement:.3f}, "
        f"citation precision {a.citation_precision:.3f} "
        f"@ {a.chars_per_citation:.0f} chars"
    )
    c = checklists()
    print(
        f"checklists ({', '.join(PROFILES)}, second reader): P {c.precision:.3f} / R {c.recall:.3f}, "
        f"status {c.status:.3f}, sentence F1 {c.sentence_f1:.3f}"
    )
