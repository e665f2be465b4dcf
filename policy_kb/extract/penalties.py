"""Penalties of 法律责任 articles as data: fines with their range, fines as multiples of a base, detention, orders,
confiscation, revocation, warnings, disciplinary sanctions and daily continuing penalties, each with the condition
that triggers it (`拒不改正的`) and the authority that imposes it (`由县级以上人民政府生态环境主管部门…`).

Amounts are converted with cn2an (a maintained numeral converter) instead of hand-written numeral rules, because laws
write `十万元`, local regulations `1万元` and both appear in ranges (`二万元以上二十万元以下`).  Everything works on
text normalised for matching (full-width punctuation), which has the same offsets as the stored text.
"""

from __future__ import annotations

import re

from ..records import Penalty, PenaltyKind
from .authorities import agent_authorities, is_authority, split_authorities
from .quantities import number_value

NUM = r"[零〇一二两三四五六七八九十百千万亿\d.]+"
_PERCENT = rf"(?:百分之{NUM}|{NUM}%)"
_MULTIPLE = rf"(?:{NUM}倍|{_PERCENT})"
_FINE_RANGE = re.compile(
    rf"(?P<lo>{NUM})(?P<lo_unit>万?元)以上(?:(?P<hi>{NUM})(?P<hi_unit>万?元)以下)?(?:的)?罚款"
    rf"|(?P<hi_only>{NUM})(?P<hi_only_unit>万?元)以下(?:的)?罚款"
    rf"|(?P<exact>{NUM})(?P<exact_unit>万?元)(?:的)?罚款"
)
# `按照前款罚款数额的二倍以上五倍以下对负有责任的生产经营单位处以罚款`: whom it is imposed on may come between
_TO_WHOM = r"(?:对[^，。；]{0,24}?处以?)?"
_FINE_MULTIPLE = re.compile(
    rf"(?P<basis>[^，。；：、]{{0,24}}?)的?(?P<lo>{_MULTIPLE})(?:以上|至)(?:(?P<hi>{_MULTIPLE})(?:以下)?)?(?:的)?"
    rf"{_TO_WHOM}(?:罚款|计算罚款)"
    rf"|(?P<basis2>[^，。；：、]{{0,24}}?)的?(?P<hi_only>{_MULTIPLE})以下(?:的)?(?:罚款|计算罚款)"
    rf"|(?P<basis3>[^，。；：、]{{0,24}}?)的?(?P<exact>{_MULTIPLE})(?:的)?(?:罚款|计算罚款)"
)
_DETENTION = re.compile(rf"(?:(?P<lo>{NUM})日以上)?(?P<hi>{NUM})日以下(?:的)?(?:行政)?拘留")
_ORDER = re.compile(r"责令(?!其)[^，。；：、（）]{1,16}?(?=[，。；：、]|$|并处|并|处|或者)")
_CLOSURE = re.compile(r"报(?:经|请)[^，。；]{0,16}批准，?(?:可以)?责令[^，。；：:]{1,12}")
_SIMPLE = [
    (PenaltyKind.DAILY, re.compile(r"按日连续处罚")),
    (PenaltyKind.CONFISCATION, re.compile(r"没收[^，。；、]{1,24}")),
    (PenaltyKind.REVOCATION, re.compile(r"吊销[^，。；]{1,24}")),
    (PenaltyKind.WARNING, re.compile(r"(?:给予|予以|处以?)?警告")),
    (PenaltyKind.SANCTION, re.compile(r"(?:依法)?给予[^，。；]{0,12}处分")),
]
# `…的，` right before a penalty: the condition it applies under (`拒不改正的，责令停产整治`, `情节严重的，…`)
_CONDITION = re.compile(r"(?:^|[；;。])([^；;。，]{2,30}的)，[^；;。]*$")
# the violation itself is a condition too; only escalations after the first penalty clause are recorded as such
_ESCALATION = re.compile(r"拒不|逾期|情节严重|造成|再次|继续|仍")


def _amount(value: str | None, unit: str | None) -> float | None:
    if value is None:
        return None
    n = number_value(value)
    if n is None:
        return None
    return n * 10000 if unit and unit.startswith("万") and "万" not in value else n


def _ratio(s: str | None) -> float | None:
    """`三倍` → 3, `百分之六十` / `60%` → 0.6."""
    if s is None:
        return None
    if s.endswith("倍"):
        return number_value(s[:-1])
    n = number_value(s.removeprefix("百分之").rstrip("%"))
    return None if n is None else round(n / 100, 6)


def _clean_basis(s: str | None) -> str | None:
    if not s:
        return None
    s = re.sub(r"^.*处以?(?=.)", "", s)  # `并由应急管理部门处上一年年收入` → 上一年年收入
    s = re.sub(r"^(?:并|可以|按照?)+", "", s).strip()
    s = re.sub(r"的$", "", s)
    return s or None


