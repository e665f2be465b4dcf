"""Authorities named generically, as laws and regulations name them: `县级以上人民政府生态环境主管部门`,
`国务院和县级以上地方各级人民政府`, `负有安全生产监督管理职责的部门`, `税务机关`, and coordinated names that share
a level and a suffix (`市应急管理、生态环境、工信等部门` → 市应急管理部门, 市生态环境部门, 市工信部门).

A name is recognised by its shape (an optional level, a sector, a head word such as 主管部门/人民政府/机关) rather than
by a list of known departments, so it works for any law; the words live in ``data/authority_terms.json``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from .. import places
from .departments import _split_top
from .lexicon import ABBREVIATIONS, DEPT_RE, canonical_department

MAX_NAME = 40  # longer stretches before a verb are clauses, not names


@lru_cache(maxsize=1)
def _terms() -> dict[str, list[str]]:
    data = json.loads(resources.files("policy_kb").joinpath("data/authority_terms.json").read_text(encoding="utf-8"))
    return {
        k: (v if k in ("vague", "back_references") else sorted(v, key=len, reverse=True))
        for k, v in data.items()
        if not k.startswith("_")
    }


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    t = _terms()
    alt = lambda words: "|".join(re.escape(w) for w in words)  # noqa: E731
    head = re.compile(rf"(?:{alt(t['heads'])})$")
    level = re.compile(rf"^(?:{alt(t['levels'])})")
    # `应` of 应急管理 and `要` of 主要 are not modal verbs
    stop = re.compile(rf"(?:{alt(w for w in t['subject_stops'] if w not in ('应', '要'))}|应(?!急|用)|要(?!求|素|点))")
    return head, level, stop


def _head(name: str) -> str | None:
    m = _patterns()[0].search(name)
    return m.group(0) if m else None


# an authority named by what it does: `负有安全生产监督管理职责的部门`, `依法作出处罚决定的行政机关`,
# `其他依照本法规定行使监督管理权的部门`; the qualifier is a relative clause, so verbs (依照, 作出) may occur in it
_QUALIFIED = re.compile(
    r"^(?:其他)?(?!向|对|由|经|报|将|在|与|和|及|会同|组织)[^，。；：、“”《》]{2,30}的"
    r"(?:行政)?(?:主管)?(?:部门|机关|机构)$"
)
# a qualifier that starts after `其他` or a conjunction and runs to its head (`…或者其他|依照本法规定…的部门`)
_QUALIFIER_AHEAD = re.compile(r"[^，。；：、]{2,30}?的(?:行政)?(?:主管)?(?:部门|机关|机构)")
_MODAL_IN = re.compile(r"(?<![主重需纲摘只])要(?!求|点|素|是)|应当|应(?!急|用|对)|必须|可以|不得|(?<![必无])须")


# a standing function in the qualifier makes it part of the name, even with a list inside or a level after it:
# `负责颁发危险化学品安全生产许可证、工业产品生产许可证的部门`, `负有…职责的市人民政府工作部门`
_FUNCTION_QUALIFIED = re.compile(
    r"^(?:国务院|(?:县级以上)?(?:地方)?(?:各级)?人民政府|省级人民政府|设区的市级人民政府)?(?:其他)?(?:负有[^，。；：“”《》的]{2,30}职责|负责[^，。；：“”《》的]{2,40})的[^，。；：、的]{0,10}?"
    r"(?:行政)?(?:主管)?(?:部门|机关|机构)$"
)


def is_qualified(name: str) -> bool:
    """An authority named by a relative clause (`负有安全生产监督管理职责的部门`), without a modal in it."""
    return bool(_QUALIFIED.match(name) or _FUNCTION_QUALIFIED.match(name)) and not _MODAL_IN.search(name)


def is_back_reference(name: str) -> bool:
    """`依法作出处罚决定的行政机关`: the authority the article already named as deciding; not a body of its own."""
    return is_qualified(name) and any(re.search(p, name) for p in _terms()["back_references"])


def is_authority(name: str) -> bool:
    """A government body by the shape of its name; regulated parties (`生产经营单位`, `排污单位`) are not."""
    if 2 <= len(name) <= MAX_NAME and is_qualified(name):
        return True
    if "由" in name or re.match(r"未经|经(?!济)|未向", name):
        return False  # `特种设备目录由国务院`, `未经公安机关`: a clause that ends in a name
    if not 2 <= len(name) <= MAX_NAME or _head(name) is None or _patterns()[2].match(name):
        return False
    if _head(name) in _terms()["leveled_heads"] and not _patterns()[1].match(name) and not places.find_places(name):
        return False  # an enterprise's 安全生产委员会, a 村民委员会: not a government body
    if name.startswith(tuple(_terms()["not_start"])) or any(re.match(v, name) for v in _terms()["vague"]):
        return False  # `各相关部门`: names nobody in particular
    return not any(name.endswith(p) for p in _terms()["parties"]) and not re.search(r"[，。；：“”《》]", name)


def split_authorities(phrase: str) -> list[str]:
    """`国务院和县级以上地方各级人民政府` → two names; `交通、渔业主管部门` → 交通主管部门, 渔业主管部门;
    `市应急管理、生态环境等部门` → 市应急管理部门, 市生态环境部门 (the first name's level is shared too)."""
    out: list[str] = []
    previous: list[str] = []  # the names of the group before (`市、县（区）人民政府` → two governments)
    for group in _split_conjunctions(phrase):
        start = len(out)
        for owner in _owners(group, previous):
            _split_group(re.sub(r"^其(?!他)", "", group), owner, out)
        previous = out[start:]
    return [n for n in (_unqualified(n) for n in out) if is_authority(n)]


def _owners(group: str, previous: list[str]) -> list[str]:
    """`县级以上人民政府及其发展改革、农业等主管部门`: 其 refers back to the governments named before, whose
    departments these are (each of them: `市、县（区）人民政府及其有关部门` → both governments' departments)."""
    governments = [n for n in previous if re.search(r"(?:人民政府|政府|国务院)$", n)]
    return governments if re.match(r"其(?!他)", group) and governments else [""]


def _split_group(group: str, owner: str, out: list[str]) -> None:
    """The names of one group between conjunctions, appended to ``out``."""
    # one name, whatever its qualifier lists: `负责颁发…、…的部门`, `省、自治区、直辖市人民政府确定的镇人民政府`
    if _FUNCTION_QUALIFIED.match(group) or _designated_one(group):
        out.append(owner + group)
        return
    category = _category(group)
    if category:
        out.append(owner + category)
        return
    # `…、住建等部门`, `…、水利等扬尘监督管理部门`: what follows 等 is the shared suffix; otherwise the last
    # name's head is
    shared = re.search(r"等(?:有关|相关)?((?:[\u4e00-\u9fff]{0,4}监督管理|主管)?部门|单位|机构|机关)$", group)
    parts = [p for p in _split_top(group[: shared.start()] if shared else group, "、") if p]
    if not parts or (len(parts) > 1 and not all(_list_member(p) for p in parts)):
        return
    head = shared.group(1) if shared else _head(parts[-1])
    if shared:
        parts[-1] += shared.group(1)
    level_m = _patterns()[1].match(parts[0])
    level = (
        level_m.group(0)
        if level_m and len(parts[0]) > len(level_m.group(0)) and not _head(parts[0]) and _has_level(parts[0])
        else ""
    )  # `市场监督管理、海关等部门`: 市场 is a word, not the level 市
    designated = _DESIGNATED.match(parts[0])  # `地方人民政府指定的城市道路、城市轨道交通有关部门`: shared
    # `设区的市、县级人民政府有关部门`: a bare level shares all of the last name after its level
    last_level = re.match(rf"{_patterns()[1].pattern}(?:（[^）]*）)?", parts[-1])  # `县（市）` is one level
    level_suffix = parts[-1][last_level.end() :] if last_level and len(parts) > 1 else ""
    for i, part in enumerate(parts):
        name = part
        # `城市、县人民政府城乡规划主管部门`, `所在地城市、县人民政府…`
        if level_suffix and (_is_level(part) or re.fullmatch(r"(?:所在地)?(?:城市|镇|乡)", part)):
            name = part + level_suffix
        elif head and not _head(part):
            name = part + head
        if i and level and not _has_level(part):
            name = level + name
        if i and designated and "的" not in part:
            name = designated.group(0) + name
        # the owner's departments only: `县级人民政府及其有关部门、乡级人民政府、街道办事处` lists bodies of their own
        own = owner and not _patterns()[1].match(name) and not re.search(r"(?:政府|办事处|委员会|机关)$", name)
        out.append(owner + name if own else name)


def _designated_one(name: str) -> bool:
    """One authority designated by the governments before it (`省、自治区、直辖市人民政府确定的镇人民政府`), not a
    list of designated ones (`地方人民政府指定的城市道路、城市轨道交通有关部门`)."""
    designated = re.search(r"(?:人民政府|政府|国务院)(?:指定|确定|授权|委托)的", name)
    return designated is not None and "、" not in name[designated.end() :]


def _category(group: str) -> str | None:
    """`开发区、工业园区、港区、旅游度假区等功能区管理机构` → `功能区管理机构`: after 等 comes the kind that every
    member is an instance of (each ends as the kind does), and the head belongs to that kind, not to each member
    (`交通运输、水利等有关部门` and `…、水利等扬尘监督管理部门` are still distributed)."""
    head = _head(group)
    m = re.match(rf"^(.+)等([\u4e00-\u9fff]{{1,6}}?){re.escape(head)}$", group) if head else None
    if head is None or m is None or m.group(2).startswith(("有关", "相关")):
        return None
    members = _split_top(m.group(1), "、")
    kind = m.group(2)
    return kind + head if len(members) >= 2 and all(p.endswith(kind[-1]) for p in members) else None


def _list_member(part: str) -> bool:
    """A member of a coordinated list of authorities (`交通运输`, `住房城乡建设`, `县级以上人民政府农业`) never
    holds a regulated party or a conjunction: `生产经营单位拒绝、阻碍…的部门` and `进行爆破、吊装、…以及国务院
    应急管理部门` are clauses that merely end in a name."""
    return not re.search(r"以及|或者", part) and not names_party(part)


def names_party(text: str) -> bool:
    """A regulated party's word in the text outside the authorities' head words: `生产经营单位拒绝…的部门` names
    one; `农业主管部门` does not (its `业主` straddles 农业|主管部门)."""
    bare = _heads_anywhere().sub("|", text)
    return any(w in bare for w in _terms()["parties"])


@lru_cache(maxsize=1)
def _heads_anywhere() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(h) for h in _terms()["heads"]))


