"""Evidence: the sentences that might answer a question, each described by named features.

Candidates come from hybrid search within the question's jurisdiction chain (the place, the places above it up to
national laws; the whole knowledge base when no place is asked).  Every sentence of the best clauses becomes one
`Evidence` whose `Features` say how well it matches the question and whether it holds the kind of fact the intent
needs.  How much each feature counts is not decided here: :mod:`.scorer` combines them with weights fitted on
training questions (`policy-kb eval answers --fit`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date

from .. import places
from ..extract.lexicon import DEPT_RE
from ..extract.obligations import split_sentences
from ..records import Clause, Document, Hit, Obligation
from ..search.text import STOPWORDS, SYNONYMS, glossary_groups, index_tokens, normalise, query_terms
from ..store import Store
from .understand import Question

CLAUSES = 12  # best clauses whose sentences become candidates (gold clause in the top 12 for ~0.95 of questions)
DATE_RE = re.compile(
    r"\d+\s*(?:年|个月|日|天|小时|个工作日)(?:以上|以内|内)|\d{4}年(?:\d{1,2}月)?"
    r"|\d{1,2}月(?:\d{1,2}日|底|末|中旬|上旬|下旬)|[日天年月]内|个工作日|之日起|以前|(?<!提)前完成"
    r"|每(?:半|[一二两三四五六七八九十\d]+个?)?[年月周日天季]"  # how often: 每日, 每季度, 每半年, 每两年
    r"|按[年月季周](?:计算|申报|缴纳|报送|报告)"  # a schedule: `按月计算，按季申报缴纳` answers how often
)
# a span of time a law sets instead of a date: `届满前一个月`, `提前七日`, `不得少于2年`, `有效期为5年`, `三十日以内`,
# `立即`.  It does not pass answerable.py's deadline check (letting it pass was tried in session 14 and not kept,
# docs/quality.md); it only keeps a refusal, or an answer line's mark, from claiming the documents set no time.
_NUMBER = r"(?:\d+|[一二两三四五六七八九十百]+)"
_UNIT = r"(?:分钟|小时|个?工作日|日|天|周|个?星期|个?月|季度|年)"
SPAN_RE = re.compile(
    rf"(?:届满前|期满前|提前|不得?少于|不超过|有效期(?:为)?|期限(?:为)?|保存)\s*{_NUMBER}\s*{_UNIT}"
    rf"|{_NUMBER}\s*{_UNIT}(?:以内|之内|内)|立即"
)
AMOUNT_RE = re.compile(
    r"[\d一二三四五六七八九十百千万亿]+(?:\.\d+)?\s*(?:万|亿)?元|百分之[一二三四五六七八九十百]+"
    # a multiple is an amount when it is a fine's (`处所收费用1倍以上3倍以下的罚款`), not `超过排放标准2倍以上的`
    r"|倍以上[^。；，,]{0,12}?(?:罚款|元)"
)
_NUMBER_UNIT_RE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:%|％|米|吨|万吨|毫克|公里|千米|蒸吨|小时|日|天|年|个月|人|家|座|台|倍|mg)"
    r"|百分之[一二三四五六七八九十]+|[一二三四五六七八九十百]+(?:日|年|个月|小时|人|公里)"
)
_PENALTY_RE = re.compile(r"罚款|处罚|拘留|责令|吊销|没收|停产整治|停业|关闭|追究")
_LIST_RE = re.compile(r"[、；;]|（[一二三四五六七八九十]+）|\d+[.．、]|以下")
_DEFINE_RE = re.compile(r"是指|即|指的是|包括|称为")
_CAUSE_RE = re.compile(r"因为|由于|为了|之所以|关键|制约|原因|因此|所以|旨在|目的是|鉴于")
_RULE_RE = re.compile(r"应当|应该|必须|不得|禁止|严禁|可以|要求|须")
_PERIOD_RE = re.compile(r"[（(]?((?:19|20)\d{2})\s*[—–\-~～至到]\s*((?:19|20)\d{2})年?[）)]?")


@dataclass
class Features:
    """How one sentence relates to the question; every value is in [0, 1] (`dense` is a cosine).  The fitted
    weights are stored by these names, in this order (:mod:`.scorer`)."""

    search: float  # the clause's hybrid score relative to the best clause
    rank: float  # 1 / (1 + the clause's rank among the clauses of its own place: every level's best is 1)
    dense: float  # the clause's dense-route cosine relative to the best clause's (0 when the route did not return
    # it): relative, so that the weights hold for another embedding model (tests use a hashing one)
    keyword: float  # the clause's BM25 score relative to the best one
    cover: float  # share of the question's content words in the sentence, rare words weigh more
    bigrams: float  # share of the question's character pairs in the sentence (colloquial words, partial matches)
    clause_cover: float  # the same over the whole clause and its heading
    topic: float  # share of the question's topics named in the sentence
    intent_fit: float  # the sentence holds what the intent asks for (a date, an amount, a department, a number…)
    place_doc: float  # 1: a document of the asked place; 0.5: of a place above it; 0: no place asked
    place_named: float  # the sentence names the asked place (`忻州市压减24万吨` in a provincial plan)
    place_other: float  # the sentence names places outside the asked place's chain, and not the asked place
    obligation: float  # an extracted duty, prohibition or target
    historical: float  # from a plan whose period ended before today
    missing: float  # share of the question's content words that no clause in scope contains (same for a question)
    length: float  # sentence length / 200, at most 1
    context: float  # a sentence of the clause around the one search found (an item's article: its penalty, its lead)
    title: float  # the document's title block: it names the topic of every question about the document
    heading: float  # the sentence is the clause's heading: a bare title (`（一）进一步夯实各项基础工作。`) or, in an
    # item that opens with its point, the rule itself (`1.新建焦炉炭化室高度不低于6米，…`, `发生特别重大事故的，处…`)
    chunk: float  # cosine of the dense-index chunk that holds the sentence, relative to the best candidate chunk's:
    # which part of a long clause the question is about (`dense` is the clause's best chunk, the same for every
    # sentence of it).  The clause's own `dense` where the index cannot give chunks (an IVF index)
    chunk_rank: float  # 1 / (1 + the rank of that chunk's cosine among the candidates' distinct chunk cosines)

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def vector(self) -> tuple[float, ...]:
        return tuple(self.__dict__.values())  # field order (dataclasses.astuple deep-copies: 10x slower)


@dataclass
class Evidence:
    """One candidate sentence: where it is, the obligation it states (if extracted), and its features."""

    clause: Clause
    text: str
    start: int  # offset of the sentence in the clause text
    clause_rank: int
    jurisdiction: str | None  # of the clause's document
    obligation: Obligation | None
    features: Features
    score: float = 0.0  # probability that the sentence answers the question (:mod:`.scorer`)
    document: str = ""  # its document's title, 文号 and issue date: what a clause of it is about besides its text
    # (`2019年…要淘汰多少` asks of 晋政办发〔2019〕66号, whose clauses never write 2019)


_CJK_STOPWORDS = sorted((w for w in STOPWORDS if len(w) > 1 and not w.isascii()), key=len, reverse=True)
_FIVE_YEAR_RE = re.compile(r"十([一二三四五六七八九]?)五")
_CN_DIGIT = "一二三四五六七八九"


def plan_period(doc: Document) -> tuple[int, int] | None:
    """The years a plan covers: from its title (`…规划（2006—2010年）`), else, for a 规划, the five-year plan it
    names (`“十一五”` → 2006–2010: the Nth plan starts in 1966 + 5·(N−3), from the third plan on)."""
    m = _PERIOD_RE.search(doc.title or "")
    if m:
        return int(m.group(1)), int(m.group(2))
    if "规划" not in (doc.title or ""):
        return None
    m = _FIVE_YEAR_RE.search((doc.title or "") + doc.text[:5000])
    if not m:
        return None
    n = 10 + (_CN_DIGIT.index(m.group(1)) + 1 if m.group(1) else 0)
    return 1966 + 5 * (n - 3), 1966 + 5 * (n - 3) + 4


def document_label(doc: Document) -> str:
    """What a document's clauses are about besides their own words: its title, 文号 and issue date."""
    return normalise(f"{doc.title or ''} {doc.doc_number or ''} {doc.issue_date or ''}")