def _fines(text: str) -> list[Penalty]:
    if "罚款" not in text:  # both patterns end in 罚款; their scan costs ~7 % of a build on real text
        return []
    out = []
    for m in _FINE_RANGE.finditer(text):
        if text[max(0, m.start() - 1) : m.start()] in "的至" and m.group("exact"):
            continue  # `…违法所得的…` is a multiple, handled below
        if m.group("lo") is not None:
            lo, hi = _amount(m.group("lo"), m.group("lo_unit")), _amount(m.group("hi"), m.group("hi_unit"))
        elif m.group("hi_only") is not None:
            lo, hi = None, _amount(m.group("hi_only"), m.group("hi_only_unit"))
        else:
            lo = hi = _amount(m.group("exact"), m.group("exact_unit"))
        if lo is None and hi is None:
            continue
        out.append(Penalty(kind=PenaltyKind.FINE, text=m.group(0), min=lo, max=hi, unit="元", start=m.start()))
    for m in _FINE_MULTIPLE.finditer(text):
        basis = _clean_basis(m.group("basis") or m.group("basis2") or m.group("basis3"))
        if m.group("lo") is not None:
            lo, hi = _ratio(m.group("lo")), _ratio(m.group("hi"))
        elif m.group("hi_only") is not None:
            lo, hi = None, _ratio(m.group("hi_only"))
        else:
            lo = hi = _ratio(m.group("exact"))
        if lo is None and hi is None:
            continue
        out.append(
            Penalty(
                kind=PenaltyKind.FINE_MULTIPLE,
                text=m.group(0).strip(),
                min=lo,
                max=hi,
                unit=None,
                basis=basis,
                start=m.start(),
            )
        )
    return out


def _condition(text: str, pos: int, first_penalty: int) -> str | None:
    """The `…的，` condition right before a penalty, when it escalates after the first penalty of the sentence."""
    if pos <= first_penalty:
        return None
    m = _CONDITION.search(text[:pos])
    if m and _ESCALATION.search(m.group(1)):
        return m.group(1)
    return None


def find_penalties(text: str) -> list[Penalty]:
    """Every sanction stated in `text`, in order, each with its escalation condition if any."""
    found = _fines(text)
    for m in _DETENTION.finditer(text):
        found.append(
            Penalty(
                kind=PenaltyKind.DETENTION,
                text=m.group(0),
                min=number_value(m.group("lo")) if m.group("lo") else None,
                max=number_value(m.group("hi")),
                unit="日",
                start=m.start(),
            )
        )
    closures = list(_CLOSURE.finditer(text))
    for m in closures:
        found.append(Penalty(kind=PenaltyKind.CLOSURE, text=m.group(0), start=m.start()))
    for m in _ORDER.finditer(text):
        if any(c.start() <= m.start() < c.end() for c in closures) or "之日" in m.group(0):
            continue  # part of a closure, or a date reference (`自作出责令改正之日的次日起`)
        found.append(Penalty(kind=PenaltyKind.ORDER, text=m.group(0), start=m.start()))
    for kind, rule in _SIMPLE:
        for m in rule.finditer(text):
            found.append(Penalty(kind=kind, text=m.group(0), start=m.start()))
    found.sort(key=lambda p: p.start)
    if found:
        first = found[0].start
        for p in found:
            p.condition = _condition(text, p.start, first)
    return found


# `由X（、Y）（按照职责分工）责令/处/没收…`: X and Y impose the penalty
_AUTHORITY = re.compile(
    r"由([^，。；：]{2,60}?)(?:按照?职责(?:分工)?|依(?:照|据)?[^，。；]{0,20}?规定|依法)?"
    r"(?:责令|处以?|没收|吊销|给予|予以|对|依照|按照)"
)
# `负有安全生产监督管理职责的部门可以…按日连续处罚`: a sentence that opens with an authority (callers only ask for
# sentences that state a penalty)
_AUTHORITY_SUBJECT = re.compile(
    r"^([^，。；：]{2,40}?(?:部门|机构|机关|人民政府|委员会))(?=可以|应当|依法|责令|处|没收|吊销|给予|按)"
)


def authorities(text: str) -> list[str]:
    """Who imposes the penalties of `text`: the `由…` phrase (split at 、/或者/和), or a sentence-initial authority."""
    named = agent_authorities(text)
    if named:
        return named
    m = _AUTHORITY.search(text)
    if not m:
        m = _AUTHORITY_SUBJECT.search(text)
        if not m:
            return []
    # the pieces of a phrase the grammar cannot read whole are kept only when each is an authority's name
    # (`所在单位或者有权机关` → 有权机关; `城市管理行政执法机关行使` (…行使处罚权) is no name)
    return split_authorities(m.group(1)) or [n for n in re.split(r"、|或者|和|及", m.group(1)) if is_authority(n)]


_ITEM_REF = re.compile(
    r"(?:有|违反)?(?:前款|本条第一款)((?:第[一二三四五六七八九十]+项、?)+)(?:规定的)?(?:行为)?(?:之一)?的，"
)


_SAME_AS = re.compile(r"依照(?:前款|本条第([一二三四五六])款)(?:的)?规定(?:处罚|处以罚款|给予处罚)")


def referenced_paragraph(sentence: str, paragraphs: list[str], current: int) -> str | None:
    """`依照前款规定处罚` / `依照本条第二款的规定处以罚款`: the paragraph whose penalties apply."""
    m = _SAME_AS.search(sentence)
    if not m:
        return None
    index = current - 1 if m.group(1) is None else int(number_value(m.group(1)) or 0) - 1
    return paragraphs[index] if 0 <= index < len(paragraphs) and index != current else None


def item_penalties(text: str) -> dict[int, list[Penalty]]:
    """Closing paragraphs that give items their own penalties: `有前款第三项、第四项行为之一的，处二万元以上…` →
    {3: [...], 4: [...]}.  Each reference applies up to the next reference."""
    refs = list(_ITEM_REF.finditer(text))
    out: dict[int, list[Penalty]] = {}
    for i, m in enumerate(refs):
        end = refs[i + 1].start() if i + 1 < len(refs) else len(text)
        penalties = find_penalties(text[m.end() : end])
        for num in re.findall(r"第([一二三四五六七八九十]+)项", m.group(1)):
            n = number_value(num)
            if n is not None:
                out.setdefault(int(n), []).extend(penalties)
    return out
