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

from .departments import _split_top
from .lexicon import ABBREVIATIONS, DEPT_RE, canonical_department

MAX_NAME = 40  # longer stretches before a verb are clauses, not names


@lru_cache(maxsize=1)
def _terms() -> dict[str, list[str]]:
    data = json.loads(resources.files("policy_kb").joinpath("data/authority_terms.json").read_text(encoding="utf-8"))
    return {k: (v if k == "vague" else sorted(v, key=len, reverse=True)) for k, v in data.items() if not k.startswith("_")}


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


def is_authority(name: str) -> bool:
    """A government body by the shape of its name; regulated parties (`生产经营单位`, `排污单位`) are not."""
    if not 2 <= len(name) <= MAX_NAME or _head(name) is None or _patterns()[2].match(name):
        return False
    if name.startswith(tuple(_terms()["not_start"])) or any(re.match(v, name) for v in _terms()["vague"]):
        return False  # `各相关部门`: names nobody in particular
    return not any(name.endswith(p) for p in _terms()["parties"]) and not re.search(r"[，。；：“”《》]", name)


def split_authorities(phrase: str) -> list[str]:
    """`国务院和县级以上地方各级人民政府` → two names; `交通、渔业主管部门` → 交通主管部门, 渔业主管部门;
    `市应急管理、生态环境等部门` → 市应急管理部门, 市生态环境部门 (the first name's level is shared too)."""
    out: list[str] = []
    for group in _split_conjunctions(phrase):
        group = re.sub(r"^其(?!他)", "", group)  # `…及其发展改革部门`: 其 refers back, it is not part of the name
        # `…、住建等部门`, `…、水利等扬尘监督管理部门`: what follows 等 is the shared suffix; otherwise the last
        # name's head is
        shared = re.search(r"等(?:有关|相关)?((?:[\u4e00-\u9fff]{0,4}监督管理|主管)?部门|单位|机构|机关)$", group)
        parts = [p for p in _split_top(group[:shared.start()] if shared else group, "、") if p]
        if not parts:
            continue
        head = shared.group(1) if shared else _head(parts[-1])
        if shared:
            parts[-1] += head
        level_m = _patterns()[1].match(parts[0])
        level = level_m.group(0) if level_m and len(parts[0]) > len(level_m.group(0)) and not _head(parts[0]) else ""
        for i, part in enumerate(parts):
            name = part
            if head and not _head(part):
                name = part + head
            if i and level and not _has_level(part):
                name = level + name
            out.append(name)
    return [n for n in (_unqualified(n) for n in out) if is_authority(n)]


def _unqualified(name: str) -> str:
    """`重点区域内的省辖市人民政府` → `省辖市人民政府`: a place qualifier before a levelled name is not part of it
    (`负有安全生产监督管理职责的部门` keeps its qualifier: what follows 的 has no level)."""
    head, _, tail = name.rpartition("的")
    if not head or _patterns()[1].match(name):  # `设区的市级以上地方人民政府…` is a level in itself
        return name
    return tail if _patterns()[1].match(tail) and len(tail) > 2 else name


def _has_level(part: str) -> bool:
    """`省发展改革` names its level; `市场监管` does not (市场 is a word), so the word segmenter decides."""
    import jieba

    return bool(_patterns()[1].match(part)) and jieba.lcut(part)[0] in _terms()["levels"]


def _split_conjunctions(phrase: str) -> list[str]:
    """Split at 和/及/或者/与 only after a complete name: `生态环境主管部门和税务机关` is two authorities,
    `自然资源和规划部门` and `工业和信息化局` are one."""
    groups, start = [], 0
    for m in re.finditer(r"以及|或者|和|及|与", phrase):
        left = phrase[start:m.start()]
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
    return bool(m) and m.group(0) == text


def _longest_name(text: str) -> tuple[str, int] | None:
    """The stretch at the start of `text` that names one or more authorities and ends where a verb or a comma
    begins (the first such place: `…主管部门会同国务院有关部门…` ends before 会同)."""
    head, _, stop = _patterns()
    limit = min(len(text), MAX_NAME + 20)
    for end in range(2, limit + 1):
        chunk = text[:end]
        if re.search(r"[，。；：]", chunk):
            return None
        at_verb = end == len(text) or bool(stop.match(text, end)) or text[end] in "，"
        if at_verb and head.search(chunk):
            return chunk, end
        if at_verb and end < len(text) and not re.match(r"和|及|、|或", text[end]):
            return None  # the subject ended with a verb before any authority was named (`各市要组织工信部门`)
    return None


def subject_authorities(sentence: str) -> tuple[list[str], list[str]]:
    """(responsible, cooperate) named as the sentence's subject: `县级以上人民政府应当…` → responsible;
    `国务院生态环境主管部门会同国务院有关部门制定…` → the second is cooperate."""
    found = _longest_name(sentence)
    if found is None:
        return [], []
    names = split_authorities(found[0])
    rest = sentence[found[1]:]
    cooperate: list[str] = []
    joint = re.match(r"(?:应当|应|可以|负责)?会同", rest)
    if joint:
        partner = _longest_name(rest[joint.end():])
        cooperate = split_authorities(partner[0]) if partner else []
    return names, cooperate


def agent_authorities(sentence: str) -> list[str]:
    """Authorities introduced by `由` (`…名录，由设区的市级以上地方人民政府环境保护主管部门确定`)."""
    out: list[str] = []
    for m in re.finditer(r"由", sentence):
        found = _longest_name(sentence[m.end():])
        if found:
            out.extend(split_authorities(found[0]))
    return out


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
