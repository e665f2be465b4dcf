"""Clauses → obligations: one record per duty, prohibition or target sentence (GUIDE §4).

Sentences come from body clauses, split at 。；！？ and line ends.  A sentence is an obligation when it carries a
modal word, a deadline, a responsible department, or starts with an imperative verb; background statements
(`截至2021年底…`, `“十五”期间…`) are skipped.  Departments come from, in order of precedence: the sentence itself
(`省工信厅负责…`), the parenthetical that closes the sentence's part of the item, and the 工作职责 item heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from .. import places
from ..ingest.clauses import text_spans
from ..ingest.clean import for_matching
from ..records import Clause, Deadline, Document, Modality, Obligation, Penalty, Role, Threshold
from .applicability import applicability
from .authorities import (
    agent_authorities,
    is_back_reference,
    named_departments,
    opens_second_actor,
    opens_with_actor,
    partners,
    resolve,
    subject_authorities,
)
from .binding import Where
from .context import RESPONSIBILITY_LINE, ClauseContext, contexts
from .dates import find_deadlines
from .departments import (
    ASSIGNMENT_PAREN_RE,
    Assignment,
    assignments_in,
    duty_holders_written,
    find_aliases,
    is_department,
    parse_parenthetical,
    resolve_alias,
    roles_in_sentence,
)
from .lexicon import canonical_department
from .penalties import authorities, find_penalties, referenced_paragraph
from .quantities import find_thresholds

SENTENCE_END = "。；！？;!?\n"
# a penalty provision is one unit up to its full stop: `…处…罚款；拒不改正的，责令停产整治。` is one violation
PENALTY_SENTENCE_END = "。！？!?\n"
MODALITY_RULES: list[tuple[Modality, re.Pattern[str]]] = [
    (Modality.MUST_NOT, re.compile(r"不得|禁止|严禁|决不允许|不允许|不准|一律不|不予|杜绝|不再(?!是)")),
    (Modality.ENCOURAGED, re.compile(r"^(?:[^，。；]{0,10}?)(?:鼓励|支持|引导|倡导)")),
    (Modality.TARGET, re.compile(r"力争|争取|目标(?:为|是)|率先")),
    (Modality.MAY, re.compile(r"(?:^|[^不许认])可(?:以)?(?=[\u4e00-\u9fff])(?!持续|能|控|行|靠|视)")),
]
MUST_RE = re.compile(
    r"必须|要(?!求|点|素|是)|应当|应(?!用|急|对)|须|务必|确保|严格|负责(?!人)|予以|一律|按(?:照)?规定|按期|按时|立即|承担[^，。；]{0,12}责任|达到[^，。；]{0,14}要求"
)
STRONG_RE = re.compile(r"必须|要(?!求|点|素|是)|应当|须|不得|严禁|禁止")
PERSONNEL_RE = re.compile(r"(?:局长|主任|负责人|镇长|部长|市长|队长|总经理|秘书长|调研员|党组成员|委员)$")
# an instruction opens with its verb (data/imperative_verbs.txt, in the order tried)
IMPERATIVE_RE = re.compile(r"^(?:[^，。；]{0,10}?)(?:" + "|".join(places.data_lines("imperative_verbs.txt")) + ")")
BACKGROUND_RE = re.compile(
    r"^(?:截至|截止|目前|近年来|据测算|据估算|据|“[十九]五”(?:期间|末)|[“\"]?九五|本世纪|受|随着|伴随|"
    r"(?:我|本)(?:国|省|市|区|县|州|盟)是|这是|这一|这种|一是|二是|三是|四是)"
)


def _is_background(core: str) -> bool:
    """A sentence that describes rather than directs: the openers of BACKGROUND_RE, or any place of the national
    gazetteer followed by 是 (`山西是焦炭主产区`, `临沂市是…`), so that no province is special."""
    if BACKGROUND_RE.match(core):
        return True
    found = places.mentions(core[:16])
    return bool(found) and found[0].start == 0 and core[found[0].end : found[0].end + 1] == "是"


# a stated limit is a rule: `排放限值分别不高于30、200、300毫克/立方米执行`, `不得低于120万吨/年`
LIMIT_RE = re.compile(
    r"(?:不高于|不超过|不低于|不少于|不大于|不多于|不小于|不得(?:高于|低于|超过|少于|大于|小于))"
    r"(?=\d)"
)
_DEFINITION_RE = re.compile(r"是[^，。；]{2,40}的(?:重要|具体|关键|根本)")


def split_sentences(text: str, offset: int, ends: str = SENTENCE_END) -> list[tuple[int, int]]:
    """Sentence spans (absolute offsets) of a clause text starting at `offset`; parentheses are never split."""
    out, start, depth = [], 0, 0
    for i, ch in enumerate(text):
        depth += ch in "（("
        depth = max(0, depth - (ch in "）)"))
        if ch in ends and depth == 0:
            if text[start:i].strip():
                out.append((offset + start, offset + i + (ch != "\n")))
            start = i + 1
    if text[start:].strip():
        out.append((offset + start, offset + len(text)))
    return out


# a duty word in the part before a comma: what follows may be a second duty with its own subject
_DUTY_PART_RE = re.compile(r"应当|应(?!急|用|对)|必须|须|不得|可以|负责(?!人)|(?<![所享])有权|禁止|严禁")


def _states_duty(part: str) -> bool:
    """A comma part that is a duty of its own.  A condition (`…的`, `…时`) is not, nor a topic: a modifier that
    holds the modal and ends in `的` + noun (`依法应当编制环境影响报告书的建设项目`, `法律规定应当公证的事项`)
    has no subject of its own."""
    duty = _DUTY_PART_RE.search(part)
    if duty is None or re.search(r"(?:的|时|后|期间|情况下)$", part):
        return False
    topic = duty.start() <= 3 or part[: duty.start()].endswith("规定")
    return not (topic and re.search(r"的[\u4e00-\u9fff]{1,6}$", part))


def split_at_new_subjects(text: str, start: int) -> list[tuple[int, int]]:
    """Split one sentence where, after a comma, a second duty opens with its own subject: `…可以通过遥感监测等手段
    进行监督抽测，公安机关交通管理部门应当予以配合` is two duties of two authorities.  The part before the comma must
    be a duty of its own (a condition `…的，` or a lead-in is not); ``start`` is the sentence's absolute offset."""
    spans, left, depth = [], 0, 0
    penal: bool | None = None  # `…处…罚款，并由工商行政管理部门责令…` is one penalty provision (read when needed)
    for i, ch in enumerate(text):
        depth += ch in "（("
        depth = max(0, depth - (ch in "）)"))
        if ch not in "，," or depth:
            continue
        part = text[left:i]
        second = _states_duty(part) and opens_with_actor(text[i + 1 :])
        if not second and not re.search(r"(?:的|时|后)$", part) and opens_second_actor(text[i + 1 :]):
            penal = bool(find_penalties(text)) if penal is None else penal
            second = not penal
        if second:
            spans.append((start + left, start + i + 1))
            left = i + 1
    spans.append((start + left, start + len(text)))
    return spans