# a government that designates the authority: `地方人民政府指定的部门`, `县级以上人民政府确定的监督管理部门`
_DESIGNATED = re.compile(r"^[^，。；、]*?(?:人民政府|政府|国务院)(?:指定|确定|授权|委托)的")


def _unqualified(name: str) -> str:
    """`重点区域内的省辖市人民政府` → `省辖市人民政府`: a qualifier before a levelled or a sector's name is not
    part of it (`负有安全生产监督管理职责的部门` keeps its qualifier: what follows 的 is a bare head), nor is a
    designating government's (`地方人民政府指定的城市轨道交通有关部门` is not any 城市轨道交通有关部门)."""
    head, _, tail = name.rpartition("的")
    if not head or _patterns()[1].match(name) or _DESIGNATED.match(name) or _FUNCTION_QUALIFIED.match(name):
        return name  # `设区的市级以上…` is a level itself
    if _patterns()[1].match(tail) and len(tail) > 2:
        return tail
    # `接到举报的生态环境主管部门` is the 生态环境主管部门; a bare head (`…职责的部门`) needs its qualifier
    return tail if _head(tail) not in (None, tail) and is_authority(tail) else name


def _has_level(part: str) -> bool:
    """`省发展改革` names its level; `市场监管` does not (市场 is a word), so the word segmenter decides."""
    import jieba

    return bool(_patterns()[1].match(part)) and jieba.lcut(part)[0] in _terms()["levels"]


