"""`policy-kb ask`: grounded answers built from obligations first, then from quoted clause sentences.

Every statement is a quotation of, or a field extracted from, a clause that the answer cites; derived facts
(deadline status, day counts) are marked 〔…〕 and re-checked by :mod:`.verify`.  When the evidence does not
answer the question, the status is ``not_found`` and the nearest clauses are shown instead of a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date
from pathlib import Path

from .. import places
from ..extract.lexicon import DEPT_RE, canonical_department
from ..extract.departments import assignments_in
from ..extract.obligations import split_sentences
from ..records import Answer, Citation, Clause, Hit, Obligation
from ..search.filters import SearchFilter
from ..search.hybrid import Searcher
from ..search.text import STOPWORDS, SYNONYMS, normalise, query_terms
from .understand import WHY_RE, Question, understand
from .verify import check

# Words that say what kind of answer is wanted, not what it is about: never "missing from the corpus".
GENERIC = set("焦化 焦化行业 行业 企业 工作 要求 规定 具体 内容 方面 情况 相关 有关 问题 文件 政策 标准 时间 目标 措施 "
              "全省 全市 山西 山西省 省级 市级 我省 我市 哪 些 哪些 什么 多少 多大 多高 多长 是否 怎么 怎么办 如何 "
              "为什么 为何 哪个 哪一 一年 哪年 每吨 给 需要 必须 应该 可以 能 还 吗 呢 啥 咋 会 怎样 之后 以后 后 "
              "现在 目前 一共 共 总共 分别 各 各是 做 搞 指 是 有 没 进行 实施 落实 执行 完成 开展 时候 日期 期限 "
              "全部 全面 部分 东西 事情 厂 工厂 单位 部门 我们 条件 办法 方式 作用 意思 程度 范围 规模 数量 额度".split())
MAX_ITEMS = 6
# a question about closing something is best answered by a rule that closes it (淘汰, 关停), not one that limits it
CLOSE_Q_RE = re.compile(r"关|停|淘汰|退出|拆除|close|shut|phase[ -]?out|eliminat", re.I)
CLOSE_RE = re.compile(r"关停|关闭|淘汰|退出|拆除|停产|取缔")
# a sentence that gives a reason or purpose: what a `为什么` question asks for
CAUSE_RE = re.compile(r"因为|由于|为了|之所以|关键|制约|原因|因此|所以|旨在|目的是|鉴于")
OFTEN_RE = re.compile(r"多久|多长时间一次|频率|每隔|how often|frequency", re.I)  # answered by recurring deadlines
LEVEL_ORDER = {"county": 0, "city": 1, "province": 2, "national": 3, None: 4}  # most specific first


@lru_cache(maxsize=256)
def _question_words(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """The places a question names and its content words (2+ characters, not generic, not part of a place name:
    places scope the search, they are not the topic).  Cached: scoring calls this for every candidate sentence."""
    named = tuple(p.name for p in places.find_places(text))
    words = frozenset(w for w in query_terms(text) if len(w) >= 2 and w not in GENERIC and w not in STOPWORDS
                      and not any(w in n for n in named))
    return named, words


def _covers(held: set[str], place: str) -> bool:
    """Whether the knowledge base has rules for a place: a document of the place or of a place above it (national
    laws apply everywhere), or of a place inside it (a 山西省 question finds the 介休市 plan)."""
    chain = places.ancestors(place) or [place]
    return any(j in chain or place in places.ancestors(j) for j in held)


@dataclass
class _Item:
    """One line of the answer: a quotation with its clause and, for obligations, the extracted fields."""

    clause: Clause
    text: str
    obligation: Obligation | None = None
    rank: int = 0
    rel: int = 0  # how much of the question the text contains
    on_topic: bool = False  # names (or its document is about) a topic of the question


def _status(ob: Obligation, as_of: date, en: bool) -> str:
    dl = ob.deadline or {}
    if not dl.get("date"):
        if dl.get("kind") in ("relative", "recurring"):
            return f"〔{'no fixed date' if en else '无固定日期'}〕"
        return ""
    due = date.fromisoformat(dl["date"])
    days = (due - as_of).days
    if dl.get("kind") == "from":
        if en:
            return f"〔in force from {due.isoformat()}, {abs(days)} days {'ago' if days <= 0 else 'from now'}〕"
        return f"〔{due.isoformat()}起执行，{'已生效' if days <= 0 else '尚未生效，还有'} {abs(days)} 天〕"
    if en:
        return f"〔due {due.isoformat()}: {'passed ' + str(-days) + ' days ago' if days < 0 else str(days) + ' days left'}〕"
    return f"〔截止 {due.isoformat()}，{'已过期 ' + str(-days) + ' 天' if days < 0 else '还剩 ' + str(days) + ' 天'}〕"


_CN_COUNT = {"两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


def defines(text: str, term: str) -> bool:
    """Whether a clause explains a term: `“两断四停”（即断水、…）`, `X是指…`, or an enumeration whose length
    matches the number in the term (`节能、环保、安全“三大改造”`)."""
    for m in re.finditer(rf"[“\"]?{re.escape(term)}[”\"]?", text):
        if re.match(r"[^，。；]{0,4}?[，,]?[（(]?(?:即|是指|指的是|包括|：)", text[m.end():m.end() + 10]):
            return True
        count = _CN_COUNT.get(term[0]) or (int(term[0]) if term[0].isdigit() and len(term) > 1 and not term.isdigit() else None)
        before = re.split(r"[，。；：]|实施|推进|开展|实行|推动", text[:m.start()])[-1]
        if count and len([x for x in before.split("、") if x.strip()]) == count:
            return True
    return False


class Answerer:
    def __init__(self, index_dir: Path | str, embedder_name: str | None = None, searcher: Searcher | None = None):
        self.searcher = searcher or Searcher(index_dir, embedder_name)
        self.store = self.searcher.store

    # ---- evidence -----------------------------------------------------------------------------------------
    def _salient(self, q: Question) -> list[str]:
        """Content words of the question that a supporting clause should contain."""
        _, words = _question_words(q.text)
        terms = [t for t in query_terms(q.text) if t in words
                 and not places.lookup(t) and not re.fullmatch(r"[a-z]+|\d+", t)]
        # drop tokens that are parts of longer tokens (jieba cut_for_search emits both)
        return [t for t in terms if not any(t != o and t in o for o in terms)]

    @staticmethod
    def _focus_nouns(q: Question) -> list[str]:
        """Nouns (and years) the question is about, single-character nouns joined to their neighbour
        (`环保`+`税` → 环保税, `碳`+`排放` → 碳排放): if the corpus never uses them, it cannot answer."""
        if q.language != "zh":
            return re.findall(r"\b(?:19|20)\d{2}\b", q.text)
        import jieba.posseg as pseg

        words = [(w.word, w.flag) for w in pseg.cut(normalise(q.text))]
        out: list[str] = []
        for i, (word, flag) in enumerate(words):
            if len(word) == 1 and flag.startswith("n") and word not in "时后前中内上下里指是等人年月日号":
                prev = words[i - 1] if i else None
                nxt = words[i + 1] if i + 1 < len(words) else None
                if prev and (prev[1].startswith(("n", "j")) or prev[1] == "vn") and len(prev[0]) >= 2:
                    out.append(prev[0] + word)
                elif nxt and nxt[1].startswith(("n", "v")) and nxt[0] not in GENERIC and re.match(r"[\u4e00-\u9fff]", nxt[0]):
                    out.append(word + nxt[0])
            elif (flag.startswith(("n", "j")) and flag not in ("nr", "ns") and len(word) >= 2) or re.fullmatch(r"(?:19|20)\d{2}", word):
                out.append(word)
        return [w for w in dict.fromkeys(out) if w not in GENERIC and not places.lookup(w)]

    def _missing(self, terms: list[str], allowed: set[int] | None, cap: int = 5000) -> list[str]:
        """Terms that occur in no clause the user's scope can see (through the trigram table, not a scan; a term
        in more than `cap` clauses counts as present: it is no evidence that the corpus cannot answer)."""
        out = []
        for t in terms:
            rows = self.store.containing(t, limit=1 if allowed is None else cap)
            if not (len(rows) == cap or any(allowed is None or r in allowed for r in rows)):
                out.append(t)
        return out

    @staticmethod
    def _topic_keys(q: Question) -> list[str]:
        """What a clause must contain to be about the question's topic: `4.3米焦炉` is matched by `4.3米`,
        干熄焦 by 干法熄焦."""
        keys = []
        for t in q.topics:
            m = re.search(r"\d+(?:\.\d+)?米", t)
            keys.append(normalise(m.group(0) if m else t))
            keys += [normalise(x) for x in SYNONYMS.get(t, []) if x != t and len(x) > 2]
        return keys

    def _relevant(self, text: str, q: Question, salient: list[str], doc_place: str | None = None) -> int:
        """3 per topic the text names, 1 per content word of the question it contains (parts of words count:
        a question about 补偿标准 is matched by a sentence about 补偿)."""
        t = normalise(text)
        named, words = _question_words(q.text)
        # a higher-level document naming the asked place (`忻州市压减24万吨` in a provincial plan) is about it
        place_bonus = sum(2 for n in named if n != doc_place and (n in t or places.short_name(n) in t))
        # rare words say more about what is asked than common ones (产能, 焦炉 are everywhere)
        return sum(3 for k in self._topic_keys(q) if k in t) + place_bonus + round(
            sum(self._weight(w) for w in words | set(salient) if w in t))

    def _weight(self, word: str) -> float:
        """1.0 for a word in few clauses, down to 0.3 for one in most of them (IDF from the keyword index)."""
        cache = self.__dict__.setdefault("_weights", {})
        if word not in cache:
            total = self.store.conn.execute("SELECT count(*) FROM clauses").fetchone()[0] or 1
            row = self.store.conn.execute("SELECT doc FROM clause_vocab WHERE term = ?", (word,)).fetchone()
            share = (row[0] if row else 1) / total
            cache[word] = max(0.3, min(1.0, 1.2 - share * 3))
        return cache[word]

    @staticmethod
    def _level(place: str | None) -> str | None:
        found = places.lookup(place) if place else None
        return found.level if found else None

    def _wanted(self, o: Obligation, q: Question) -> bool:
        # a value the question already states (`4.3米焦炉…多大产能`) is what it is about, not what it asks for
        asked = normalise(q.text)
        if (q.intent == "threshold" or q.wants_money) and not any(normalise(t["text"]) not in asked
                                                                  for t in o.thresholds):
            return False
        if q.wants_money and not any("元" in t["unit"] for t in o.thresholds):
            return False
        per = re.search(r"每(人|吨|户|台|千瓦|平方米|蒸吨|家)|人均|per (person|worker|tonne|ton)", q.text)
        if per and q.wants_money:  # `每人补偿多少` is not answered by a per-tonne rate
            unit = {"person": "人", "worker": "人", "tonne": "吨", "ton": "吨"}.get(per.group(2) or "", per.group(1) or "人")
            if not any(t["unit"].endswith("/" + unit) for t in o.thresholds):
                return False
        if q.intent == "department":
            return any(o.departments.values()) or bool(DEPT_RE.search(o.text))
        if q.intent == "compensation":  # a yes/no question about money still needs a clause about money
            return bool(re.search(r"补偿|补贴|补助|奖励|资金|元|价格|电价|信贷|税收", o.text))
        return True

    def _obligation_items(self, q: Question, hits: list[Hit], salient: list[str], undated: int = 1) -> list[_Item]:
        """Obligations of the best clauses, scored by clause rank and by how much of the question they contain.
        Deadline answers keep the best rules of every jurisdiction (county, city and province all bind); a place
        with no dated rule shows its `undated` best undated ones."""
        top = hits[:12]
        if q.intent == "deadline":  # make sure each document's best clauses are considered
            per_doc: dict[str, int] = {}
            for h in hits:
                per_doc[h.doc_id] = per_doc.get(h.doc_id, 0) + 1
                if per_doc[h.doc_id] <= 6 and h not in top:
                    top.append(h)
        position = {h.clause_id: i for i, h in enumerate(top)}
        clauses = {h.clause_id: self.store.clause(h.clause_id) for h in top}
        obligations = self.store.obligations(clause_ids=list(position))
        named = [canonical_department(m.group(0)) for m in DEPT_RE.finditer(normalise(q.text))]
        if q.intent == "department" and named:  # `介休市住建局负责什么`: everything that department is assigned
            wanted = set(named)
            obligations = [o for o in self.store.obligations()
                           if wanted & {n for ns in o.departments.values() for n in ns}
                           and (q.jurisdiction is None or o.jurisdiction in places.ancestors(q.jurisdiction))]
            for o in obligations:
                clauses.setdefault(o.clause_id, self.store.clause(o.clause_id))
                position.setdefault(o.clause_id, 0)
        keys = self._topic_keys(q)
        docs = {d.id: d for d in self.store.documents()}
        scored: list[_Item] = []
        for o in obligations:
            if not self._wanted(o, q):
                continue
            rel = self._relevant(o.text, q, salient, docs[o.doc_id].jurisdiction)
            on_topic = any(k in normalise(o.text) for k in keys)
            if keys and not on_topic and any(k in normalise(docs[o.doc_id].title or "") for k in keys):
                # a clause of a document about the topic (`任务验收` in the 4.3米焦炉 plan) is about it too when, as a
                # whole, it matches the rest of the question well; it then scores as if it named the topic
                whole = self._relevant(clauses[o.clause_id].text, q, salient, docs[o.doc_id].jurisdiction)
                if whole >= 2:
                    on_topic, rel = True, max(rel, whole) + 3
            if keys and not on_topic and not (q.intent == "department" and named) \
                    and not (position[o.clause_id] <= 1 and rel >= 1):
                continue
            if not keys and rel == 0 and position[o.clause_id] > 0:
                continue
            scored.append(_Item(clauses[o.clause_id], self._with_holder(o), o,
                                rank=position[o.clause_id] - 2 * rel, rel=rel, on_topic=on_topic))
        scored.sort(key=lambda i: i.rank)
        if q.intent != "deadline":
            return self._concise(scored, max_items=4, max_clauses=2)
        issued = {d.id: d.issue_date or "" for d in docs.values()}
        often = bool(OFTEN_RE.search(q.text))
        groups: dict[str | None, list[_Item]] = {}
        for item in scored:
            groups.setdefault(item.obligation.jurisdiction, []).append(item)  # type: ignore[union-attr]
        items: list[_Item] = []
        for group in groups.values():
            dated = [i for i in group if ((i.obligation.deadline or {}).get("date")  # type: ignore[union-attr]
                                          or (often and (i.obligation.deadline or {}).get("kind") == "recurring"))  # type: ignore[union-attr]
                     and (not keys or i.on_topic
                          or (position[i.clause.id] < 5 and any(w in normalise(i.text) for w in salient if w not in keys)))]
            # no dated rule for this place: its on-topic rule (one that closes it, if the question is about closing)
            # from the most recent document, flagged as undated
            closing = bool(CLOSE_Q_RE.search(q.text))
            fallback = sorted((i for i in group if i.on_topic),
                             key=lambda i: (closing and bool(CLOSE_RE.search(i.text)), issued.get(i.clause.doc_id, ""),
                                            -i.rank), reverse=True)
            items += self._concise(dated, max_items=2, max_clauses=2) or self._concise(
                fallback, max_items=undated, max_clauses=undated, keep_order=True)
        if not any((i.obligation.deadline or {}).get("date") or (often and i.obligation.deadline)  # type: ignore[union-attr]
                   for i in items):
            return []
        best = max(i.rel for i in items)
        # a place whose best rule barely matches the question is noise, unless it is on the question's topic
        items = [i for i in items if i.rel >= best - 2 or i.on_topic]
        items.sort(key=lambda i: i.rank)
        return items[:MAX_ITEMS]

    @staticmethod
    def _concise(items: list[_Item], max_items: int, max_clauses: int, keep_order: bool = False) -> list[_Item]:
        """The items that match the question nearly as well as the best one, from at most `max_clauses` clauses:
        an answer cites what it needs, not everything nearby.  `keep_order` keeps the caller's preference order
        (e.g. most recent document first) instead of best match first."""
        if not items:
            return []
        best = max(i.rel for i in items)
        out: list[_Item] = []
        clauses: set[str] = set()
        for item in (items if keep_order else sorted(items, key=lambda i: (-i.rel, i.rank))):
            if item.rel < best - 1 or len(out) == max_items:
                continue
            if item.clause.id not in clauses and len(clauses) == max_clauses:
                continue
            clauses.add(item.clause.id)
            out.append(item)
        return sorted(out, key=lambda i: i.rank)

    @staticmethod
    def _with_holder(o: Obligation) -> str:
        """The obligation sentence plus who must act when the sentence itself does not say: `市住建局：负责制定…`
        for a 工作职责 item, `（省工业和信息化厅牵头，…配合，市县政府落实）` from the item's closing parenthetical.
        Names are as written in the cited clause."""
        text = o.text
        names = {n: o.department_names.get(n, n) for ns in o.departments.values() for n in ns}
        if not names or all(w in text for w in names.values()):
            return text
        roles = o.departments
        if roles["responsible"] and not any(roles[r] for r in ("lead", "cooperate", "implement")) \
                and len(roles["responsible"]) == 1:
            return f"{names[roles['responsible'][0]]}：{text}"
        words = {"lead": "牵头", "cooperate": "配合", "implement": "落实", "responsible": "负责"}
        parts = ["、".join(names[n] for n in roles[r]) + words[r] for r in words if roles[r]]
        return f"{text}（{'，'.join(parts)}）"

    def _sentence_items(self, q: Question, hits: list[Hit], salient: list[str]) -> list[_Item]:
        """For list/definition/general questions: the relevant sentences of the best clauses — a short clause
        whole, a long one by its sentences that share words with the question."""
        keys = self._topic_keys(q)
        items: list[_Item] = []
        candidates = [h.clause_id for h in hits[:4]]
        if WHY_RE.search(q.text):
            # `为什么…`: the clause that states a reason for what the question names, from a wider pool of hits
            def reason(clause_id: str) -> int:
                clause = self.store.clause(clause_id)
                return max((self._relevant(x, q, salient) for x in re.split(r"(?<=[。；])", clause.text)
                            if CAUSE_RE.search(x)), default=0) if clause else 0

            pool = [h.clause_id for h in hits[:10]]
            candidates = sorted(pool, key=lambda c: (-reason(c), pool.index(c)))[:4]
        if hits and re.search(r"(?:依据|根据|依照).{0,6}(?:文件|政策|规定)|based on", q.text):
            # `…是依据哪些文件制定的`: a document names its legal basis in its preamble
            candidates.insert(0, f"{hits[0].doc_id}:preamble")
        for rank, clause_id in enumerate(candidates):
            clause = self.store.clause(clause_id)
            if clause is None or clause.kind == "cc":
                continue
            sentences = [clause.text[a:b].strip() for a, b in split_sentences(clause.text, 0)]
            if clause.kind == "title":  # 红头, 文号 and title lines read as one line
                sentences = [" ".join(sentences)]
            sentences = [x for x in sentences if x and x.strip("。：") != (clause.heading or "")]
            role = re.search(r"组长|副组长|主任|局长|负责人|成员", q.text)
            why = WHY_RE.search(q.text)
            basis = re.search(r"(?:依据|根据|依照|按照).{0,6}(?:文件|政策|规定)|based on|according to", q.text)
            scored = [(self._relevant(x, q, salient)
                       + (4 if basis and "《" in x else 0)  # `依据哪些文件`: the sentence that cites them
                       + (2 if q.intent == "definition" and re.search(r"即|是指|指的是", x) else 0)
                       + (3 if why and CAUSE_RE.search(x) else 0)
                       + (6 if role and re.match(rf"{role.group(0)}[：:]", x) else 0)
                       + (1 if q.intent == "threshold" and re.search(r"\d", x) else 0), x) for x in sentences]
            if keys and not any(k in normalise(clause.text) for k in keys):
                continue
            if items and (max((sc for sc, _ in scored), default=0) < 2
                          or why and not any(CAUSE_RE.search(x) for x in sentences)):
                continue  # a second clause only when it is clearly on topic too (and, for `为什么`, gives a reason)
            if len(clause.text) <= (400 if not items and q.intent in ("list", "definition", "general") else 240):
                chosen = [x for _, x in scored]
            else:
                best = max((sc for sc, _ in scored), default=0)
                keep = sorted((i for i, (sc, _) in enumerate(scored) if sc > 0 and sc >= best - 1),
                              key=lambda i: -scored[i][0])[:4]
                chosen = [scored[i][1] for i in sorted(keep)]  # the best four, in document order
            if chosen and q.intent == "department":
                # `…由哪些部门牵头`: the item's closing assignment says who, even when the sentence does not
                chosen += [clause.text[a:b] for a, b, _ in assignments_in(clause.text)
                           if clause.text[a:b] not in "".join(chosen)]
            if chosen:
                items.append(_Item(clause, "".join(chosen) if len(chosen) > 1 else chosen[0], rank=rank))
            if len(items) == 2:
                break
        return items

    def _complete(self, q: Question, items: list[_Item], salient: list[str]) -> list[_Item]:
        """Add the other sentences of the cited clauses that answer part of the question: the second date of
        `2023年10月底前…验收；2023年12月底前…抽查`, the other rate of `限产40%…。属于鼓励类的企业，限产20%`, the
        `其中，…` or `（2）…` that continues a quoted sentence.  They cost no citation (the clause is cited already)
        and are what a reader would otherwise have to open the clause for."""
        keys = self._topic_keys(q)
        named, question_words = _question_words(q.text)
        words = {w for w in question_words | set(salient)
                 if not any(k in normalise(w) or normalise(w) in k for k in keys)}  # not the topic

        def score(sentence: str) -> float:
            t = normalise(sentence)
            return sum(self._weight(w) for w in words if w in t) + sum(2 for n in named if places.short_name(n) in t)

        why = bool(WHY_RE.search(q.text))
        out: list[_Item] = []
        done: set[str] = set()
        for item in items:
            out.append(item)
            clause = item.clause
            if clause.id in done or clause.kind != "body":
                continue
            done.add(clause.id)
            quoted = "".join(i.text for i in items if i.clause.id == clause.id)
            obligations = {o.text.rstrip("。；;"): o for o in self.store.obligations(clause_ids=[clause.id])}
            extra: list[list] = []  # [score, text, obligation]
            previous = "quoted"
            for a, b in split_sentences(clause.text, 0):
                sentence = clause.text[a:b].strip()
                if not sentence or sentence.strip("。：") == (clause.heading or ""):
                    continue
                if sentence in quoted:
                    previous = "quoted"
                    continue
                continues = bool(re.match(r"其中|其余|但|（[2-9一-九]）|[2-9][.．、]|[②-⑨]", sentence))
                if continues and previous == "extra":
                    extra[-1][1] += sentence
                    continue
                ob = obligations.get(sentence.rstrip("。；;"))
                sc = score(sentence) + (1 if why and CAUSE_RE.search(sentence) else 0)
                if q.intent == "deadline":  # another date of the cited rule, or background on its subject
                    wanted = (sc >= 1 and bool(ob and (ob.deadline or {}).get("date"))) or (ob is None and sc >= 2)
                elif q.intent in ("threshold", "compensation") or q.wants_money:
                    wanted = (sc >= 1 and ob is not None and self._wanted(ob, q)) or sc >= 2
                else:  # a list's introduction (`符合以下条件之一：`), a reason for a `为什么` question
                    wanted = sc >= 2 or (sc >= 1 and bool(re.search(r"以下[^，。]{0,8}[：:]", sentence)
                                                          or (why and CAUSE_RE.search(sentence))))
                if continues and previous == "quoted":
                    extra.append([99.0, sentence, ob])
                    previous = "extra"
                elif wanted:
                    extra.append([sc, sentence, ob])
                    previous = "extra"
                else:
                    previous = ""
            for _, sentence, ob in sorted(extra, key=lambda e: -e[0])[:3 if why else 2]:  # reasons come in lists
                whole = ob is not None and sentence.rstrip("。；;") == ob.text.rstrip("。；;")
                out.append(_Item(clause, self._with_holder(ob) if whole else sentence, ob if whole else None,
                                 rank=item.rank, rel=item.rel))
        # a clause's lines in the order the clause states them, clauses in the order they were chosen
        first = {c: i for i, c in reversed(list(enumerate(i.clause.id for i in out)))}
        return sorted(out, key=lambda i: (first[i.clause.id], self._position(i)))

    @staticmethod
    def _position(item: _Item) -> int:
        text = item.obligation.text if item.obligation else item.text
        at = item.clause.text.find(text[:20])
        return at if at >= 0 else len(item.clause.text)

    # ---- composition --------------------------------------------------------------------------------------
    def _render(self, q: Question, items: list[_Item], as_of: date) -> tuple[str, list[Citation]]:
        en = q.language == "en"
        docs = {d.id: d for d in self.store.documents()}
        citations: dict[str, Citation] = {}

        def cite(clause: Clause) -> int:
            if clause.id not in citations:
                d = docs[clause.doc_id]
                citations[clause.id] = Citation(len(citations) + 1, clause.id, d.id, d.title, d.doc_number,
                                                d.jurisdiction, clause.path, clause.text)
            return citations[clause.id].n

        groups: dict[str | None, list[_Item]] = {}
        for item in items:
            groups.setdefault(docs[item.clause.doc_id].jurisdiction, []).append(item)
        order = sorted(groups, key=lambda j: (LEVEL_ORDER[self._level(j)], j or ""))
        lines: list[str] = []
        dated_places = {docs[i.clause.doc_id].jurisdiction for i in items
                        if i.obligation and (i.obligation.deadline or {}).get("date")}
        dates = {i.obligation.deadline["date"] for i in items if i.obligation and (i.obligation.deadline or {}).get("date")}
        if len(dated_places) > 1 and q.intent == "deadline" and len(dates) > 1:
            lines.append("Rules differ by place; the most specific one that covers you applies, together with the "
                         "higher-level rules:" if en else "各地规定不同：请按所在地区的规定执行，同时遵守上级规定。")
        if q.jurisdiction and not any(d.jurisdiction == q.jurisdiction for d in docs.values()) and groups:
            lines.append(f"The knowledge base has no documents issued for {q.jurisdiction} itself; these "
                         f"higher-level rules apply to it:" if en
                         else f"知识库中没有{q.jurisdiction}本级文件，以下上级规定适用：")
        for j in order:
            via = ""
            if q.jurisdiction and j != q.jurisdiction and j in places.ancestors(q.jurisdiction):
                via = " (higher-level rule, also applies)" if en else "（上级规定，同样适用）"
            if lines:
                lines.append("")  # a blank line keeps the heading out of the previous list in markdown
            lines.append(f"**{j or ('unknown place' if en else '地区未注明')}**{via}")
            for item in groups[j]:
                n = cite(item.clause)
                where = f"{docs[item.clause.doc_id].doc_number or docs[item.clause.doc_id].title or ''} {''.join(item.clause.path)}".strip()
                status = _status(item.obligation, as_of, en) if item.obligation else ""
                if item.obligation and q.intent == "deadline" and not (item.obligation.deadline or {}).get("date") \
                        and not status:
                    status = "〔no specific deadline stated〕" if en else "〔未规定具体期限〕"
                if en:
                    lines.append(f"- {where}: “{item.text}” [{n}] {status}".rstrip())
                else:
                    lines.append(f"- {item.text} [{n}]{status}（{where}）")
        return "\n".join(lines), list(citations.values())

    def _not_found(self, q: Question, reason: str, nearest: list[Hit], as_of: date) -> Answer:
        en = q.language == "en"
        lines = [reason]
        citations: list[Citation] = []
        if nearest:
            lines.append("Closest clauses (they do not answer the question):" if en else "最接近的条款（不能直接回答该问题）：")
            for h in nearest[:3]:
                clause = self.store.clause(h.clause_id)
                if clause is None:
                    continue
                n = len(citations) + 1
                citations.append(Citation(n, clause.id, h.doc_id, h.doc_title, h.doc_number, h.jurisdiction,
                                          clause.path, clause.text))
                excerpt = h.snippet.replace("【", "").replace("】", "")
                lines.append(f"- {h.doc_number or h.doc_title or ''} {''.join(h.path)}：{excerpt} [{n}]")
        return Answer(q.text, q.language, q.intent, q.jurisdiction, "not_found", "\n".join(lines), citations, [],
                      as_of.isoformat())

    @staticmethod
    def _resolve_number(raw: str, docs: list) -> str:  # type: ignore[type-arg]
        """Match an extracted 文号 to one the corpus knows: `请问晋政办发〔2019〕66号` → 晋政办发〔2019〕66号,
        `jin zheng ban fa〔2022〕51号` → 晋政办发〔2022〕51号 (by pinyin)."""
        from pypinyin import lazy_pinyin

        known = {d.doc_number for d in docs if d.doc_number} | {c.doc_number for d in docs for c in d.cites if c.doc_number}
        if raw in known:
            return raw
        tail = raw[raw.index("〔"):] if "〔" in raw else raw
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
        items = [_Item(c, " ".join(c.text.split("\n")), rank=i) for i, c in
                 enumerate([c for c in doc.clauses if c.kind == "title"][:1] + body)]
        text, citations = self._render(q, items, as_of)
        return Answer(q.text, q.language, "general", q.jurisdiction, "answered", text, citations, [],
                      as_of.isoformat())

    def ask(self, question: str, jurisdiction: str | None = None, as_of: date | None = None) -> Answer:
        as_of = as_of or date.today()
        question = question.strip()[:500]
        corrected, fixes = self.searcher.correct(question)
        q = understand(corrected, jurisdiction)
        en = q.language == "en"
        held = {d.jurisdiction for d in self.store.documents() if d.jurisdiction}
        if not q.place_known or (q.jurisdiction and not _covers(held, q.jurisdiction)):
            covered = "、".join(sorted(held))
            return self._not_found(q, (f"The knowledge base has no documents for {q.jurisdiction}; it covers {covered}."
                                       if en else f"知识库中没有{q.jurisdiction}的政策文件（现有文件覆盖：{covered}）。"),
                                   [], as_of)
        docs = self.store.documents()
        flt_doc = None
        for number in (self._resolve_number(n, docs) for n in q.doc_numbers):
            match = next((d for d in docs if d.doc_number == number), None)
            if match:
                flt_doc = match.id
                if not re.sub(r"[\W\d_]", "", normalise(q.text).replace(normalise(number), "")):
                    return self._document_overview(q, match.id, as_of)
                continue
            citing = [(d, c) for d in docs for c in d.cites if c.doc_number == number]
            if citing:
                title = citing[0][1].title
                names = "、".join(sorted({d.title or d.id for d, _ in citing}))
                reason = (f"《{title}》({number}) is cited by {names}, but that document is not included in the "
                          f"knowledge base, so its content cannot be quoted." if en else
                          f"《{title}》（{number}）被{names}引用，但该文件未收录在知识库中，无法引用其内容。")
            else:
                reason = (f"No document numbered {number} is in the knowledge base or cited by it." if en
                          else f"知识库中没有文号为{number}的文件，也没有文件引用它。")
            hits = self.searcher.search(number, mode="keyword", k=3)
            return self._not_found(q, reason, hits, as_of)
        # a place the user chose, or a city/county the question names, narrows the search to the rules that apply
        # there; naming the province (`山西…`, `in Shanxi`) means the whole province, every level
        scope = jurisdiction or (q.jurisdiction if self._level(q.jurisdiction) not in ("province", "national") else None)
        try:
            flt = SearchFilter(jurisdiction=places.lookup(scope).name if scope and places.lookup(scope) else None,
                               doc=flt_doc)
        except ValueError:
            flt = SearchFilter(doc=flt_doc)
        query = corrected
        if flt.jurisdiction:  # the filter already scopes by place; the place name would only favour local clauses
            for p in places.ancestors(flt.jurisdiction):
                query = query.replace(p, "").replace(places.short_name(p), "")
        hits = self.searcher.search(query or corrected, k=30, flt=flt)
        salient = self._salient(q)
        missing = self._missing(self._focus_nouns(q), flt.allowed(self.store))
        if not hits or missing:
            what = "、".join(f"“{m}”" for m in missing)
            reason = (f"The documents do not mention {what}; no clause answers this question." if en and missing
                      else f"文件中没有出现{what}，没有条款可以回答该问题。" if missing
                      else "No clause answers this question." if en else "没有找到可以回答该问题的条款。")
            return self._not_found(q, reason, hits, as_of)
        items: list[_Item] = []
        rest = q.text
        for t in q.topics:
            rest = normalise(rest).replace(normalise(t), "")
        overview = q.intent == "general" and len(q.topics) == 1 and not re.sub(r"[\W\d_]", "", rest)
        if overview:
            q.intent = "deadline"  # a bare topic (`4.3米`, `干熄焦`): what must be done about it, and by when
            items = self._obligation_items(q, hits, salient, undated=2)
            q.intent = "general"
        elif q.intent in ("deadline", "threshold", "department", "compensation"):
            items = self._obligation_items(q, hits, salient)
        if not items and q.intent in ("deadline", "compensation") or (not items and q.wants_money):
            need = {"deadline": ("a deadline", "期限"), "compensation": ("an amount", "金额或标准")}.get(
                q.intent, ("an amount", "金额"))
            reason = (f"The documents do not state {need[0]} for this." if en
                      else f"文件中没有找到相关的{need[1]}规定。")
            return self._not_found(q, reason, hits, as_of)
        if q.intent not in ("deadline", "compensation") and not (overview and items):
            # a background sentence (`炼焦用煤资源探明储量1493亿吨`) can answer better than any obligation
            sentences = self._sentence_items(q, hits, salient)
            best_ob = max((self._relevant(i.text, q, salient) for i in items), default=-1)
            best_sent = max((self._relevant(i.text, q, salient) for i in sentences), default=-1)
            role = re.search(r"组长|副组长|主任|负责人|成员", q.text)
            role_line = bool(role) and any(re.search(rf"(?:^|\n|。){role.group(0)}[：:]", i.text) for i in sentences)
            if not items or role_line or best_sent > best_ob or (
                    best_sent == best_ob and q.intent in ("list", "general", "definition")):
                items = sentences
        quoted = re.findall(r"[“\"「]([^”\"」]{2,12})[”\"」]", q.text)
        asks_meaning = re.search(r"是什么意思|指什么|指哪|含义|定义|是什么|什么是|mean", q.text)
        if q.intent == "definition" and asks_meaning and quoted and not any(
                defines(i.clause.text, t) for t in quoted for i in items):
            reason = (f"The documents use {'、'.join(quoted)} but do not define it." if en
                      else f"文件中没有对“{'、'.join(quoted)}”的定义或解释。")
            return self._not_found(q, reason, hits, as_of)
        if not items:
            return self._not_found(q, "No clause answers this question." if en else "没有找到可以回答该问题的条款。",
                                   hits, as_of)
        items = self._complete(q, items, salient)
        text, citations = self._render(q, items, as_of)
        if fixes:
            note = "、".join(f"“{a}”→“{b}”" for a, b in fixes.items())
            text = (f"(Read {note})\n" if en else f"（已按{note}理解）\n") + text
        doc_year = {d.id: int(d.issue_date[:4]) if d.issue_date else None for d in docs}
        problems = check(text, citations, as_of, doc_year)
        status = "answered"
        if q.intent == "deadline" and not OFTEN_RE.search(q.text) and not any(
                i.obligation and (i.obligation.deadline or {}).get("date") for i in items):
            status = "partial"
        warnings = []
        if problems:
            status, warnings = "partial", problems
        return Answer(question, q.language, q.intent, q.jurisdiction, status, text, citations,
                      [i.obligation.id for i in items if i.obligation], as_of.isoformat(), warnings)
