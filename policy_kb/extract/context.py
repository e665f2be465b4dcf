"""What a clause inherits from the clauses above it, computed once per document before sentences are read:

- a responsibility line (`责任单位：市工信局（牵头），市生态环境局、市应急管理局，各县（区、市）人民政府`,
  `牵头单位：…` / `配合单位：…`) covers its own clause and every clause below it;
- a deadline on a heading (`（一）完成焦炉淘汰（2025年6月底前）`) covers the items below that state none;
- a 法律责任 article whose lead-in announces a list (`有下列行为之一的，由…责令改正，处…罚款：`) gives each of its
  `（一）…` items the penalties and the authority of the lead-in, plus any penalty its closing paragraph assigns
  to that item (`有前款第三项…行为之一的，处…`).

A sentence's own departments and deadline always win; the inherited ones fill the gaps and name their source clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..ingest.clauses import cn_to_int
from ..records import Clause, Deadline, Modality, Penalty, Role
from .dates import find_deadlines
from .departments import Assignment, split_names
from .penalties import authorities, find_penalties, item_penalties

# `责任单位：` and its variants; the role of the units it lists comes from the label (`牵头单位` → lead)
_LABELS = (
    r"责任单位|责任部门|牵头单位|牵头部门|配合单位|配合部门|协同部门|协同单位"
    r"|参与单位|协办单位|主办单位|落实单位|实施单位|责任主体"
)
RESPONSIBILITY_LINE = re.compile(rf"^[（(]?(?:{_LABELS})[：:]", re.M)
# one labelled list of units: up to the next label (`牵头部门：…；配合部门：…` may share a line) or the line end
_RESPONSIBILITY = re.compile(rf"({_LABELS})[：:]\s*(.+?)(?=[；;。，,]?\s*(?:{_LABELS})[：:]|[）)]?[。；;]?$)", re.M)
_LABEL_ROLE = {
    "牵头单位": Role.LEAD,
    "牵头部门": Role.LEAD,
    "主办单位": Role.LEAD,
    "配合单位": Role.COOPERATE,
    "配合部门": Role.COOPERATE,
    "协同部门": Role.COOPERATE,
    "协同单位": Role.COOPERATE,
    "参与单位": Role.COOPERATE,
    "协办单位": Role.COOPERATE,
    "落实单位": Role.IMPLEMENT,
    "实施单位": Role.IMPLEMENT,
}
_MARKER = re.compile(r"[（(](牵头|配合|落实|负责)[）)]$")
_MARKER_ROLE = {"牵头": Role.LEAD, "配合": Role.COOPERATE, "落实": Role.IMPLEMENT, "负责": Role.RESPONSIBLE}
# governments of lower levels listed among the units carry out what the departments organise
_IMPLEMENTER = re.compile(r"^(?:各|有关)(?:[^，、（]|（[^）]*）){0,14}(?:人民政府|政府|管委会)$")
# a penalty article's lead-in that announces its violation items
PENALTY_LIST_LEAD = re.compile(r"(?:下列|以下)")
# a duty that announces its items: `负有下列职责：`, `应当遵守下列规定：`, `不得有下列行为：`
DUTY_LIST_LEAD = re.compile(
    r"(?:应当|必须|须|不得|禁止|严禁|负有|履行|承担)[^。；]{0,30}(?:下列|以下|如下)[^。；]{0,12}[：:]\s*$"
)


@dataclass
class ClauseContext:
    """Inherited facts for one clause (see the module docstring)."""

    departments: Assignment | None = None
    departments_from: str | None = None
    deadline: Deadline | None = None
    deadline_from: str | None = None
    penalty_item: bool = False  # the clause is a violation item of a penalty list
    penalties: list[Penalty] = field(default_factory=list)
    authorities: list[str] = field(default_factory=list)
    penalties_from: str | None = None
    violator: str | None = None  # whom a penalty list punishes (`特种设备生产单位有下列行为之一的`)
    duty_modality: Modality | None = None  # the clause is an item of a duty list (`负有下列职责：`)
    duty_lead_in: str | None = None
    duty_from: str | None = None


def responsibility_line(text: str) -> Assignment | None:
    """Roles of the units in every responsibility line of `text` (normalised punctuation)."""
    result = Assignment()
    for m in _RESPONSIBILITY.finditer(text):
        label_role = _LABEL_ROLE.get(m.group(1))
        names = split_names(m.group(2))
        has_lead = any((marker := _MARKER.search(n)) is not None and marker.group(1) == "牵头" for n in names)
        for name in names:
            marker = _MARKER.search(name)
            bare = name[: marker.start()] if marker else name
            if marker:
                role = _MARKER_ROLE[marker.group(1)]
            elif _IMPLEMENTER.match(bare):
                role = Role.IMPLEMENT
            else:
                role = label_role or (Role.COOPERATE if has_lead else Role.RESPONSIBLE)
            result.add(role, bare)
    return result or None


def _heading_deadline(clause: Clause, doc_year: int | None, issue_date: str | None) -> Deadline | None:
    """A completion deadline (`…前`) in the clause's heading.  Only `by` deadlines are carried down: a period in a
    heading (`“十一五”期间…`) describes the section, it does not set a due date for every sentence below it."""
    if not clause.heading or len(clause.heading) > 80:
        return None
    return next((d for d in find_deadlines(clause.heading, doc_year, issue_date) if d.kind == "by" and d.date), None)


def _lead_deadline(clause: Clause, doc_year: int | None, issue_date: str | None) -> Deadline | None:
    """For the items below a clause: its heading's deadline, or the one deadline of a one-sentence lead-in
    (`（二）开展焦炉烟气治理，2025年9月底前完成。`)."""
    found = _heading_deadline(clause, doc_year, issue_date)
    first = clause.text.split("\n", 1)[0]
    if found is None and len(first) <= 80 and first.count("。") <= 1:
        dls = [d for d in find_deadlines(first, doc_year, issue_date) if d.kind == "by" and d.date]
        found = dls[0] if len(dls) == 1 else None
    return found


def contexts(clauses: list[Clause], doc_year: int | None, issue_date: str | None = None) -> dict[str, ClauseContext]:
    """Context of every clause, parents before children (clauses come in document order)."""
    out: dict[str, ClauseContext] = {}
    leads: dict[str, Deadline | None] = {}  # each clause's deadline for the items below it
    by_id = {c.id: c for c in clauses}
    for c in clauses:
        parent = out.get(c.parent_id or "")
        ctx = ClauseContext()
        if parent is not None:
            ctx.departments, ctx.departments_from = parent.departments, parent.departments_from
            ctx.deadline, ctx.deadline_from = parent.deadline, parent.deadline_from
            if c.parent_id not in leads:
                leads[c.parent_id] = _lead_deadline(by_id[c.parent_id], doc_year, issue_date)  # type: ignore[index]
            if leads[c.parent_id] is not None:  # type: ignore[index]
                ctx.deadline, ctx.deadline_from = leads[c.parent_id], c.parent_id  # type: ignore[index]
        if c.kind == "body":
            own = responsibility_line(c.text)
            if own is not None:
                ctx.departments, ctx.departments_from = own, c.id
            dl = _heading_deadline(c, doc_year, issue_date)
            if dl is not None:
                ctx.deadline, ctx.deadline_from = dl, c.id
        p = by_id.get(c.parent_id or "")
        if p is not None and c.label and c.label[0] in "（(":
            if not _penalty_item(ctx, c, p):
                _duty_item(ctx, p)
        out[c.id] = ctx
    return out


def _lead_and_closing(clause: Clause) -> tuple[str, str]:
    """(the paragraph right before a clause's items, the paragraphs after them).  An article's closing paragraph
    is a span of its own (docs/data-model.md); without spans the first line is the lead-in."""
    if len(clause.spans) > 1:
        n = clause.spans[0][1] - clause.spans[0][0]
        return clause.text[:n].rsplit("\n", 1)[-1], clause.text[n + 1 :]
    lead, _, rest = clause.text.partition("\n")
    return lead, rest


def _penalty_item(ctx: ClauseContext, item: Clause, article: Clause) -> bool:
    """Give a violation item the penalties and authority of its article's lead-in and closing paragraph;
    items that state their own penalty (`（一）发生一般事故的，处…罚款`) are violation items too."""
    lead_in, closing = _lead_and_closing(article)
    if not PENALTY_LIST_LEAD.search(lead_in):
        return False
    penalties = find_penalties(lead_in)
    number = _item_number(item.label or "")
    by_item = item_penalties(closing)
    specific = by_item.get(number, []) if number else []
    if not by_item:  # a closing paragraph about the whole list (`情节特别严重的，…二倍以上五倍以下…处以罚款`)
        specific = [p for p in find_penalties(closing) if p.condition or re.search(r"前款|上述|前述", closing)]
    if not (penalties or specific or find_penalties(item.text)):
        return False
    ctx.penalty_item = True
    ctx.penalties = penalties + specific
    ctx.authorities = authorities(lead_in) or authorities(closing)
    ctx.penalties_from = article.id
    ctx.violator = violator(lead_in)
    return True


_VIOLATOR_RE = re.compile(r"^(?:违反本[^，,。]{0,8}规定[，,]?)?([^，,；;。]{2,40}?)(?:有|具有|存在)下列")


def violator(lead_in: str) -> str | None:
    """Whom a penalty list's lead-in punishes: `违反本法规定，特种设备生产单位有下列行为之一的，…` →
    特种设备生产单位; None when it names nobody (`有下列行为之一的`)."""
    m = _VIOLATOR_RE.match(lead_in)
    return m.group(1) if m else None


def _duty_item(ctx: ClauseContext, parent: Clause) -> None:
    """Items of a list announced by a duty (`生产经营单位的主要负责人对本单位安全生产工作负有下列职责：`,
    `不得有下列行为：`) are duties of the lead-in's subject with the lead-in's modality."""
    lead_in, _ = _lead_and_closing(parent)
    if not DUTY_LIST_LEAD.search(lead_in):
        return
    ctx.duty_modality = Modality.MUST_NOT if re.search(r"不得|禁止|严禁", lead_in) else Modality.MUST
    ctx.duty_lead_in = lead_in
    ctx.duty_from = parent.id


def _item_number(label: str) -> int | None:
    """`（三）` → 3, `（十二）` → 12."""
    return cn_to_int(label.strip("（）()"))