def _split_conjunctions(phrase: str) -> list[str]:
    """Split at 和/及/或者/与 only after a complete name: `生态环境主管部门和税务机关` is two authorities,
    `自然资源和规划部门` and `工业和信息化局` are one."""
    groups, start = [], 0
    for m in re.finditer(r"以及|或者|和|及|与", phrase):
        left = phrase[start : m.start()]
        if _head(left) or _is_level(left):
            groups.append(left)
            start = m.end()
    groups.append(phrase[start:])
    # `省辖市和县（市、区）人民政府`: a bare level shares the head of the name after it
    for i in range(len(groups) - 2, -1, -1):
        if _is_level(groups[i]) and not _head(groups[i]) and _head(groups[i + 1]):
            groups[i] += _head(groups[i + 1]) or ""
    return groups


def _is_level(text: str) -> bool:
    m = _patterns()[1].match(text)
    return m is not None and m.group(0) == text


def _longest_name(text: str) -> tuple[str, int] | None:
    """The stretch at the start of `text` that names one or more authorities and ends where a verb or a comma
    begins (the first such place: `…主管部门会同国务院有关部门…` ends before 会同)."""
    head, _, stop = _patterns()
    qualified = _QUALIFIER_AHEAD.match(text)
    if qualified and is_qualified(qualified.group(0)):
        # `接到报告或者投诉的部门应当…`: 报 is inside the qualifier; `国务院负责特种设备安全监督管理的部门制定…`: a
        # function names the authority whatever verb follows
        function = _FUNCTION_QUALIFIED.match(qualified.group(0)) and not re.match(
            r"和|及|、|或", text[qualified.end() :]
        )
        if function or _MODAL_AFTER.match(text, qualified.end()):
            return qualified.group(0), qualified.end()
    limit = min(len(text), MAX_NAME + 20)
    end = 1
    while end < limit:
        end += 1
        chunk = text[:end]
        if re.search(r"[，。；：]", chunk):
            return None
        at_verb = end == len(text) or bool(stop.match(text, end)) or text[end] in "，"
        if at_verb and head.search(chunk):
            return chunk, end
        qualifier = _QUALIFIER_AHEAD.match(text, end) if re.search(r"(?:或者|以及|和|及|、)其他$", chunk) else None
        if qualifier is not None:  # `…部门或者其他|依照本法规定行使监督管理权的部门`: 依照 is inside the name
            if not re.match(r"和|及|、|或", text[qualifier.end() :]):
                return text[: qualifier.end()], qualifier.end()  # a qualified name ends at its head
            end = qualifier.end() - 1
            continue
        if at_verb and end < len(text) and not re.match(r"和|及|、|或", text[end]):
            return None  # the subject ended with a verb before any authority was named (`各市要组织工信部门`)
    return None


