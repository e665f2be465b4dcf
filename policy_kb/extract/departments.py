"""Who is responsible: department assignments in parentheticals, in running text and in 工作职责 lists, and
company aliases (`以下简称昌盛公司`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import places
from ..records import Departments, Role
from .lexicon import DEPT_RE, ORG_SUFFIX, canonical_department

ROLES = tuple(Role)
_ROLE_WORDS = [  # checked in order on the text right after a list of names
    (Role.LEAD, r"牵头"),
    (Role.IMPLEMENT, r"(?:负责)?(?:组织)?落实"),
    # `…部门应当予以配合`: a modal before the role word still makes it a cooperating role
    (
        Role.COOPERATE,
        r"(?:等(?:有关|相关)?部门)?(?:(?:也|均)?(?:应当|应|要|必须)?(?:予以|积极|给予|主动)?)?"
        r"(?:配合|协同|协助|参与|形成合力)",
    ),
    (Role.RESPONSIBLE, r"(?:等(?:有关|相关)?部门)?(?:按(?:照)?职责(?:分工)?(?:分别)?负责|负责|要|必须|应)"),
]
_BRACKETS = str.maketrans("〈〉()", "（）（）")
ASSIGNMENT_PAREN_RE = re.compile(r"（([^（）]*(?:（[^（）]*）[^（）]*)*)）")


@dataclass
class Assignment:
    """Departments by role; names canonical, with the written forms kept alongside."""

    roles: dict[Role, list[str]] = field(default_factory=lambda: {r: [] for r in ROLES})
    written: dict[str, str] = field(default_factory=dict)  # canonical → as written

    def add(self, role: Role, name: str) -> None:
        canon = canonical_department(name)
        if canon not in self.roles[role]:
            self.roles[role].append(canon)
        self.written.setdefault(canon, name)

    def merge(self, other: Assignment) -> None:
        for role, names in other.roles.items():
            for n in names:
                self.add(role, other.written.get(n, n))

    def __bool__(self) -> bool:
        return any(self.roles.values())

    def as_departments(self) -> Departments:
        """The record an obligation holds (a copy: the assignment may still grow)."""
        return Departments(**{r.value: list(ns) for r, ns in self.roles.items()})


def _split_top(text: str, seps: str) -> list[str]:
    """Split on separators that are not inside brackets (`有关县（市、区）人民政府` stays whole)."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        depth += ch in "（(〈"
        depth -= ch in "）)〉"
        if ch in seps and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def split_names(text: str) -> list[str]:
    """A list of units (`市工信局（牵头），市生态环境局、各县（区、市）人民政府`) → names, brackets kept whole."""
    return _split_top(text, "，,、；;")


def parse_parenthetical(inner: str) -> Assignment | None:
    """`省工业和信息化厅牵头，省发展改革委配合，市县政府落实` → roles; None when it is not an assignment."""
    result = Assignment()
    for part in _split_top(inner, "，,；;"):
        role = None
        for r, pattern in _ROLE_WORDS:
            m = re.search(rf"({pattern})$", part)
            if m:
                role, part = r, part[: m.start()]
                break
        if role is None:
            return None
        names = _split_top(re.sub(r"等(?:有关|相关)?部门$", "", part), "、")
        for name in names:
            # match on full-width brackets (`县〈市、区〉` is `县（市、区）`), keep the name as written
            found = [name[m.start() : m.end()] for m in DEPT_RE.finditer(name.translate(_BRACKETS))]
            if found:
                for f in found:
                    result.add(role, f)
            elif 2 <= len(name) <= 14:
                result.add(role, name)  # e.g. 相关部门, 各有关单位: kept as written
    return result or None


def assignments_in(text: str) -> list[tuple[int, int, Assignment]]:
    """Every parenthetical assignment in a clause with its span."""
    out = []
    for m in ASSIGNMENT_PAREN_RE.finditer(text):
        a = parse_parenthetical(m.group(1))
        if a is not None and any(DEPT_RE.search(n) for names in a.roles.values() for n in names):
            out.append((m.start(), m.end(), a))
    return out


_PLACE_LIST_GOV = re.compile(
    r"((?:[\u4e00-\u9fff]{2,4}(?:市|县|区)、)+)([\u4e00-\u9fff]{2,4}(?:市|县|区))(人民政府|政府)"
)


def expand_place_governments(text: str) -> str:
    """`忻府区、岢岚县人民政府` → `忻府区人民政府、岢岚县人民政府`, so each government is found on its own."""

    def repl(m: re.Match[str]) -> str:
        names = [n for n in m.group(1).split("、") if n] + [m.group(2)]
        return "、".join(n + m.group(3) for n in names)

    return _PLACE_LIST_GOV.sub(repl, text)


def roles_in_sentence(sentence: str, dept_spans: list[str] | None = None) -> Assignment:
    """Departments named in running text with the role word that follows them: `省工信厅负责指导…`,
    `市生态环境局牵头，有关县（市、区）人民政府配合`.  ``dept_spans`` (from the spaCy DEPT component) restricts the
    names to those the pipeline recognised."""
    result = Assignment()
    text = ASSIGNMENT_PAREN_RE.sub(
        lambda m: "（" + "　" * (len(m.group(0)) - 2) + "）" if parse_parenthetical(m.group(1)) else m.group(0),
        sentence,
    )
    text = expand_place_governments(text)
    matches = [
        m for m in DEPT_RE.finditer(text) if (dept_spans is None or m.group(0) in text) and not _verb_object(m.group(0))
    ]
    i = 0
    while i < len(matches):
        group = [matches[i]]
        while i + 1 < len(matches) and re.fullmatch(r"[、和及与]", text[group[-1].end() : matches[i + 1].start()]):
            i += 1
            group.append(matches[i])
        after = text[group[-1].end() : group[-1].end() + 14]
        before = text[max(0, group[0].start() - 2) : group[0].start()]
        role = next((r for r, pattern in _ROLE_WORDS if re.match(pattern, after)), None)
        if before.endswith("会同"):
            role = Role.COOPERATE  # `市商务局要会同市交通运输局建立…`
        elif role is None and group[0].start() == 0 and re.match(r"[\u4e00-\u9fff]", after):
            role = Role.RESPONSIBLE  # the sentence opens with the department: `市交通运输局每季度对…抽查`
        if role is not None:
            for m in group:
                result.add(role, m.group(0))
        i += 1
    return result


def _verb_object(name: str) -> bool:
    """`加强部门（协同配合）`, `督促部门`: a verb and its object that the productive `…部门` pattern took for a name
    (jieba tags the core a plain verb; sectors are nouns or verbal nouns: 管理部门, 有关部门)."""
    if not name.endswith("部门") or "的" in name:
        return False  # `参与事故抢救的部门`: a verb inside a qualifier belongs to the name
    import jieba.posseg

    words = jieba.posseg.lcut(name[:-2])
    # `制定国家突发事件部门（应急预案）`: a long stretch that opens with a verb is its object, not a name
    return bool(words) and words[0].flag == "v" and (len(words) == 1 or len(name) > 6)


_ALIAS_RE = re.compile(r"（以下简称[“\"]?([^”\"（）]{2,12})[”\"]?）")


def find_aliases(text: str) -> dict[str, str]:
    """`介休市昌盛煤气化有限公司（以下简称昌盛公司）` → {昌盛公司: 介休市昌盛煤气化有限公司}."""
    aliases: dict[str, str] = {}
    for m in _ALIAS_RE.finditer(text):
        left = text[max(0, m.start() - 40) : m.start()]
        title = re.search(r"《[^《》]{2,38}》$", left)
        if title:  # a document: `《山西省焦化产业管理条例》（以下简称《条例》）` keeps its book-title marks
            aliases[m.group(1)] = title.group(0)
            continue
        left = _trim_org(re.split(r"[，、：；。（）\n,]", left)[-1])
        if len(left) >= 3:
            aliases[m.group(1)] = left
    return aliases


def resolve_alias(name: str, aliases: dict[str, str]) -> str:
    parts = _split_top(name, "、")
    return "、".join(aliases.get(p, p) for p in parts)


def _trim_org(name: str) -> str:
    """Start an organisation name at its place name (`关停退出介休市昌盛…公司` → `介休市昌盛…公司`)."""
    found = [name.find(p.name) for p in places.find_places(name) if p.name in name]
    if found and min(found) > 0:
        return name[min(found) :]
    return re.sub(r"^(?:全面|关停|退出|完成|推进|支持|督促|要求|对|由|将|与|和|及)+", "", name)


def org_names(text: str) -> list[str]:
    names = [_trim_org(m.group(0)) for m in re.finditer(rf"[\u4e00-\u9fff]{{2,20}}?{ORG_SUFFIX}", text)]
    return [n for n in names if len(n) >= 4]


def duty_holders_written(heading: str | None, aliases: dict[str, str]) -> list[str]:
    """Names in a 工作职责 item heading as written (`市住建局`), company aliases resolved to the full name."""
    if not heading or len(heading) > 40 or re.search(r"[，。；]", heading):
        return []
    names = _split_top(heading, "、")
    ok = all(
        DEPT_RE.fullmatch(n)
        or re.search(rf"(?:{ORG_SUFFIX}|镇|乡|街道|开发区|管委会|大队|分局|公司)$", n)
        or n in aliases
        for n in names
    )
    return [aliases.get(n, n) for n in names] if ok else []


def duty_holders(heading: str | None, aliases: dict[str, str]) -> list[str]:
    """Names in a 工作职责 item heading (`市住建局`, `开发区、连福镇、张兰镇`, `昌盛公司、茂胜公司`), canonical."""
    return [canonical_department(n) for n in duty_holders_written(heading, aliases)]


def is_department(name: str) -> bool:
    """Departments, governments and utilities carry roles; enterprises are subjects, not departments."""
    return bool(DEPT_RE.fullmatch(name)) or bool(re.search(r"(?:镇|乡|街道|开发区|管委会|大队|分局)$", name))