def states_time(text: str) -> bool:
    """Whether a sentence states when, in any form: a date, a time limit, a frequency or a span (`自季度终了之日起
    十五日内`, `每3年`, `届满前一个月`).  An answer line that does is never marked 〔未规定具体期限〕, although its
    obligation has no calendar date."""
    return bool(DATE_RE.search(text) or SPAN_RE.search(text))


def dated(ob: Obligation | None) -> bool:
    """Whether an obligation has a deadline with a calendar date."""
    return bool(ob and ob.deadline and ob.deadline.date)


def intent_fit(q: Question, sentence: str, ob: Obligation | None) -> float:
    """Whether a sentence holds the kind of fact the question asks for.  A value the question names itself is not
    what it asks for (`4.3米焦炉…多大产能`: the capacities are the answer, not 4.3米)."""
    for value in q.specifics:
        sentence = sentence.replace(normalise(value), "")
    if q.asks_why:
        return float(bool(_CAUSE_RE.search(sentence)))
    if q.role:  # `组长是谁`: the `组长：…` line
        return float(sentence.startswith((f"{q.role}：", f"{q.role}:")))
    if q.asks_basis:  # `依据哪些文件`: the sentence that cites them
        return float("《" in sentence)
    if q.wants_money or q.intent == "compensation":
        return float(bool(AMOUNT_RE.search(sentence)) or bool(ob and any("元" in t.unit for t in ob.thresholds)))
    if q.wants_penalty:
        return float(bool(_PENALTY_RE.search(sentence)) or bool(ob and ob.penalties))
    if q.intent == "deadline":
        return float(dated(ob) or bool(DATE_RE.search(sentence)))
    if q.intent == "department":
        return float(
            bool(ob and ob.departments.names())
            or bool(DEPT_RE.search(sentence))
            or "部门" in sentence
            or "负责" in sentence
        )
    if q.intent == "threshold":
        return float(bool(_NUMBER_UNIT_RE.search(sentence)))
    if q.intent == "list":
        return float(bool(_LIST_RE.search(sentence)))
    if q.intent == "definition":
        return float(bool(_DEFINE_RE.search(sentence)))
    # anything else (`还能新建吗`, `怎么处理`, `要不要找有资质的单位`) is answered by a rule: what must, may or must
    # not be done
    return float(ob is not None or bool(_RULE_RE.search(sentence)))


