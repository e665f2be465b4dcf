"""`policy-kb ask`: a question → evidence → answer pipeline.

1. :mod:`.understand` reads the question once into a typed `Question` (with the previous one, for a follow-up);
2. hybrid search finds candidate clauses within the question's jurisdiction chain, and :mod:`.evidence` turns their
   sentences into `Evidence` with named features;
3. :mod:`.scorer` scores each sentence with weights fitted on training questions;
4. :mod:`.answerable` decides, on those scores and the intent's needs, whether the evidence answers the question
   and which sentences to quote;
5. this module composes the answer from the quoted sentences and their extracted fields (deadline and its status
   today, who is responsible), and :mod:`.verify` re-checks every date, number and department against the cited
   clauses.

Every statement is a quotation of, or a field extracted from, a clause that the answer cites; derived facts
(deadline status, day counts, a plan's period) are marked 〔…〕.  When the evidence does not answer the question the
status is ``not_found``, with the reason and the nearest clauses instead of a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from .. import places
from ..extract.lexicon import DEPT_RE
from ..ingest.metadata import EFFECTIVE_RE
from ..records import Answer, AnswerStatus, Citation, Clause, Hit, Intent, Obligation
from ..search.filters import SearchFilter
from ..search.hybrid import Searcher
from ..search.text import normalise
from .answerable import Decision, caveat, decide
from .evidence import CLAUSES, Evidence, EvidenceFinder, dated, states_time
from .naming import Title, named_document
from .scorer import Model, default_model
from .understand import Question, understand
from .verify import check

# most specific first
LEVEL_ORDER: dict[str | None, int] = {level.value: rank for level, rank in places.RANK.items()} | {
    None: len(places.RANK)
}
SEARCH_DEPTH = 30  # candidate clauses asked of hybrid search
LEVEL_DEPTH = 3  # candidate clauses of each other level of the asked place's chain


def _covers(held: set[str], place: str) -> bool:
    """Whether the knowledge base has rules for a place: a document of the place or of a place above it (national
    laws apply everywhere), or of a place inside it (a 山西省 question finds the 介休市 plan)."""
    chain = places.ancestors(place) or [place]
    return any(j in chain or place in places.ancestors(j) for j in held)


def _status(ob: Obligation, as_of: date, en: bool) -> str:
    dl = ob.deadline
    if dl is None or not dl.date:
        if dl is not None and dl.kind in ("relative", "recurring"):
            return f"〔{'no fixed date' if en else '无固定日期'}〕"
        return ""
    due = date.fromisoformat(dl.date)
    days = (due - as_of).days
    if dl.kind == "from":
        if en:
            return f"〔in force from {due.isoformat()}, {abs(days)} days {'ago' if days <= 0 else 'from now'}〕"
        return f"〔{due.isoformat()}起执行，{'已生效' if days <= 0 else '尚未生效，还有'} {abs(days)} 天〕"
    if en:
        left = f"passed {-days} days ago" if days < 0 else f"{days} days left"
        return f"〔due {due.isoformat()}: {left}〕"
    return f"〔截止 {due.isoformat()}，{'已过期 ' + str(-days) + ' 天' if days < 0 else '还剩 ' + str(days) + ' 天'}〕"


def _historical_mark(period: tuple[int, int] | None, en: bool) -> str:
    """〔历史文件：规划期2006–2010年〕 for a plan whose period is over, nothing otherwise."""
    if period is None:
        return ""
    start, end = period
    return f"〔historical document: plan period {start}–{end}〕" if en else f"〔历史文件：规划期{start}–{end}年〕"


def with_holder(text: str, o: Obligation | None, cited: str, quoted: str = "") -> str:
    """A quoted obligation sentence plus who must act when the sentence itself does not say: `市住建局：负责制定…`
    for a 工作职责 item, `（省工业和信息化厅牵头，…配合，市县政府落实）` from the item's responsibility line.  Only
    names written in a clause the answer cites (``cited``) and not quoted on another line (``quoted``) are added:
    every name stays checkable, none is said twice."""
    if o is None or any(DEPT_RE.finditer(text)):
        return text  # the sentence says who itself
    names = {n: o.department_names.get(n, n) for n in o.departments.names()}
    names = {n: w for n, w in names.items() if w in cited and w not in text and w not in quoted}
    if not names:
        return text
    roles = {r.value: [n for n in ns if n in names] for r, ns in o.departments.items()}
    if (
        roles["responsible"]
        and not any(roles[r] for r in ("lead", "cooperate", "implement"))
        and len(roles["responsible"]) == 1
    ):
        return f"{names[roles['responsible'][0]]}：{text}"
    words = {"lead": "牵头", "cooperate": "配合", "implement": "落实", "responsible": "负责"}
    parts = ["、".join(names[n] for n in roles[r]) + words[r] for r in words if roles.get(r)]
    return f"{text}（{'，'.join(parts)}）"


@dataclass
class Quote:
    """One line of the answer: words quoted from one clause, with the obligation they state (if extracted)."""

    clause: Clause
    text: str
    obligation: Obligation | None = None


def closest_first(closest: list[Evidence], hits: list[Hit]) -> list[Hit]:
    """A refusal's nearest clauses: first the clauses of the sentences that came closest (a span of time for a
    when-question), each quoting that sentence, then the other search hits."""
    sentence: dict[str, str] = {}
    for e in closest:
        sentence.setdefault(e.clause.id, e.text)
    order = {clause_id: i for i, clause_id in enumerate(sentence)}
    first = sorted((h for h in hits if h.clause_id in sentence), key=lambda h: order[h.clause_id])
    return [replace(h, snippet=sentence[h.clause_id]) for h in first] + [h for h in hits if h.clause_id not in sentence]


def quotes(chosen: list[Evidence]) -> list[Quote]:
    """Chosen sentences as answer lines: clauses in the order they were chosen, sentences in the order the clause
    states them; neighbouring sentences of a clause that state no dated obligation share a line, and a bracketed
    responsibility line joins the sentence it follows.  Who must act is added once per line, and not again when
    an earlier line already said it."""
    first: dict[str, int] = {}
    for e in chosen:
        first.setdefault(e.clause.id, len(first))
    cited = "".join({e.clause.id: e.clause.text for e in chosen}.values())
    quoted = "".join(e.text for e in chosen)
    out: list[Quote] = []
    holders: list[list[Obligation]] = []  # per line, the obligations its sentences state
    for e in sorted(chosen, key=lambda e: (first[e.clause.id], e.start)):
        last = out[-1] if out else None
        if (
            last is not None
            and last.clause.id == e.clause.id
            and (
                re.fullmatch(r"[（(].*[）)][。；;]?", e.text)  # `（市生态环境局牵头，…）` ends the sentence before
                or (not dated(e.obligation) and not dated(last.obligation))
            )
        ):
            last.text += e.text
            last.obligation = last.obligation or e.obligation
            holders[-1] += [e.obligation] if e.obligation else []
            continue
        out.append(Quote(e.clause, e.text, e.obligation))
        holders.append([e.obligation] if e.obligation else [])
    said: set[str] = set()
    for line, obligations in zip(out, holders):
        ob = next((o for o in obligations if o.departments.names()), None)
        held = with_holder(line.text, ob, cited, quoted)
        added = held.replace(line.text, "")
        if added and added not in said:
            line.text = held
            said.add(added)
    return out


class Answerer:
    def __init__(
        self,
        index_dir: Path | str,
        embedder_name: str | None = None,
        searcher: Searcher | None = None,
        model: Model | None = None,
    ):
        self.searcher = searcher or Searcher(index_dir, embedder_name)
        self.store = self.searcher.store
        self.finder = EvidenceFinder(self.store)
        self.model = model or default_model()

    @staticmethod
    def _level(place: str | None) -> str | None:
        found = places.lookup(place) if place else None
        return found.level if found else None

    # ---- composition ------------------------------------------------------------------------------------------
    def _render(self, q: Question, items: list[Quote], as_of: date) -> tuple[str, list[Citation]]:
        en = q.language == "en"
        docs = {d.id: d for d in self.store.documents()}
        citations: dict[str, Citation] = {}

        def cite(clause: Clause) -> int:
            if clause.id not in citations:
                d = docs[clause.doc_id]
                citations[clause.id] = Citation(
                    n=len(citations) + 1,
                    clause_id=clause.id,
                    doc_id=d.id,
                    doc_title=d.title,
                    doc_number=d.doc_number,
                    jurisdiction=d.jurisdiction,
                    path=clause.path,
                    text=clause.text,
                )
            return citations[clause.id].n

        groups: dict[str | None, list[Quote]] = {}
        for item in items:
            groups.setdefault(docs[item.clause.doc_id].jurisdiction, []).append(item)
        order = sorted(groups, key=lambda j: (LEVEL_ORDER[self._level(j)], j or ""))
        lines: list[str] = []
        dated_places = {docs[i.clause.doc_id].jurisdiction for i in items if dated(i.obligation)}
        dates = {
            i.obligation.deadline.date for i in items if i.obligation and i.obligation.deadline and dated(i.obligation)
        }
        quoted = {i.clause.id for i in items}
        if len(dated_places) > 1 and q.intent == "deadline" and len(dates) > 1:
            lines.append(
                "Rules differ by place; the most specific one that covers you applies, together with the "
                "higher-level rules:"
                if en
                else "各地规定不同：请按所在地区的规定执行，同时遵守上级规定。"
            )
        if q.jurisdiction and not any(d.jurisdiction == q.jurisdiction for d in docs.values()) and groups:
            lines.append(
                f"The knowledge base has no documents issued for {q.jurisdiction} itself; these "
                f"higher-level rules apply to it:"
                if en
                else f"知识库中没有{q.jurisdiction}本级文件，以下上级规定适用："
            )
        for j in order:
            via = ""
            if q.jurisdiction and j != q.jurisdiction and j in places.ancestors(q.jurisdiction):
                via = " (higher-level rule, also applies)" if en else "（上级规定，同样适用）"
            if lines:
                lines.append("")  # a blank line keeps the heading out of the previous list in markdown
            lines.append(f"**{j or ('unknown place' if en else '地区未注明')}**{via}")
            for item in groups[j]:
                n = cite(item.clause)
                # a deadline or responsibility line inherited from a heading: that clause is cited on the line too
                source = item.obligation.inherited_from if item.obligation else None
                extra = (
                    f"[{cite(next(i.clause for i in items if i.clause.id == source))}]"
                    if source in quoted and source != item.clause.id
                    else ""
                )
                doc = docs[item.clause.doc_id]
                where = f"{doc.doc_number or doc.title or ''} {''.join(item.clause.path)}".strip()
                status = _status(item.obligation, as_of, en) if item.obligation else ""
                status += _historical_mark(self.finder.past_period(doc, as_of), en)
                deadline_asked = q.intent == "deadline" and item.obligation is not None and not status
                if deadline_asked and not dated(item.obligation) and not states_time(item.text):
                    status = "〔no specific deadline stated〕" if en else "〔未规定具体期限〕"
                if en:
                    lines.append(f"- {where}: “{item.text}” [{n}]{extra} {status}".rstrip())
                else:
                    lines.append(f"- {item.text} [{n}]{extra}{status}（{where}）")
        return "\n".join(lines), list(citations.values())

    def _not_found(self, q: Question, reason: str, nearest: list[Hit], as_of: date) -> Answer:
        en = q.language == "en"
        lines = [reason]
        citations: list[Citation] = []
        if nearest:
            lines.append(
                "Closest clauses (not confirmed to answer the question; check them):"
                if en
                else "最接近的条款（未能确认能回答该问题，请核对原文）："
            )
            for h in nearest[:3]:
                clause = self.store.clause(h.clause_id)
                if clause is None:
                    continue
                n = len(citations) + 1
                citations.append(
                    Citation(
                        n=n,
                        clause_id=clause.id,
                        doc_id=h.doc_id,
                        doc_title=h.doc_title,
                        doc_number=h.doc_number,
                        jurisdiction=h.jurisdiction,
                        path=clause.path,
                        text=clause.text,
                    )
                )
                excerpt = h.snippet.replace("【", "").replace("】", "")
                lines.append(f"- {h.doc_number or h.doc_title or ''} {''.join(h.path)}：{excerpt} [{n}]")
        return Answer(
            question=q.text,
            language=q.language,
            intent=q.intent,
            jurisdiction=q.jurisdiction,
            status=AnswerStatus.NOT_FOUND,
            answer="\n".join(lines),
            citations=citations,
            obligations=[],
            as_of=as_of.isoformat(),
        )

    @staticmethod
    def _resolve_number(raw: str, docs: list) -> str:
        """Match an extracted 文号 to one the corpus knows: `请问晋政办发〔2019〕66号` → 晋政办发〔2019〕66号,
        `jin zheng ban fa〔2022〕51号` → 晋政办发〔2022〕51号 (by pinyin)."""
        from pypinyin import lazy_pinyin

        known = {d.doc_number for d in docs if d.doc_number} | {
            c.doc_number for d in docs for c in d.cites if c.doc_number
        }
        if raw in known:
            return raw
        tail = raw[raw.index("〔") :] if "〔" in raw else raw
        prefix = raw[: len(raw) - len(tail)]
        for number in sorted(known, key=len, reverse=True):
            if not number.endswith(tail):
                continue
            own = number[: len(number) - len(tail)]
            if own and (prefix.endswith(own) or re.sub(r"\s+", "", prefix).endswith("".join(lazy_pinyin(own)))):
                return number
        return tail if re.search(r"[a-z]", prefix) else (prefix[-6:] + tail)

    def _document_overview(self, q: Question, doc_id: str, as_of: date) -> Answer:
        """A question that is only a 文号: the document's title and its opening clauses."""
        doc = self.store.find_document(doc_id)
        assert doc is not None
        body = [c for c in doc.clauses if c.kind == "body"][:2]
        return self._quoting(q, [c for c in doc.clauses if c.kind == "title"][:1] + body, Intent.GENERAL, as_of)

    def _quoting(self, q: Question, clauses: list[Clause], intent: Intent, as_of: date) -> Answer:
        """An answer that quotes whole clauses a lookup found (no evidence to choose from)."""
        text, citations = self._render(q, [Quote(c, " ".join(c.text.split("\n"))) for c in clauses], as_of)
        return Answer(
            question=q.text,
            language=q.language,
            intent=intent,
            jurisdiction=q.jurisdiction,
            status=AnswerStatus.ANSWERED,
            answer=text,
            citations=citations,
            obligations=[],
            as_of=as_of.isoformat(),
        )

    def _scope(self, q: Question, jurisdiction: str | None, doc: str | None) -> SearchFilter:
        """The rules that apply: a city/county the question names, or else the place the user chose, narrows the
        search to that place and the places above it; naming a province (`山西…`, `in Shanxi`) means the whole
        province, every level."""
        chosen = jurisdiction and not q.overridden_place
        scope = q.jurisdiction if chosen or self._level(q.jurisdiction) not in ("province", "national") else None
        place = places.lookup(scope) if scope else None
        try:
            return SearchFilter(jurisdiction=place.name if place else None, doc=doc)
        except ValueError:
            return SearchFilter(doc=doc)

    def _by_number(self, q: Question, as_of: date) -> tuple[str | None, Answer | None]:
        """A question naming a 文号: the document it means (to search in), an overview when the question is nothing
        but the 文号, or why it cannot be quoted (cited by a document in the knowledge base but not included)."""
        docs = self.store.documents()
        en = q.language == "en"
        for number in (self._resolve_number(n, docs) for n in q.doc_numbers):
            match = next((d for d in docs if d.doc_number == number), None)
            if match:
                if not re.sub(r"[\W\d_]", "", normalise(q.text).replace(normalise(number), "")):
                    return match.id, self._document_overview(q, match.id, as_of)
                return match.id, None
            citing = [(d, c) for d in docs for c in d.cites if c.doc_number == number]
            if citing:
                title = citing[0][1].title
                names = "、".join(sorted({d.title or d.id for d, _ in citing}))
                reason = (
                    f"《{title}》({number}) is cited by {names}, but that document is not included in the "
                    f"knowledge base, so its content cannot be quoted."
                    if en
                    else f"《{title}》（{number}）被{names}引用，但该文件未收录在知识库中，无法引用其内容。"
                )
            else:
                reason = (
                    f"No document numbered {number} is in the knowledge base or cited by it."
                    if en
                    else f"知识库中没有文号为{number}的文件，也没有文件引用它。"
                )
            return None, self._not_found(
                q, reason, self.searcher.search(number, mode="keyword", k=3, corrected=True), as_of
            )
        return None, None

    def evidence(self, q: Question, flt: SearchFilter, as_of: date) -> tuple[list[Evidence], list[Hit], list[str]]:
        """Scored evidence (best first), the search hits it came from, and the question's words no clause in scope
        contains (an input of the answerability model and a caveat in an answer, never a refusal's reason)."""
        query = q.search_text or q.text
        if flt.jurisdiction:  # the filter already scopes by place; the place name would only favour local clauses
            for p in places.ancestors(flt.jurisdiction):
                query = query.replace(p, "").replace(places.short_name(p), "")
        query = query.strip() or q.text
        extra = " ".join(q.keyword_terms)
        hits = self.searcher.search(query, k=SEARCH_DEPTH, flt=flt, corrected=True, keyword_extra=extra)
        more = self._other_levels(f"{query} {extra}".strip(), flt, hits)
        allowed = flt.allowed(self.store)
        found = self.finder.gather(
            q, hits, more, allowed, as_of, lambda clauses: self.searcher.chunk_cosines(query, clauses)
        )
        ranked = self.model.score(found)
        return ranked, hits, self.finder.missing(q, allowed)

    def read(self, question: str, jurisdiction: str | None, previous: str | None) -> tuple[Question, dict[str, str]]:
        """The question (and the one before it in the conversation) with typos fixed, read once; the fixes made."""
        corrected, fixes = self.searcher.correct(question.strip()[:500])
        before = understand(self.searcher.correct(previous.strip()[:500])[0], jurisdiction) if previous else None
        q = understand(corrected, jurisdiction, before)
        for part in (q, *q.parts):
            self._add_english_terms(part)
        return q, fixes

    def _add_english_terms(self, q: Question) -> None:
        """The Chinese terms this knowledge base uses for an English question's words that the glossary lacks
        (`maternity leave` → 产假; search.bilingual), for its keyword route."""
        if q.language == "en":
            q.keyword_terms = self.searcher.english_terms.terms(normalise(q.search_text or q.text))

    def lookup(self, q: Question, as_of: date) -> tuple[str | None, Answer | None]:
        """What lookups settle before any search: the document a 文号 names (searched in), and the answer when a
        lookup is the answer — a place the knowledge base has no rules for, a 文号 it does not hold, a question
        that is nothing but a 文号 (the document's overview)."""
        held = {d.jurisdiction for d in self.store.documents() if d.jurisdiction}
        if not q.place_known or (q.jurisdiction and not _covers(held, q.jurisdiction)):
            covered = "、".join(sorted(held))
            return None, self._not_found(
                q,
                (
                    f"The knowledge base has no documents for {q.jurisdiction}; it covers {covered}."
                    if q.language == "en"
                    else f"知识库中没有{q.jurisdiction}的政策文件（现有文件覆盖：{covered}）。"
                ),
                [],
                as_of,
            )
        doc, answer = self._by_number(q, as_of)
        if answer is not None:
            return doc, answer
        q.named_document = doc or named_document(q, self._titles())
        if q.asks_effective and not q.parts and q.named_document:
            effective = self._effective_answer(q, q.named_document, as_of)
            if effective is not None:
                return q.named_document, effective
        return doc, None

    def _titles(self) -> list[Title]:
        """Every document's title as naming compares it, once per knowledge-base version."""
        return self.store.cached(("naming-titles",), lambda: [Title.of(d) for d in self.store.documents()])

    def _effective_answer(self, q: Question, doc_id: str, as_of: date) -> Answer | None:
        """`…条例什么时候施行？` about a document the question names: its 施行 article (`本条例自…起施行`), quoted;
        None when it has none, and the question is answered from the evidence like any other."""
        doc = self.store.find_document(doc_id)
        article = next((c for c in reversed(doc.clauses) if EFFECTIVE_RE.search(c.text)), None) if doc else None
        return self._quoting(q, [article], q.intent, as_of) if article else None

    def _other_levels(self, query: str, flt: SearchFilter, hits: list[Hit]) -> list[Hit]:
        """Rules of every level that applies to the asked place: when the best clauses all come from one level (the
        county's own plan), the best few of each other level (city, province, national) are candidates too — a
        keyword search per level, cheap next to the hybrid one."""
        if not flt.jurisdiction:
            return []
        top = hits[:CLAUSES]
        have = {h.clause_id for h in top}
        levels = {self._level(h.jurisdiction) for h in top}
        out: list[Hit] = []
        for place in flt.applies():
            level = self._level(place)
            if level in levels:
                continue
            more = self.searcher.search(
                query,
                mode="keyword",
                k=LEVEL_DEPTH,
                corrected=True,
                flt=SearchFilter(jurisdiction=flt.jurisdiction, level=level, doc=flt.doc),
            )
            out += [h for h in more if h.clause_id not in have]
        return out

    def decide(self, q: Question, jurisdiction: str | None, doc: str | None, as_of: date) -> tuple[Decision, list[Hit]]:
        """What to quote (or why nothing), and the search hits (the nearest clauses of a refusal).  A question of
        several parts (`…罚多少？由谁罚？`) is answered part by part, each with its own evidence and intent, when
        any part is answerable: asked whole, each part's words dilute the other's and no sentence covers both."""
        chosen: list[Evidence] = []
        missing: list[str] = []
        for part in q.parts:
            part.named_document = q.named_document  # the parts of a question name what it names
            found, _, words = self.evidence(part, self._scope(part, jurisdiction, doc), as_of)
            d = decide(part, found, self.model.answerable(part, found), self.model.thresholds, words)
            have = {(e.clause.id, e.start) for e in chosen}
            chosen += [e for e in d.chosen if (e.clause.id, e.start) not in have]
            missing += [m for m in d.missing if m not in missing]
        if chosen:
            return Decision(chosen=chosen, missing=missing), []
        ranked, hits, missing = self.evidence(q, self._scope(q, jurisdiction, doc), as_of)
        return decide(q, ranked, self.model.answerable(q, ranked), self.model.thresholds, missing), hits

    def ask(
        self, question: str, jurisdiction: str | None = None, as_of: date | None = None, previous: str | None = None
    ) -> Answer:
        """Answer one question; ``previous`` is the conversation's previous question, so that a follow-up
        (`那忻州呢？`, `罚多少？`) is read with it."""
        as_of = as_of or date.today()
        question = question.strip()[:500]
        q, fixes = self.read(question, jurisdiction, previous)
        en = q.language == "en"
        doc, done = self.lookup(q, as_of)
        if done is not None:
            return done
        if q.out_of_scope:  # the weather today, a share price (policy_kb/data/out_of_scope.tsv): no policy states it
            # (the scorer is fitted with such questions among its negatives, so this check runs after the lookups)
            hits = self.searcher.search(q.text, k=3, corrected=True)
            return self._not_found(
                q,
                (
                    f"Policy documents do not state {q.out_of_scope}; this is outside what the "
                    f"knowledge base can answer."
                    if en
                    else f"政策文件不包含{q.out_of_scope}，这个问题超出了知识库能回答的范围。"
                ),
                hits,
                as_of,
            )
        decision, hits = self.decide(q, jurisdiction, doc, as_of)
        if decision.reason and doc:  # a document the user named by its 文号: its overview, not a refusal
            return self._document_overview(q, doc, as_of)
        if decision.reason:
            reason = (decision.reason_en if en else decision.reason) or ""
            return self._not_found(q, reason, closest_first(decision.closest, hits), as_of)
        chosen = decision.chosen + self.finder.items(decision.chosen, every=q.intent == "list")
        chosen += self.finder.sources(chosen)
        text, citations = self._render(q, quotes(chosen), as_of)
        if decision.missing:  # answered without some of the question's words: the answer says so first
            text = caveat(decision.missing, en) + "\n" + text
        if q.overridden_place:  # say which place the answer is for when it is not the one the user selected
            text = (
                f"〔Answered for {q.jurisdiction}, the place in the question, not the selected {q.overridden_place}〕\n"
                if en
                else f"〔按问题中的地点{q.jurisdiction}回答，而不是所选地区{q.overridden_place}〕\n"
            ) + text
        if fixes:
            note = "、".join(f"“{a}”→“{b}”" for a, b in fixes.items())
            text = (f"(Read {note})\n" if en else f"（已按{note}理解）\n") + text
        docs = self.store.documents()
        doc_year = {d.id: int(d.issue_date[:4]) if d.issue_date else None for d in docs}
        problems = check(text, citations, as_of, doc_year, {d.id: d.issue_date for d in docs})
        status = AnswerStatus.PARTIAL if problems else AnswerStatus.ANSWERED
        return Answer(
            question=question,
            language=q.language,
            intent=q.intent,
            jurisdiction=q.jurisdiction,
            status=status,
            answer=text,
            citations=citations,
            obligations=[e.obligation.id for e in chosen if e.obligation],
            as_of=as_of.isoformat(),
            warnings=problems,
        )