def modality_of(sentence: str) -> Modality:
    for name, rule in MODALITY_RULES:
        m = rule.search(sentence)
        if m and not (name == Modality.MAY and _duty_before(sentence, m.start())):
            return name
    return Modality.MUST


def _duty_before(sentence: str, pos: int) -> bool:
    """A duty stated in an earlier comma part than `pos`: the `可` of `…采暖期实施错峰生产：…限产40%，…可采取停产错峰`
    offers an option inside the duty, it does not turn the sentence into a permission."""
    parts = re.split(r"[，,：]", sentence[:pos])[:-1]
    return any(IMPERATIVE_RE.match(p) or MUST_RE.search(p) for p in parts)


def _imperative(core: str) -> bool:
    """An imperative verb opens the sentence, or one of its first comma parts once a lead-in
    (`结合…，`, `按照…，`, a deadline, a short subject) is set aside."""
    parts = re.split(r"[，,]", core)
    return any(IMPERATIVE_RE.match(p) for p in parts[:3])


def _is_obligation(sentence: str, deadline: Deadline | None, roles: Assignment) -> bool:
    core = ASSIGNMENT_PAREN_RE.sub("", sentence).strip("。；， ")
    if len(core) < 6 or (PERSONNEL_RE.search(core) and not STRONG_RE.search(core)) or "：" in core[:4]:
        return False
    strong = bool(STRONG_RE.search(core))
    if not strong and (_is_background(core) or _DEFINITION_RE.search(core)):
        return False
    if not strong and core.endswith(("：", ":")):
        return False  # a lead-in (`…主要表现在：`, `…重点任务如下：`): the duties are the items that follow
    modality = modality_of(core)
    if modality == "may" and not strong:
        # a permission is a rule when it names who may act (`环境保护行政主管部门可以组织…`, `建设单位可以…`);
        # `各市可…` in a plan only offers an option
        return bool(
            re.match(r"^[^，。；]{2,30}?(?:单位|部门|机关|机构|人民政府|经营者|企业|个人)(?:也)?可以", core)
            or _named(core).subject
        )  # `税务机关发现…的，可以提请…复核`: the actor precedes a condition
    if roles or modality != "must" or MUST_RE.search(core) or _imperative(core) or LIMIT_RE.search(core):
        return True
    deadline = deadline or next(iter(find_deadlines(core)), None)
    if deadline is not None and deadline.kind == "recurring":
        return True
    if (
        deadline is not None
        and deadline.kind == "by"
        and deadline.text.startswith(("到", "至"))
        and find_thresholds(core)
    ):
        return True  # a quantity to reach by a date: `到2010年，发展形成煤焦油深加工能力255万吨`
    return (
        deadline is not None
        and deadline.kind != "relative"
        and bool(re.search(r"完成|到位|达到|实现|退出|关停|实施|执行", core))
    )