def _name_before_verb(text: str) -> tuple[str, int] | None:
    """A subject followed by a verb that is not one of the subject stops (`税务机关发现…的，`, `负有安全生产监督管理
    职责的部门接到…报告后，`): the shortest stretch of the first comma part that names an authority and is followed
    by a word jieba tags as a verb or a preposition.  A stretch that opens with a preposition or a conjunction, or
    names a regulated party or has a verb of its own outside a qualifier (`单位委托有关部门`), is
    not a name."""
    import jieba.posseg

    part = re.split(r"[，。；：,]", text, maxsplit=1)[0][: MAX_NAME + 20]
    head = _patterns()[0]
    for end in range(2, min(len(part), MAX_NAME)):
        name = part[:end]
        if not head.search(name) or _MODAL_IN.search(name):
            continue
        if re.match(r"[^，。；]{1,12}?的[^，。；]{0,10}?(?:部门|机关|机构|人民政府)", part[end:]):
            continue  # `县级以上人民政府|确定的监督管理部门`: the government is inside the name's qualifier
        following = jieba.posseg.lcut(part[end : end + 8])
        if not following or following[0].flag not in ("v", "p") or not following[0].word.startswith(part[end]):
            continue
        words = jieba.posseg.lcut(name)
        if (
            words[0].flag in ("p", "c")
            or names_party(name)
            or (not is_qualified(name) and any(w.flag in ("v", "p") for w in words))
        ):
            return None  # `与所在地…人民政府`, `土地使用权已经被地方人民政府`: a preposition or a clause
        return (name, end) if split_authorities(name) else None
    return None