ChunkCosines = Callable[[list[Clause]], dict[str, list[tuple[int, float]]]]


def _chunk_cosine(located: list[tuple[int, float]] | None, start: int, hit: Hit) -> float:
    """The cosine of the chunk holding the sentence at `start` (the last chunk that begins at or before it); the
    clause's best-chunk cosine from search when its chunks are not known."""
    if not located:
        return max(hit.scores.get("semantic") or 0.0, 0.0)
    return max(next((c for at, c in reversed(located) if at <= start), located[0][1]), 0.0)


def _relative_chunks(evidence: list[Evidence], cosines: list[float]) -> None:
    """Sets `chunk` (relative to the best) and `chunk_rank` (among distinct cosines: the sentences of one chunk
    share a rank) on every piece of evidence."""
    best = max(cosines, default=0.0)
    distinct = sorted(set(cosines), reverse=True)
    rank = {c: i for i, c in enumerate(distinct)}
    for e, c in zip(evidence, cosines):
        e.features.chunk = c / best if best > 0 else 0.0
        e.features.chunk_rank = 1 / (1 + rank[c])


class EvidenceFinder:
    """Collects and describes candidate sentences.  One per knowledge base: it caches word rarity (IDF)."""

    def __init__(self, store: Store):
        self.store = store
        self._idf: dict[str, float] = {}

    def weight(self, word: str) -> float:
        """1.0 for a word in few clauses, down to 0.3 for one in most of them: rare words say more about what is
        asked than common ones (产能, 焦炉 are everywhere).  0 for a word no clause has: it cannot be matched, and
        a colloquial question (`厂里`, `要是`) must not look worse covered for it (`missing` says it instead)."""
        if word not in self._idf:
            count = self.store.term_clause_count(word)
            share = count / (self.store.clause_count() or 1)
            self._idf[word] = max(0.3, min(1.0, 1.2 - share * 3)) if count else 0.0
        return self._idf[word]

    def past_period(self, doc: Document, as_of: date) -> tuple[int, int] | None:
        """The period of a plan that ended before ``as_of`` (None for anything in force).  The periods of all
        documents are read once (only a 规划's text is opened) and kept until the knowledge base changes."""
        periods = self.store.cached("plan_periods", lambda: {d.id: plan_period(d) for d in self.store.documents()})
        period = periods.get(doc.id)
        return period if period is not None and period[1] < as_of.year else None

    def concepts(self, q: Question) -> list[tuple[str, ...]]:
        """What the question is about, as groups of interchangeable words: each content word (2+ characters, not a
        stop word, not a place name: places scope the search, they are not the topic) with the document terms the
        synonym list gives for it (`补贴` → 补偿, 补助); an English question's glossary terms.  A word inside a longer
        one counts only when the longer one is not in the index vocabulary (`4.3米焦炉` is indexed as 焦炉 …)."""
        text = normalise(q.search_text or q.text)
        named = [n for p in q.places for n in (p, places.short_name(p))]
        # an English question's glossary terms: the first of each group is the word, the rest its alternatives
        alternatives = {group[0]: group[1:] for group in glossary_groups(text)}  # `closed`: 关闭 or 关停
        words = [
            w
            for w in index_tokens(text).split() + list(alternatives)
            if (len(w) >= 2 or w in SYNONYMS)
            and w not in STOPWORDS
            and not any(w in n for n in named)
            and not places.lookup(w)
            and not re.fullmatch(r"[a-z]+|\d+", w)
        ]
        words = list(dict.fromkeys(words))
        words = [w for w in words if not any(w != o and w in o and self.weight(o) for o in words)]
        phrases = [w for w in SYNONYMS if len(w) > 2 and w in text]
        return [tuple([w, *SYNONYMS.get(w, []), *alternatives.get(w, ())]) for w in words] + [
            tuple([p] + SYNONYMS[p]) for p in phrases
        ]

    def _cover(self, text: str, concepts: list[tuple[str, ...]]) -> float:
        """Share of the question's concepts the text names (any word of a group), rare words weighing more."""
        weights = [max(self.weight(w) for w in group) for group in concepts]
        total = sum(weights)
        found = sum(wt for wt, group in zip(weights, concepts) if any(w in text for w in group))
        return found / total if total else 0.0

    @staticmethod
    def bigrams(q: Question) -> set[str]:
        """Character pairs of the question's content: stop words and place names removed first."""
        text = normalise(q.search_text or q.text)
        if q.language == "en":  # the glossary's Chinese terms are what an English question can share with a clause
            text = " ".join(w for w in query_terms(text) if not w.isascii())
        for p in q.places:
            text = text.replace(p, " ").replace(places.short_name(p), " ")
        for w in _CJK_STOPWORDS:
            text = text.replace(w, " ")
        runs = re.findall(r"[\u4e00-\u9fff\d.%]{2,}", text)
        return {r[i : i + 2] for r in runs for i in range(len(r) - 1)}

    def _absent(self, word: str, allowed: set[int] | None) -> bool:
        if allowed is None and self.store.is_indexed_term(word):
            return False  # a token of the keyword index: some clause holds it (the scan below is the slow path)
        rows = self.store.containing(word, limit=1 if allowed is None else 5000)
        return not (len(rows) == 5000 or any(allowed is None or r in allowed for r in rows))

    def missing(self, q: Question, allowed: set[int] | None) -> list[str]:
        """The question's nouns that no clause in scope contains, nor any two-character part of them (`焦化厂` is
        covered by 焦化), nor a word the synonym list gives for them (`工人` by 职工)."""
        return [
            n
            for n in q.nouns
            if self._absent(n, allowed)
            and all(self._absent(n[i : i + 2], allowed) for i in range(len(n) - 1))
            and all(self._absent(s, allowed) for s in SYNONYMS.get(n, []))
        ]

    def gather(
        self,
        q: Question,
        hits: list[Hit],
        more: list[Hit],
        allowed: set[int] | None,
        as_of: date,
        chunk_cosines: ChunkCosines | None = None,
    ) -> list[Evidence]:
        """Every sentence of the best clauses (and of their articles) as evidence.  `chunk_cosines` gives, per
        clause, the question's cosine with each of its dense-index chunks (`search.hybrid.Searcher.chunk_cosines`)."""
        words = self.concepts(q)
        missing = len(self.missing(q, allowed)) / len(q.nouns) if q.nouns else 0.0
        # a topic with a size is matched by its size (`4.3米焦炉` by `炭化室高度4.3米及以下…焦炉`)
        topics = [normalise(m.group(0) if (m := re.search(r"\d+(?:\.\d+)?米", t)) else t) for t in q.topics]
        chain = set(places.ancestors(q.jurisdiction)) if q.jurisdiction else set()
        docs = {d.id: d for d in self.store.documents()}
        labels = self.store.cached(("doc-labels",), lambda: {i: document_label(d) for i, d in docs.items()})
        top = hits[:CLAUSES] + more  # the best clauses, and the best of the asked place's other levels
        best = max((h.score for h in top), default=0.0) or 1.0
        best_kw = max((h.scores.get("keyword") or 0.0 for h in top), default=0.0) or 1.0
        best_dense = max((h.scores.get("semantic") or 0.0 for h in top), default=0.0) or 1.0
        clauses = {h.clause_id: self.store.clause(h.clause_id) for h in top}
        pairs = self.bigrams(q)
        units: list[tuple[int, Hit, Clause, bool]] = []  # (rank, hit, clause, is context)
        seen: set[str] = set()
        level_rank: dict[str | None, int] = {}
        for hit in top:
            clause = clauses[hit.clause_id]
            if clause is None or clause.kind == "cc" or clause.id in seen:
                continue
            seen.add(clause.id)
            rank = level_rank[hit.jurisdiction] = level_rank.get(hit.jurisdiction, -1) + 1
            units.append((rank, hit, clause, False))
            parent = self.store.clause(clause.parent_id) if clause.parent_id else None
            if parent is not None and parent.id not in seen and parent.kind == "body" and parent.text.strip():
                seen.add(parent.id)  # an item's article: the penalty that punishes it, the duty it lists
                units.append((rank, hit, parent, True))
        obligations: dict[str, list[tuple[str, Obligation]]] = {}
        for o in self.store.obligations(clause_ids=[clause.id for _, _, clause, _ in units]):
            obligations.setdefault(o.clause_id, []).append((normalise(o.text).rstrip("。；;"), o))
        located = chunk_cosines([clause for _, _, clause, _ in units]) if chunk_cosines else {}
        out: list[Evidence] = []
        cosines: list[float] = []  # per evidence: its chunk's cosine
        for rank, hit, clause, is_context in units:
            doc = docs[clause.doc_id]
            whole = normalise(f"{clause.heading or ''} {clause.text}")
            shared = dict(
                search=hit.score / best,
                rank=1 / (1 + rank),
                dense=(hit.scores.get("semantic") or 0.0) / best_dense,
                keyword=(hit.scores.get("keyword") or 0.0) / best_kw,
                clause_cover=self._cover(whole, words)
                if not is_context
                else self._cover(whole + normalise(hit.text), words),
                historical=float(self.past_period(doc, as_of) is not None),
                missing=missing,
                context=float(is_context),
                title=float(clause.kind == "title"),
            )
            obs = obligations.get(clause.id, [])
            for a, b in split_sentences(clause.text, 0):
                text = clause.text[a:b].strip()
                if not text:
                    continue
                norm = normalise(text)
                ob = next((o for key, o in obs if key and key in norm), None)
                here = {p.name for p in places.find_places(norm)} if q.jurisdiction else set()
                named = q.jurisdiction in here
                # a place neither on the asked place's chain nor inside it (`临汾市…` when 介休 is asked)
                other = {p for p in here if p not in chain and q.jurisdiction not in places.ancestors(p)}
                feats = Features(
                    **shared,
                    cover=self._cover(norm, words),
                    bigrams=sum(p in norm for p in pairs) / len(pairs) if pairs else 0.0,
                    topic=sum(t in norm for t in topics) / len(topics) if topics else 0.0,
                    intent_fit=intent_fit(q, norm, ob),
                    place_doc=1.0
                    if q.jurisdiction and doc.jurisdiction == q.jurisdiction
                    else 0.5
                    if doc.jurisdiction in chain
                    else 0.0,
                    place_named=float(named),
                    place_other=float(bool(other) and not named),
                    obligation=float(ob is not None),
                    length=min(len(text) / 200, 1.0),
                    heading=float(text.strip("。：") == (clause.heading or "")),
                    chunk=0.0,  # relative to the best chunk: set below, once every sentence is known
                    chunk_rank=0.0,
                )
                out.append(Evidence(clause, text, a, rank, doc.jurisdiction, ob, feats, document=labels[doc.id]))
                cosines.append(_chunk_cosine(located.get(clause.id), a, hit))
        _relative_chunks(out, cosines)
        return out

    def items(self, chosen: list[Evidence], every: bool) -> list[Evidence]:
        """The items a chosen sentence announces (`安全技术档案应当包括以下内容：`, `…履行下列职责：`), each cited as
        its own clause: the lead-in alone answers nothing.  Only the best sentence's, unless `every` (a question
        that asks for a list): a lead-in quoted beside the best answer is context, and its items would be noise.
        Not when one of its items is quoted already: the question was about that item (`…未经检验的…怎么罚`)."""
        have = {e.clause.id for e in chosen}
        out: list[Evidence] = []
        for e in chosen if every else chosen[:1]:
            if not e.text.rstrip().endswith(("：", ":")):
                continue
            items = [c for c in self.store.children(e.clause.id) if c.kind == "body" and c.text.strip()]
            if not items or any(c.id in have for c in items):
                continue
            obligations: dict[str, Obligation] = {}
            for o in self.store.obligations(clause_ids=[c.id for c in items]):
                obligations.setdefault(o.clause_id, o)
            for c in items:
                have.add(c.id)
                text = c.text.strip()
                out.append(
                    Evidence(
                        c,
                        text,
                        c.text.index(text),
                        e.clause_rank,
                        e.jurisdiction,
                        obligations.get(c.id),
                        e.features,
                        e.score,
                        e.document,
                    )
                )
        return out

    def sources(self, chosen: list[Evidence]) -> list[Evidence]:
        """The sentences that chosen obligations take their extracted fields from, when those are elsewhere: a
        deadline or responsibility line inherited from a heading (`inherited_from`).  Quoted with them, so that
        every date the answer states is in a clause it cites."""
        have = {(e.clause.id, e.start) for e in chosen}
        out: list[Evidence] = []
        for e in chosen:
            ob = e.obligation
            if not (ob and ob.inherited_from):
                continue
            needed = [ob.deadline.text if ob.deadline else "", *list(ob.department_names.values())]
            needed = [n for n in needed if n and n not in e.text]
            source = self.store.clause(ob.inherited_from) if needed else None
            if source is None:
                continue
            for a, b in split_sentences(source.text, 0):
                if any(n in source.text[a:b] for n in needed) and (source.id, a) not in have:
                    have.add((source.id, a))
                    out.append(
                        Evidence(
                            source,
                            source.text[a:b].strip(),
                            a,
                            e.clause_rank,
                            e.jurisdiction,
                            None,
                            e.features,
                            e.score,
                            e.document,
                        )
                    )
        return out