_LEAD_IN_RE = re.compile(r"(?:以下|下列|如下)[^，。；：]{0,8}[：:]")
_ENUM_RE = re.compile(r"^(?:[（(](?:\d{1,2}|[一二三四五六七八九十])[）)]|\d{1,2}[.、．]|[①-⑳])")
_CONDITION_RE = re.compile(r"[^，,。；：（）]*的[，,]")
_ALIAS_DEF_RE = re.compile(r"（以下简称[^（）]{2,16}）")


def _subject(sentence: str, aliases: dict[str, str]) -> str | None:
    """The actor before the modal verb: `各市要…` → 各市, `昌盛公司、茂胜公司负责…` → full company names; a sentence
    that opens with a defined alias or an aliased name (`城投热力公司每季度向…报送`) has that company as subject."""
    s = re.sub(r"^(?:\d{4}年[^，]{0,12}?(?:前|起|底)，|[^，。]{0,6}方面，)", "", sentence)
    s = _ALIAS_DEF_RE.sub("", s)  # `孝义市城投集中供热有限公司（以下简称城投热力公司）要…`
    m = re.match(r"^([^，。；：（]{2,22}?)(?:要|必须|应当|应|须|负责|不得|严禁|禁止|可以|牵头|配合|按职责)", s)
    if not m:
        names = sorted({n for pair in aliases.items() for n in pair if not n.startswith("《")}, key=len, reverse=True)
        named = next((n for n in names if s.startswith(n)), None)
        return aliases.get(named, named) if named else None
    subject = m.group(1)
    if IMPERATIVE_RE.match(subject) and not re.match(r"^(?:各|有关|相关|全省|全市|省|市|县)", subject):
        return None
    return resolve_alias(subject, aliases)


def _action(sentence: str, subject: str | None, deadline: Deadline | None) -> str:
    s = ASSIGNMENT_PAREN_RE.sub(lambda m: "" if parse_parenthetical(m.group(1)) else m.group(0), sentence)
    if deadline is not None:
        s = s.replace(deadline.text, "", 1)
    s = re.sub(r"^[，,、\s]+", "", s)
    if subject:
        # the subject (its first name) and what comes up to the duty word; a literal prefix and one compiled pattern,
        # not a pattern per subject (real laws have thousands: they thrashed re's cache of 512 compiled patterns)
        first = subject.split("、")[0]
        m = _UP_TO_DUTY.match(s, len(first)) if s.startswith(first) else None
        if m:
            s = s[m.end() :]
    return s.strip("。；，,： ")[:120]


_UP_TO_DUTY = re.compile(r"[^，。；]*?(?:要|必须|应当|应|须|负责|不得|严禁)")


_PLACE_RE = re.compile(
    "|".join(
        re.escape(n)
        for n in sorted({*places.PLACES, *(p.short for p in places.PLACES.values())}, key=len, reverse=True)
        if len(n) >= 2
    )
)


def _place_run(s: str, within: int = 8) -> list[str]:
    """The places named together at the head of a sentence: `临汾市尧都区、襄汾县、洪洞县…` → all four,
    `忻府、原平、岢岚3个产焦县` → all three, `临汾市淘汰…` → one."""
    for typo, fix in places.TYPOS.items():
        s = s.replace(typo, fix)
    m = _PLACE_RE.search(s, 0, within + 6)
    if not m or m.start() >= within:
        return []
    names, pos = [m.group(0)], m.end()
    while True:
        nxt = _PLACE_RE.match(s, pos)  # a place inside the previous one: 临汾市尧都区
        if nxt is None and pos < len(s) and s[pos] in "、和及与":
            nxt = _PLACE_RE.match(s, pos + 1)  # the next place of a list
        if nxt is None:
            return names
        names.append(nxt.group(0))
        pos = nxt.end()