# the subject of a sentence that opens with it: everything before its modal, or before `，` + modal
_SUBJECT_PHRASE = re.compile(
    r"^([^，。；：、][^，。；：]{1,60}?)[，,]?(?:也|还|均|同时|都)?"
    r"(?:应当|(?<![供响适相反效])应(?!急|用|对)|可以|必须|须|不得|负责(?!人)|有权)"  # 供应, 响应 are no modals
)


def _is_topic(text: str) -> bool:
    """A noun phrase (`具体范围和实施办法`, `特种设备目录`), not a clause (`是指依法设立并`, `…应当`): jieba tags
    no word of it a verb."""
    import jieba.posseg

    return not _MODAL_IN.search(text) and all(w.flag != "v" for w in jieba.posseg.lcut(text))


_TOPIC_AGENT = re.compile(r"^[^，。；：由]{2,20}?由(?=[^，。；：]{2,40}?(?:部门|机关|机构|人民政府|国务院))")


def _coordinated_subject(sentence: str) -> tuple[list[str], int] | None:
    """The authorities among the members of a coordinated subject, and where the subject ends: `各级人民政府和有关
    部门、单位应当…` → 各级人民政府; `铁路运输企业和设区的市、县级人民政府应当…` → 设区的市人民政府, 县级人民政府;
    `民用机场所在地人民政府，应当…`.  Members are split at 、/和/及/或者/与 only after a complete noun (an
    authority's head word or a regulated party's word); regulated parties (`单位`, `企业`) are left out, and a
    subject with any member that is neither is a clause, not a list of names."""
    m = _SUBJECT_PHRASE.match(sentence)
    if m is None or sentence.startswith(tuple(_terms()["not_start"])):
        return None
    phrase, end = m.group(1), m.end(1)
    clause_word = _CLAUSE_WORD.search(phrase)
    if clause_word:  # `实施检查的部门、人员对…应当保密`: the subject ends before its preposition
        phrase, end = phrase[: clause_word.start()], clause_word.start()
        if not phrase.endswith(tuple(_terms()["heads"]) + tuple(_terms()["parties"])):
            return None  # `重大事故…分别由省…人民政府负责`: a clause, not a subject
    # `未达到…标准的区域所在的设区的市、县级人民政府`: the place qualifier of a levelled government is not its name
    phrase = re.sub(r"^[^，。；、]*?所在的(?=设区的市|省|市|县)", "", phrase)
    members = _members(re.sub(r"(?:之间|相互|共同)$", "", phrase))
    names: list[str] = []
    for member in members:
        member = re.sub(r"及其(?:工作)?人员$", "", member)  # `负责…的部门及其工作人员不得…`: the department acts
        party = next((p for p in _terms()["parties"] if member.endswith(p)), None)
        if party and _heads_anywhere().search(member[: -len(party)]):
            return None  # `各级人民政府和有关部门主要负责人…`: the people of the authorities are the subject
        if party:
            continue
        found = split_authorities(member) if _member_shape(member) else []
        if not found:
            return None
        names.extend(found)
    return (names, end) if names else None