def _jurisdiction(sentence: str, doc: Document) -> str | None:
    """The document's place, unless the sentence is about one more specific place inside it (`临汾市…`).  Several
    places named together (`推动忻府、原平、岢岚3个产焦县…`) narrow it only to the place containing all of them."""
    if not doc.jurisdiction:
        return doc.jurisdiction
    run = _place_run(re.sub(r"^\d{4}年[^，]{0,10}，", "", sentence))
    if not run:
        return doc.jurisdiction
    chains = [places.ancestors(n) for n in run]
    common = next((a for a in chains[0] if all(a in c for c in chains[1:])), None)
    if common and common != doc.jurisdiction and doc.jurisdiction in places.ancestors(common):
        return common
    return doc.jurisdiction


def _record(
    doc: Document,
    clause: Clause,
    n: int,
    text: str,
    start: int,
    end: int,
    subject: str | None,
    roles: Assignment,
    deadlines: list[Deadline],
    jurisdiction: str | None,
    warnings: list[str],
) -> Obligation:
    # a date inside a condition (`2019年10月1日前实际生产负荷已低于…的，核定…`) says which cases are meant, not
    # when the duty is due
    candidates = [d for d in deadlines if not _CONDITION_RE.match(text, d.end)]
    deadline = next(
        (d for d in candidates if d.kind in ("by", "from", "during")), candidates[0] if candidates else None
    )
    thresholds = _thresholds(text)
    return Obligation(
        id=f"{clause.id}#{n}",
        doc_id=doc.id,
        doc_file=doc.source_file,
        doc_number=doc.doc_number,
        jurisdiction=jurisdiction,
        clause_id=clause.id,
        clause_path=list(clause.path),
        text=text,
        subject=subject,
        action=_action(text, subject, deadline),
        modality=modality_of(text),
        deadline=deadline,
        thresholds=thresholds,
        departments=roles.as_departments(),
        start=start,
        end=end,
        other_deadlines=[d for d in deadlines if d is not deadline],
        department_names=dict(roles.written),
        warnings=warnings + [w for d in deadlines for w in d.warnings],
    )


# a span of time within which, or ahead of which, something is done: the sentence's time limit, not a threshold
_TIME_UNITS = ("日", "天", "工作日", "小时", "个月", "年")
_TIME_LIMIT_AFTER = re.compile(r"(?:以内|之内|内)")


def _is_time_limit(text: str, t: Threshold) -> bool:
    return t.unit in _TIME_UNITS and bool(
        _TIME_LIMIT_AFTER.match(text, t.end) or t.text.endswith(("以内", "之内")) or text[: t.start].endswith("提前")
    )


def _thresholds(text: str) -> list[Threshold]:
    """The sentence's quantities less those that are another field's: a sanction's amount (`处二万元以上二十万元以下
    的罚款`) is its penalty's, a time limit (`自收到报告之日起四十五日内`, `提前二十四小时通知`) is when, not how
    much (the deadline's, a relative one)."""
    penalties = [(p.start, p.start + len(p.text)) for p in find_penalties(text)]
    return [
        t
        for t in find_thresholds(text)
        if not any(a <= t.start and t.end <= b for a, b in penalties) and not _is_time_limit(text, t)
    ]


# a sentence that opens with its verb or an adverbial has the subject of the sentence before it
_CONTINUES = re.compile(r"^(?:应当|应|可以|不得|必须|须|并|还|对|依法|及时|负责|按照|会同)")


_LEADING_CONDITIONS = re.compile(r"^(?:[^，,。；]*?(?:的|时|后)[，,])+")


_MODAL_START = re.compile(r"^(?:也|还|并|均)?(?:应当|应(?!急|用|对)|必须|须|不得|可以)")


def _continues(text: str) -> bool:
    """A sentence without a subject of its own continues the subject of the sentence before it: it opens with its
    verb (`不得要求…`), or its leading condition opens with a verb and a modal follows (`发现事故隐患…的，应当及时依法
    处理`, `属于较大以上等级事故的，还应当…报告`).  A condition with a topic of its own
    (`其他建设工程经依法抽查不合格的，
    应当停止使用`), a passive one (`被责令停产停业的，`) or an adverb after it (`构成犯罪的，依法追究刑事责任`) does
    not: its actor is someone else."""
    import jieba.posseg

    core = text.strip()
    main = _LEADING_CONDITIONS.sub("", core)
    if main == core or _CONTINUES.match(core):
        return bool(_CONTINUES.match(core))
    first = jieba.posseg.lcut(core[:6])[0]
    return bool(_MODAL_START.match(main)) and (first.flag == "v" or first.word == "经")


# words that make a heading a duty rather than a topic: `焦化企业要按证排污`, `…全部关停退出`, `一律纳入台账管理`
_DUTY_HEADING_RE = re.compile(
    r"(?<![重主需纲摘只])要(?!求|点|素|是)|应当|必须|须|不得|严禁|禁止|一律|全部|^(?:鼓励|支持)\S{6,}"
)


# a task stated without a modal verb: `…焦炉全部关停退出`, `厂内运输车辆全部采用新能源…`, `排放总量指标核减30%`
_DIRECTIVE_RE = re.compile(
    r"全部|一律|全面(?:完成|实现|落实|推行)|均(?:须|应|要|达到|采用)|至少|核减|下降\d|提高\d|"
    r"(?:完成|实现|达到)[^，。；]{0,10}(?:改造|治理|目标|要求|标准|登记|验收|任务)"
)


def _directive(text: str) -> bool:
    core = text.strip("。；，, ")
    return len(core) >= 8 and bool(_DIRECTIVE_RE.search(core)) and not _is_background(core)


def _heading_is_duty(text: str, doc_year: int | None, issue_date: str | None) -> bool:
    """A heading that is a rule in itself (a modal, a limit, a date or a quantity) is an obligation; a topic
    heading (`（一）加强组织领导`) only introduces the duties below it."""
    return bool(
        _DUTY_HEADING_RE.search(text)
        or any(t.comparator != "=" for t in find_thresholds(text))
        or any(d.date for d in find_deadlines(text, doc_year, issue_date))
    )


@dataclass(frozen=True)
class _Named:
    """Authorities the authority grammar finds in one sentence, read once: the names that open it (with their 会同
    partners), the acting authority after any leading conditions, and the `由…` agents."""

    opening: list[str]
    subject: list[str]
    cooperate: list[str]
    agents: list[str]


def _named(sentence: str) -> _Named:
    """The acting authority may follow the sentence's conditions and adverbials
    (`对未完成…目标的地方，省人民政府环境保护主管部门应当会同…`, `…在保证安全的前提下，…部门可以…`)."""
    # `移动源污染防治的监督管理：发展改革、…等主管部门…负责…`: a topic label before the subject
    sentence = re.sub(r"^[^，。；：]{2,20}[：:](?=[^，。；：]{2,60}?(?:部门|机关|机构|人民政府))", "", sentence)
    first = subject_authorities(sentence.lstrip("，,"))
    parts = re.split(r"[，,]", sentence)[1:]
    later = (subject_authorities(part.strip()) for part in parts)
    subject, cooperate = first if any(first) else next((found for found in later if any(found)), ([], []))
    if subject:  # `…负责制定…规范，会同国务院有关部门组织…`: partners of a later part, same subject
        joint = (re.match(r"(?:并|还|应当|可以)?会同", p.strip()) for p in parts)
        cooperate = cooperate + [n for j, p in zip(joint, parts) if j for n in partners(p.strip()[j.end() :])]
    return _Named(first[0] + first[1], subject, cooperate, agent_authorities(sentence))


def _complete_names(roles: Assignment, named: _Named) -> None:
    """A department rule that matched only part of a name (`省人民政府` of `省人民政府环境保护主管部门`,
    `市人民政府` of `省辖市人民政府`) gives way to the whole name found by the authority grammar."""
    full = named.opening + named.agents
    for role, names in roles.roles.items():
        for i, name in enumerate(names):
            longer = [f for f in full if name in f and name != f]
            if longer:
                names[i] = longer[0]
                roles.written[longer[0]] = longer[0]
        roles.roles[role] = list(dict.fromkeys(names))


def _add_authorities(roles: Assignment, named: _Named, known: list[str]) -> None:
    """Generically named authorities (authorities.py) that the department rules did not already place; a
    distributed name (`市住建部门`) becomes the department of the document it stands for (`市住建局`)."""
    placed = {n for names in roles.roles.values() for n in names}
    for role, names in ((Role.RESPONSIBLE, named.subject + named.agents), (Role.COOPERATE, named.cooperate)):
        for name in (resolve(n, known) for n in names):
            if canonical_department(name) not in placed:
                roles.add(role, name)
                placed.add(canonical_department(name))


def _paragraph_of(pos: int, own_spans: list[tuple[int, int]], text: str) -> int:
    """Index of the paragraph (among a clause's own paragraphs) that contains offset `pos`."""
    index = 0
    for s, e in own_spans:
        if pos < e:
            return index + text.count("\n", s, max(s, pos))
        index += text.count("\n", s, e) + 1
    return index