# prepositions and adverbs that make the words before a modal a clause (`分别由…负责`, `对…`, `经…批准的`)
_CLAUSE_WORD = re.compile(r"由|分别|对|向|被|经|从|按照|依照|根据")
# what an authority named by its act does: an administrative function (`接到举报的部门`, `负有…职责的部门`),
# not a condition (`符合法律规定条件的机关`, `国家规定的机关` are plaintiffs, not administrators)
_FUNCTION_WORD = re.compile(r"职责|监督|管理|审批|许可|执法|检查|处罚|举报|投诉|登记|颁发|备案|调查|批准")


def _member_shape(member: str) -> bool:
    """A member of a coordinated subject that can be a name: an authority named by its function, a name without a
    qualifier, or a list sharing a head.  Governments are told apart by level or place (`设区的市、县级人民政府`),
    departments by sector (`交通运输、海事等部门`): `港口、码头…所在地市、县级人民政府` is a clause."""
    level = _patterns()[1].match(member)
    if "的" in member[level.end() if level else 0 :] and not _DESIGNATED.match(member) and not _designated_one(member):
        return is_qualified(member) and bool(_FUNCTION_WORD.search(member.rpartition("的")[0]))
    if "、" in member and re.search(r"(?:人民政府|政府)$", member):
        return bool(_patterns()[1].match(member))
    return True


def _members(phrase: str) -> list[str]:
    """`A和B、C单位` → A, B, C单位: split at a conjunction or 、 whose left side ends in a complete noun."""
    ends = tuple(_terms()["heads"]) + tuple(_terms()["parties"])
    out, start, depth = [], 0, 0
    for m in re.finditer(r"以及|或者|[、和及与（）]", phrase):
        depth += m.group(0) == "（"
        depth -= m.group(0) == "）"
        if depth or m.group(0) in "（）" or re.match(r"其(?!他)", phrase[m.end() :]):
            continue  # `…人民政府及其有关部门` is one member: 其 needs the government before it
        if phrase[start : m.start()].endswith(ends):
            out.append(phrase[start : m.start()])
            start = m.end()
    out.append(phrase[start:])
    return [p for p in out if p]


# a subject that helps with another's duty: `…部门应当予以配合`, `…机关应当协助`
_ASSISTS = re.compile(r"(?:也|均)?(?:应当|应|要|必须)?(?:予以|积极|给予|主动)?(?:配合|协助)")
# `会同有关部门`, `会同同级有关部门`: partners the law does not name
_UNNAMED_PARTNER = re.compile(r"(?:国务院|同级|本级)?(?:其他)?(?:有关|相关)部门")


def subject_authorities(sentence: str) -> tuple[list[str], list[str]]:
    """(responsible, cooperate) named as the sentence's subject: `县级以上人民政府应当…` → responsible;
    `国务院生态环境主管部门会同国务院有关部门制定…` → the second is cooperate."""
    sentence = sentence[1:] if sentence.startswith("由") else sentence  # `由X会同Y组织评审`: X acts, Y cooperates
    topic = _TOPIC_AGENT.match(sentence)
    first_part = re.split(r"[，。；：,]", sentence, maxsplit=1)[0]
    if (
        topic and not first_part.endswith("的") and _is_topic(topic.group(0)[:-1])
    ):  # `具体范围和实施办法由国务院应急管理部门会同…制定`: the topic, then the agent
        sentence = sentence[topic.end() :]
    if sentence.startswith(tuple(_terms()["not_start"])):
        return [], []  # `以及税务机关…` continues an object, `向…部门报告` names an addressee
    found = _longest_name(sentence) or _name_before_verb(sentence)
    names = split_authorities(found[0]) if found else []
    # a coordinated subject is read only where the first reading may have missed members
    listed = not names or re.search(r"[、和及与，,]|或者", sentence[: (found[1] if found else 0) + 12])
    coordinated = _coordinated_subject(sentence) if listed else None
    if coordinated and set(names) < set(coordinated[0]):
        names, found = coordinated[0], ("", coordinated[1])  # `铁路运输企业和设区的市、县级人民政府应当…`
    if found is None or not names:
        return [], []  # no partners without an actor: `…以及国务院应急管理部门会同国务院有关部门规定的其他危险作业`
    rest = sentence[found[1] :]
    if _ASSISTS.match(rest):
        return [], names  # `公安机关交通管理部门应当予以配合`: it cooperates in another's duty
    joint = re.match(r"(?:应当|应|可以|负责)?会同", rest)
    return names, partners(rest[joint.end() :]) if joint else []


# a list of partners that ends in its shared 等…部门 and is not followed by more names
_PARTNER_LIST = re.compile(
    r"[^，。；：]{2,60}?等(?:有关|相关)?(?:[\u4e00-\u9fff]{0,4}监督管理|主管)?部门(?!和|及|、|或)"
)


def partners(text: str) -> list[str]:
    """The authorities right after `会同`: a name up to a verb (`会同国务院有关部门确定…`, `会同其他负有…职责的部门
    约谈…`), or partners the law does not name (`会同有关部门`, `会同同级有关部门`)."""
    qualified = _QUALIFIER_AHEAD.match(text)
    if qualified and is_qualified(qualified.group(0)) and not re.match(r"和|及|、|或", text[qualified.end() :]):
        return split_authorities(qualified.group(0))  # `会同其他负有…职责的部门约谈…`
    listed = _PARTNER_LIST.match(text)
    if listed and split_authorities(listed.group(0)):  # `会同应急管理、…、城市管理综合执法等部门指导、督促…`
        return split_authorities(listed.group(0))
    found = _longest_name(text) or _name_before_verb(text)
    named = split_authorities(found[0]) if found else []
    unnamed = _UNNAMED_PARTNER.match(text)
    return named or ([unnamed.group(0)] if unnamed else [])  # `会同有关部门约谈`: unnamed, partners all the same


# a modal right after a clause's subject (`…部门应当予以配合`, `…单位也应当…`); `应急`/`应用` are not modals
_MODAL_AFTER = re.compile(r"(?:也|还|则|均|同时)?(?:应当|应(?!急|用|对)|可以|必须|须|不得|负责|有权)")
_PARTY_SUBJECT = re.compile(
    r"^([^，。；：（）]{2,20}?)(?:也|还|则|均|同时)?(?:应当|应(?!急|用|对)|可以|必须|须|不得|有权)"
)


def opens_with_actor(text: str) -> bool:
    """The text begins with its own actor and a modal: an authority (`公安机关交通管理部门应当予以配合`) or a
    regulated party (`生产经营单位应当依法执行`).  After a comma this starts a second duty with another subject
    inside one sentence (`…可以提请生态环境主管部门进行复核，生态环境主管部门应当…`)."""
    found = _longest_name(text)
    if found is not None and split_authorities(found[0]) and _MODAL_AFTER.match(text, found[1]):
        return True
    m = _PARTY_SUBJECT.match(text)
    if m is None or _patterns()[2].match(m.group(1)) or m.group(1).startswith(tuple(_terms()["not_start"])):
        return False
    return m.group(1).endswith(tuple(_terms()["parties"]))


def opens_second_actor(text: str) -> bool:
    """After a comma, a second authority with a part of its own, without a modal: one that assists
    (`…进行监督抽测，生态环境主管部门予以配合`) or a new agent (`…向社会公告，并由公安机关交通管理部门依法设置…`)."""
    joined = re.match(r"(?:并|再|另)由", text)
    if joined:
        return bool(agent_authorities(text[joined.end() - 1 :]))
    if not re.search(r"配合|协助", re.split(r"[，。；,]", text, maxsplit=1)[0]):
        return False  # most parts: no reading needed
    found = _longest_name(text) or _name_before_verb(text)
    if found is None or not split_authorities(found[0]):
        return False
    assist = _ASSISTS.match(text, found[1])
    return assist is not None and bool(assist.group(0)) and len(text) - assist.end() <= 2