def _sentence_roles(
    text: str,
    own: Assignment,
    closing: Assignment | None,
    holders: list[tuple[str, str]],
    previous: Assignment | None,
    known: list[str],
) -> Assignment:
    """Departments of one sentence, from the most to the least explicit source: the sentence's own (spaCy DEPT spans
    with their role words), the parenthetical that closes its part of the item, the 工作职责 holder when the sentence
    names nobody, generically named authorities (authorities.py), and, for a sentence without a subject, the
    departments of the sentence before it."""
    roles = Assignment()
    roles.merge(own)
    if closing is not None:
        roles.merge(closing)
    if not own:
        for canon, as_written in holders:
            if is_department(canon):
                roles.add(Role.RESPONSIBLE, as_written)  # canonical role name, the written form (市住建局) kept
    named = _named(text)
    if roles:
        _complete_names(roles, named)
    _add_authorities(roles, named, known)
    if not roles and previous is not None and _continues(text):
        roles.merge(previous)  # `…部门对…进行审查，不得收取费用；不得要求…`: the subject carries over
    return roles


# the main clause of a penalty provision: who acts after the violation (`…的，由…处…`, `…的，责令改正`)
_VIOLATION_END = re.compile(r"的[，,]")


def _violation_part(text: str, penalty_item: bool, penalised: bool) -> int:
    """Length of the part of a penalty provision that describes the violation: a whole violation item, or the
    condition up to the first `…的，` when the sentence states a penalty that the law itself imposes.  When the
    main clause opens with a modal (`…部门发现…的，应当责令…`), the authority of the condition is the actor."""
    if penalty_item:
        return len(text)
    m = _VIOLATION_END.search(text) if penalised else None
    if m is None or re.match(r"(?:应当|应|可以|必须|有权)", text[m.end() :]):
        return 0
    return m.start()


def _drop_non_actors(ob: Obligation, violation: int, imposing: Iterable[str] = ()) -> None:
    """Authorities that are not the actor of the sentence: the violator of a penalty provision (`环境保护主管部门…
    不依法作出行政许可的，对…依法给予处分`; `生产经营单位拒绝、阻碍…部门依法实施监督检查的，`), unless introduced by
    由; and a back-reference (`依法作出处罚决定的部门`) when the sentence names the authority it refers to.  The
    authority that imposes an item's penalties (``imposing``, from the lead-in) stays even when the violation names it
    too (`（二）…未与生态环境主管部门的监控设备联网的` under `由生态环境主管部门责令改正`)."""
    text = ob.text
    kept = {canonical_department(n) for n in imposing}
    names = [(role, n) for role, ns in ob.departments.items() for n in ns]
    others = [n for _, n in names if not is_back_reference(ob.department_names.get(n, n))]
    for role, name in names:
        written = ob.department_names.get(name, name)
        places = [m.start() for m in re.finditer(re.escape(written), text)]
        violator = bool(places) and all(p < violation and not text[:p].endswith("由") for p in places)
        if (violator and name not in kept) or (is_back_reference(written) and others):
            ob.departments[role].remove(name)


def _duty_of_list(ob: Obligation, ctx: ClauseContext, known: list[str]) -> None:
    """An item of a duty list takes the lead-in's modality (unless it states its own) and its subject/authority."""
    if ctx.duty_modality is None or ctx.duty_lead_in is None:
        return
    if not STRONG_RE.search(ob.text):  # an item with its own 应当/不得 keeps it
        ob.modality = ctx.duty_modality
    ob.subject = ob.subject or _subject(ctx.duty_lead_in, {})
    if not ob.departments.names():
        roles = Assignment()
        _add_authorities(roles, _named(ctx.duty_lead_in), known)
        if roles:
            ob.departments = roles.as_departments()
            ob.department_names = dict(roles.written)
            ob.inherited_from = ob.inherited_from or ctx.duty_from


def _inherit(ob: Obligation, ctx: ClauseContext) -> None:
    """Fill what the sentence does not state from its clause's context (context.py), naming the source clause."""
    if ob.deadline is None and ctx.deadline is not None:
        ob.deadline = ctx.deadline
        ob.inherited_from = ctx.deadline_from
    if not ob.departments.names() and ctx.departments is not None:
        ob.departments = ctx.departments.as_departments()
        ob.department_names = {**dict(ctx.departments.written), **ob.department_names}
        ob.inherited_from = ob.inherited_from or ctx.departments_from