def agent_authorities(sentence: str) -> list[str]:
    """Authorities introduced by `由` (`…名录，由设区的市级以上地方人民政府环境保护主管部门确定`)."""
    out: list[str] = []
    for m in re.finditer(r"由", sentence):
        found = _longest_name(sentence[m.end() :])
        names = split_authorities(found[0]) if found else []
        part = re.split(r"[，。；：,]", sentence[m.end() :], maxsplit=1)[0]
        # `需要由其他有关部门进行调查处理的，转交…`: an agent inside a condition does not act in the sentence
        listed = [] if part.endswith("的") else _listed_agents(part)
        out.extend(listed if set(names) < set(listed) else names)
    return out


# what an agent introduced by 由 does next: a sanction or an administrative act (`由原发证机关吊销…`,
# `由地方人民政府指定的部门说服教育，责令改正`, `并由工商行政管理部门责令…`); jieba tags 责令/吊销 as nouns
_AGENT_ACT = re.compile(
    r"依法|按照|依照|依据|根据|按|责令|处以|处|给予|没收|吊销|说服|予以|负责|会同|组织|进行|实施|作出|决定|批准|统一|确定|"
    r"制定|公布|发布|征收|收取|报|调解|查处|撤销|核发|颁发|审批|审查|核准|受理|办理|编制"
)


def _listed_agents(text: str) -> list[str]:
    """The authorities of a `由…` phrase that ends where the agent's act begins, member by member: `由监察机关或者
    任免机关、单位依法给予处分` → 监察机关, 任免机关 (单位 is left out, as in a coordinated subject)."""
    part = re.split(r"[，。；：,]", text, maxsplit=1)[0]
    if re.search(r"组成|构成", part):
        return []  # `委员会由…负责人、…代表组成`: 由 names members, not an agent
    ends = tuple(_terms()["heads"]) + tuple(_terms()["parties"])
    for m in _AGENT_ACT.finditer(part):
        phrase = part[: m.start()]
        if not phrase.endswith(ends) or part[m.end() : m.end() + 1] in ("的", "人"):
            continue  # `县级以上人民政府确定的监督管理部门`: the act is the qualifier's; `负责人` is a person
        if _CLAUSE_WORD.search(phrase):
            return []
        names: list[str] = []
        for member in _members(phrase):
            if any(member.endswith(p) for p in _terms()["parties"]):
                continue
            found = split_authorities(member) if _member_shape(member) else []
            if not found:
                return []
            names.extend(found)
        return names
    return []


def expanded_core(core: str) -> str:
    """`住建` → `住房和城乡建设`, `工信` → `工业和信息化` (from the abbreviation table of department names)."""
    for short, full in ABBREVIATIONS.items():
        if short[:-1] == core and full.endswith(short[-1]):
            return full[:-1]
    return core


def named_departments(text: str) -> list[str]:
    """Departments the document names in full (`市住建局`, `晋中市生态环境局介休分局`), as written."""
    return list(dict.fromkeys(m.group(0) for m in DEPT_RE.finditer(text)))


def resolve(name: str, known: list[str]) -> str:
    """A distributed generic name (`市住建部门`) → the one department of the document it stands for
    (`市住建局`), when the document names exactly one; otherwise the generic name as distributed."""
    m = re.match(r"^([省市县区])(.{2,10}?)(?:主管)?部门$", name)
    if not m:
        return name
    core = expanded_core(m.group(2))
    matches = {k for k in known if core in canonical_department(k) and not k.endswith("部门")}
    return matches.pop() if len(matches) == 1 else name