def _add_penalties(ob: Obligation, ctx: ClauseContext, own: list[Penalty], referenced: str | None = None) -> None:
    """Penalties of the sentence itself (`own`, with those and the authority of a paragraph it refers to,
    ``referenced``), or of the penalty list the
    clause is an item of, with the authority that imposes them as the responsible department.  `ob.text` is still
    the text normalised for matching here (extract_document restores the written form afterwards)."""
    if ctx.penalty_item:
        penalties, names = ctx.penalties + own, ctx.authorities
        ob.modality = Modality.MUST_NOT
        ob.subject = ob.subject or ctx.violator  # an item names the conduct; the lead-in, who is punished
        if not ob.departments.names():
            ob.inherited_from = ob.inherited_from or ctx.penalties_from
    else:
        penalties, names = own, authorities(ob.text) if own else []
        if own and not names and referenced:
            names = authorities(referenced)  # `依照前款规定处罚`: by the authority of that paragraph too
        if own and (names or ob.text.startswith("违反")) and ob.modality in (Modality.MUST, Modality.MAY):
            ob.modality = (
                Modality.MUST_NOT
            )  # a penalty provision (`违反…的，由…处…`): the conduct it punishes is prohibited
    ob.penalties = list(penalties)
    roles = Assignment()
    for role, canon in ((r, n) for r, ns in ob.departments.items() for n in ns):
        roles.add(role, ob.department_names.get(canon, canon))
    for name in names:
        roles.add(Role.RESPONSIBLE, name)
    ob.departments = roles.as_departments()
    ob.department_names = {**dict(roles.written), **ob.department_names}


def extract_clause(
    doc: Document,
    clause: Clause,
    aliases: dict[str, str],
    doc_year: int | None,
    ctx: ClauseContext | None = None,
    known: list[str] | None = None,
) -> list[Obligation]:
    """Obligations of one clause.  `doc` and `clause` carry text normalised for matching (``for_matching``)."""
    if clause.kind != "body" or not clause.text.strip():
        return []
    ctx = ctx or ClauseContext()
    known_departments = known if known is not None else named_departments(doc.text)
    own_spans = text_spans(doc.text, clause)  # an article's closing paragraph is a span of its own (data-model.md)
    offset = own_spans[0][0]
    parens = [(s + a, s + b, asg) for s, e in own_spans for a, b, asg in assignments_in(doc.text[s:e])]
    written = duty_holders_written(clause.heading, aliases) if clause.text.startswith(f"{clause.heading}：") else []
    holders = [canonical_department(h) for h in written]
    heading_end = (
        offset + len(clause.heading or "") if clause.heading and clause.text.startswith(clause.heading) else offset
    )
    results: list[Obligation] = []
    previous: Assignment | None = None  # the departments of the last obligation sentence, for elliptical subjects
    lead_in: tuple[str | None] | None = None  # (subject,) while the items of an announced list follow
    # a numbered item of a 公文 (a task or measure below a section), not an article of a law
    task_item = clause.level >= 2 and not any((lbl or "").startswith("第") for lbl in clause.path)
    penalty_clause = ctx.penalty_item or bool(find_penalties(clause.text))
    ends = PENALTY_SENTENCE_END if penalty_clause else SENTENCE_END
    paragraphs = [line for s, e in own_spans for line in doc.text[s:e].split("\n")]
    sentence_spans = [sent for s, e in own_spans for sent in split_sentences(doc.text[s:e], s, ends)]
    split_off: set[int] = set()  # starts of the second duties split off a sentence (`…，并由…部门依法设置…`)
    if any((lbl or "").startswith("第") for lbl in clause.path):
        # a law states one norm per addressee; a 公文 measure names all who take part in it in one sentence
        parts = [split_at_new_subjects(doc.text[a:b], a) for a, b in sentence_spans]
        split_off = {s for p in parts for s, _ in p[1:]}
        sentence_spans = [span for p in parts for span in p]
    for start, end in sentence_spans:
        text = doc.text[start:end]
        if (
            end <= heading_end + 1
            and text.strip("。：") == (clause.heading or "").strip("。：")
            and not _heading_is_duty(text, doc_year, doc.issue_date)
            and not (ctx.penalty_item or ctx.duty_modality is not None)
        ):
            # the heading itself (`加强组织领导`), unless it states a duty of its own; the last item of a duty or
            # penalty list ends with `。` and reads like a heading (`（七）及时、如实报告生产安全事故。`): an item
            continue
        if RESPONSIBILITY_LINE.match(text.strip()):
            continue  # `责任单位：…` assigns the clause's duties (context.py); it is not one itself
        if holders and start == offset:
            heading = clause.heading or ""
            start, text = start + len(heading) + 1, text[len(heading) + 1 :]
        # the department regex itself, not the spaCy pipeline's DEPT spans: those are the same regex's matches, and
        # running the pipeline (jieba, the phrase ruler, every span finder) over every sentence was a third of a
        # build's extraction time on real text for no change in any obligation (issue 18)
        own = roles_in_sentence(text)
        closing = next((asg for a, b, asg in parens if b >= end - 1 or a >= start), None)
        roles = _sentence_roles(text, own, closing, list(zip(holders, written)), previous, known_departments)
        stated = find_penalties(text)
        deadlines = find_deadlines(text, doc_year, doc.issue_date)
        if ASSIGNMENT_PAREN_RE.fullmatch(text.strip("。；")):
            continue
        # an item of a list announced by a duty (`…必须符合以下标准之一：（1）…；（2）…。`) is part of that duty
        listed = lead_in is not None and bool(_ENUM_RE.match(text))
        forced = (
            listed
            or start in split_off
            or ctx.penalty_item
            or ctx.duty_modality is not None
            or bool(stated)
            or (task_item and _directive(text))
            # `…应当及时劝阻、调解；劝阻、调解无效的，可以向…报告`: a permission of the subject before it
            or (bool(results) and modality_of(text) == Modality.MAY and _continues(text))
        )
        if not forced and not _is_obligation(text, deadlines[0] if deadlines else None, own):
            lead_in = None
            continue
        subject = (
            _subject(text, aliases)
            or (lead_in[0] if listed and lead_in else None)
            or ("、".join(holders) if holders else None)
        )
        lead_in = (subject,) if _LEAD_IN_RE.search(text) else (lead_in if listed else None)
        previous = roles if roles else None
        ob = _record(
            doc,
            clause,
            len(results) + 1,
            text.strip(),
            start,
            end,
            subject,
            roles,
            deadlines,
            _jurisdiction(text, doc),
            list(clause.warnings),
        )
        referenced = referenced_paragraph(text, paragraphs, _paragraph_of(start, own_spans, doc.text))
        _add_penalties(ob, ctx, stated + (find_penalties(referenced) if referenced else []), referenced)
        _duty_of_list(ob, ctx, known_departments)
        _drop_non_actors(
            ob, _violation_part(ob.text, ctx.penalty_item, bool(stated)), ctx.authorities if ctx.penalty_item else ()
        )
        _inherit(ob, ctx)
        results.append(ob)
    return results


def _for_matching(doc: Document) -> Document:
    """A copy of the document whose texts have uniform punctuation; offsets are unchanged (a 1:1 mapping)."""
    return replace(
        doc,
        text=for_matching(doc.text),
        clauses=[
            replace(c, text=for_matching(c.text), heading=for_matching(c.heading or "") or None) for c in doc.clauses
        ],
    )


def extract_document(doc: Document) -> list[Obligation]:
    """All obligations of a document, in document order; their texts are quoted as written."""
    matching = _for_matching(doc)
    aliases = find_aliases(matching.text)
    doc_year = int(doc.issue_date[:4]) if doc.issue_date else None
    context = contexts(matching.clauses, doc_year, doc.issue_date)
    known = named_departments(matching.text)  # once per document: the department regex is large
    out: list[Obligation] = []
    for clause in matching.clauses:
        out.extend(extract_clause(matching, clause, aliases, doc_year, context.get(clause.id), known))
    where = _where(doc)
    for ob in out:
        ob.text = doc.text[ob.start : ob.end].strip()
        # last, once the subject and departments are final
        ob.applicability = applicability(
            ob.text,
            ob.subject,
            ob.departments,
            ob.thresholds,
            modality=ob.modality,
            where=where.get(ob.clause_id),
            deadline=ob.deadline is not None,
            penalties=bool(ob.penalties),
            inherited=ob.inherited_from is not None,
        )
    return out


_ARTICLE_RE = re.compile(r"^第[一二三四五六七八九十百零〇两]+条")


def _where(doc: Document) -> dict[str, Where]:
    """Per clause: the headings above it and in it (outermost first) and its document's level and kind."""
    by_id = {c.id: c for c in doc.clauses}
    law = any(_ARTICLE_RE.match(c.label or "") for c in doc.clauses)
    level = str(doc.level) if doc.level else None
    out: dict[str, Where] = {}
    for clause in doc.clauses:
        heads: list[str] = []
        c: Clause | None = clause
        while c is not None:
            if c.heading:
                heads.append(c.heading)
            c = by_id.get(c.parent_id) if c.parent_id else None
        parent = by_id.get(clause.parent_id) if clause.parent_id else None
        lead_in = parent.text if parent is not None and _LIST_LEAD_RE.search(parent.text) else ""
        out[clause.id] = Where(tuple(reversed(heads)), lead_in, level, law, doc.title or "")
    return out


# a clause that announces the items under it (`有下列行为之一的，…：`, `应当遵守下列规定：`)
_LIST_LEAD_RE = re.compile(r"(?:下列|以下|如下)[^。]{0,30}[：:]")


def extract_all(docs: Iterable[Document]) -> list[Obligation]:
    return [o for d in docs for o in extract_document(d)]
