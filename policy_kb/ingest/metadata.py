"""Document metadata derived from the text itself: title, 文号, issuer, issue date, jurisdiction and level, and the
documents it cites.  Anything the text does not state stays None (never guessed); a sidecar ``<file>.meta.json``
may fill or override fields.

Laws and regulations state their metadata differently from 公文: dated adoption/amendment lines under the title
(`2021年12月3日 山东省第十三届人民代表大会常务委员会第三十二次会议修订`, `1998年11月29日 中华人民共和国国务院令第253号
发布`) and a 施行 article (`本法自2008年6月1日起施行`).  The version in the file is the latest of those lines, so it
gives the issue date; all of them are kept as the history; national laws and 国务院 regulations are filed under 全国.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import places
from ..records import CitedDoc, Clause, Level
from .clean import DATE_LINE_RE, DOC_NUMBER_RE

META_FIELDS = (
    "title",
    "doc_number",
    "issuer",
    "issue_date",
    "jurisdiction",
    "level",
    "source_file",
    "effective_date",
    "history",
)
# fields whose absence `policy-kb build` reports; effective_date only for texts with articles (laws, regulations)
REPORTED_FIELDS = ("title", "doc_number", "issue_date", "jurisdiction")
_CN_DATE = r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
# a dated adoption / amendment / publication line of a law or regulation, anywhere before its first article
# (a cleaner may have joined the lines: `…第一次修正2014年8月31日…`, so a line ends at the next date too)
_HISTORY_RE = re.compile(
    rf"({_CN_DATE})([^\n]{{0,200}}?(?:通过|修正|修订|发布|公布|批准))(?=[）)。\s]*(?:\d{{4}}\s*年|\n|$))"
)
_EVENT_RE = re.compile(r"通过|修正|修订|发布|公布|批准")
_FIRST_ARTICLE_RE = re.compile(r"^\s*(?:#+\s*)?第[一二三四五六七八九十百零〇]+[章条]", re.M)
# the body that adopted it: `山东省第十三届人民代表大会常务委员会` → 山东省人民代表大会常务委员会
_CONGRESS_RE = re.compile(r"([\u4e00-\u9fff]{0,12}?)第[一二三四五六七八九十]+届((?:全国)?人民代表大会(?:常务委员会)?)")
_ORDER_RE = re.compile(r"(?:中华人民共和国)?(国务院令|主席令)\s*第\s*(\d+)\s*号")
# `本条例自2018年5月1日起施行`: the article that says when a document takes effect (its date is `effective_date`)
EFFECTIVE_RE = re.compile(
    rf"本(?:法|条例|规定|办法|细则|决定|方案|意见|通知|实施办法|规则)[^。\n]{{0,20}}?自\s*({_CN_DATE}|(?:公布|发布|印发|颁布)之日)\s*起\s*(?:施行|实施|执行|生效)"
)
_NATIONAL_RE = re.compile(r"^(?:中华人民共和国|国务院|全国人民代表大会)")
_TITLE_WORDS = re.compile(r"(关于|方案|规划|意见|通知|计划|办法|规定|条例|决定|细则|纲要|要点|实施)")
_ISSUER_SUFFIX = r"(?:人民政府办公厅|人民政府办公室|人民政府|办公厅|办公室|委员会|领导小组|厅|局|委)"


@dataclass
class Metadata:
    title: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    issue_date: str | None = None
    jurisdiction: str | None = None
    level: Level | None = None
    source_file: str | None = None  # original file name when the corpus copy was renamed
    effective_date: str | None = None  # from the 施行 article
    history: list[dict[str, str]] = field(default_factory=list)  # {date, event, text} of each dated version line
    cites: list[CitedDoc] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def normalise_doc_number(s: str) -> str:
    """`晋政办发〔 2019〕 66 号` / `晋政办发[2019]66号` → `晋政办发〔2019〕66号` so numbers compare exactly."""
    s = re.sub(r"\s+", "", s)
    return re.sub(r"[\[［【(（](\d{4})[\]］】)）]", r"〔\1〕", s)


def _iso_date(text: str) -> str | None:
    m = re.fullmatch(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", text.strip())
    if not m:
        return None
    y, mo, d = (int(g) for g in m.groups())
    try:
        return date(y, mo, d).isoformat()  # calendar check: 2023年2月30日 and 2019年13月1日 are not dates
    except ValueError:
        return None


def _cites(text: str) -> list[CitedDoc]:
    out: list[CitedDoc] = []
    seen: set[tuple[str | None, str | None]] = set()
    for m in re.finditer(r"《([^《》\n]{2,80})》(?:\s*（([^（）\n]{0,30}?〔\d{4}〕\d{1,4}号)）)?", text):
        title, number = m.group(1), (normalise_doc_number(m.group(2)) if m.group(2) else None)
        if len(title) < 4 or title.endswith(("证", "表")):  # aliases like 《条例》, licences and forms
            continue
        if (title, number) not in seen:
            seen.add((title, number))
            out.append(CitedDoc(title=title, doc_number=number))
    return out


# Complexity over 15 on purpose: one rule per metadata field in order of precedence (sidecar, title, adoption
# history, signature)
def derive(text: str, clauses: list[Clause]) -> Metadata:  # noqa: C901 (reason above)
    """Metadata from the title/preamble/signature clauses, falling back to the first lines of the text."""
    meta = Metadata()
    head = [c for c in clauses if c.kind == "title" and c.id.endswith(":title")]
    head_text = head[0].text if head else "\n".join(text.split("\n")[:6])
    lines = [ln.strip() for ln in head_text.split("\n") if ln.strip()]

    for ln in lines:  # 文号 stands on its own line in the header
        m = DOC_NUMBER_RE.fullmatch(ln)
        if m:
            meta.doc_number = normalise_doc_number(ln)
            break
    # a dated line is an adoption/amendment note (`2009年8月27日…《关于修改部分法律的决定》第一次修正`), not the title
    candidates = [
        ln for ln in lines if not DOC_NUMBER_RE.fullmatch(ln) and not ln.endswith("文件") and not re.match(_CN_DATE, ln)
    ]
    titled = [ln for ln in candidates if _TITLE_WORDS.search(ln)]
    if not titled and candidates and re.fullmatch(rf".{{2,30}}{_ISSUER_SUFFIX}", candidates[0]):
        # a red header without `文件` (济宁市…委员会办公室 / 文号): the title is the next `…关于…的通知` line, which
        # a cleaner may have run together with the addressee line (`…的通知各县市人民政府…：`)
        for ln in text.split("\n")[:12]:
            m = re.match(r"^(.{2,60}?关于.{2,80}?的(?:通知|意见|决定|批复|函|报告|方案))", ln.strip())
            if m:
                titled = [m.group(1)]
                break
    meta.title = next(iter(titled or candidates), None)

    # issuer: 红头 `XX文件`, `XX关于…` in the title, or the line above the signature date
    for ln in lines:
        if ln.endswith("文件") and len(ln) > 4:
            meta.issuer = ln[:-2]
    if meta.issuer is None and meta.title:
        m = re.match(rf"^(.{{2,30}}?{_ISSUER_SUFFIX})关于", meta.title)
        if m:
            meta.issuer = m.group(1)
    paras = [p for p in text.split("\n") if p.strip()]
    date_idx = next((i for i, p in enumerate(paras) if DATE_LINE_RE.match(p.strip())), None)
    if date_idx is not None:
        meta.issue_date = _iso_date(paras[date_idx].strip())
        above = paras[date_idx - 1].strip() if date_idx else ""
        if meta.issuer is None and re.fullmatch(rf".{{2,30}}{_ISSUER_SUFFIX}", above):
            meta.issuer = above
    if meta.issue_date is None:  # 印发 line: `XX办公室2019年6月3日印发` is the printing date, still better than none
        m = re.search(r"(\d{4}年\d{1,2}月\d{1,2}日)印发", text)
        if m:
            meta.issue_date = _iso_date(m.group(1))
            meta.warnings.append("issue_date taken from the 印发 (printing) line; no signature date found")

    _law_metadata(text, meta)
    _effective_date(text, meta)
    if meta.jurisdiction is None:
        for source in (meta.issuer, meta.title):
            found = places.find_places(source or "")
            if found:
                meta.jurisdiction, meta.level = found[0].name, found[0].level
                break
    own_titles = [c.text for c in clauses if c.kind == "title"]
    meta.cites = [c for c in _cites(text) if not any(c.title and c.title in t for t in own_titles)]
    reported = REPORTED_FIELDS + (("effective_date",) if _FIRST_ARTICLE_RE.search(text) else ())
    for field_name in reported:
        if getattr(meta, field_name) is None:
            meta.warnings.append(f"{field_name} not stated in the text (add it in a .meta.json sidecar if known)")
    return meta


def _law_metadata(text: str, meta: Metadata) -> None:
    """History, issue date, issuer, 令 number, jurisdiction and effective date of a law or regulation."""
    first = _FIRST_ARTICLE_RE.search(text)
    if first is None:  # a 公文: its dates are the signature's, read above
        return
    head = text[: first.start()]
    for m in _HISTORY_RE.finditer(head):
        date = _iso_date(m.group(1))
        if date:
            event = _EVENT_RE.findall(m.group(2))[-1]
            meta.history.append({"date": date, "event": event, "text": re.sub(r"\s+", " ", m.group(0).strip())})
    if meta.doc_number is None:
        order = _ORDER_RE.search(head)
        if order:
            meta.doc_number = f"{order.group(1)}第{order.group(2)}号"
    if meta.history:
        latest = max(meta.history, key=lambda h: h["date"])
        meta.issue_date = latest["date"]
        if meta.issuer is None:
            # a 国务院令 line of the latest text that is not a 批准 (a city's rule is 批准 by the province)
            adopted = ([h for h in meta.history if h["event"] != "批准"] or meta.history)[-1]["text"]
            ordered = bool(_ORDER_RE.search(adopted)) and "国务院令" in adopted
            meta.issuer = _adopting_congress(meta.history) or ("国务院" if ordered else None)
    if meta.title and meta.jurisdiction is None:
        if (
            _NATIONAL_RE.match(meta.title)
            or _NATIONAL_RE.match(meta.issuer or "")
            or (meta.doc_number or "").startswith(("国务院令", "主席令"))
            or _unplaced_regulation(meta)
        ):
            meta.jurisdiction, meta.level = places.NATIONAL, Level.NATIONAL


def _adopting_congress(history: list[dict[str, str]]) -> str | None:
    """The congress that adopted the text in force: the latest history line's congress that does not 批准 it.  A
    city's rule is 批准 by its province, and so is every amendment the city adopts, in one line either way round:
    `…淄博市第十五届人民代表大会常务委员会第十六次会议通过并经…山东省第十三届…第五次会议批准的《…决定》第二次修正`,
    `…山东省第十一届…第二十七次会议批准的…青岛市第十四届…第三十三次会议《关于修改…的决定》修正`.  Reading the
    first congress of the line made 130 of LawRefBook's 1,908 local regulations the province's (docs/quality.md).
    A congress whose words name no place we know (`县第十六届…`, the abolished 莱芜市) is taken only when no line
    names one."""
    unnamed = None
    for h in reversed(history):
        text = re.sub(r"\s", "", re.sub(_CN_DATE, "，", h["text"]))  # `…9月21日山东省…`: 日 is no part of a name
        for m in _CONGRESS_RE.finditer(text):
            if re.match(r"第[一二三四五六七八九十]+次会议于?批准", text[m.end() :]):
                continue
            prefix, body = m.groups()
            if body.startswith("全国"):
                return body
            found = [p.name for p in places.find_places(prefix) if prefix.endswith(p.name)]
            if found:
                return found[-1] + body  # `经济宁市…` (`…通过并经济宁市…`) is 济宁市's
            unnamed = unnamed or prefix + body
    return unnamed


def _unplaced_regulation(meta: Metadata) -> bool:
    """A law or regulation whose title names no place (`煤矿安全生产条例`) is national: local regulations carry
    their place in the title (`山东省安全生产条例`), as the Legislation Law's naming practice requires."""
    local_issuer = bool(meta.issuer) and not _NATIONAL_RE.match(meta.issuer or "")
    return (
        bool(re.search(r"(?:法|条例|规定|办法|细则)$", meta.title or ""))
        and not local_issuer
        and not places.find_places(meta.title or "")
    )


def _effective_date(text: str, meta: Metadata) -> None:
    """`本法自2008年6月1日起施行` → that date; `自发布/印发之日起施行` → the issue date (None if that is unknown)."""
    m = EFFECTIVE_RE.search(text)
    if m:
        meta.effective_date = _iso_date(m.group(1)) if m.group(1)[0].isdigit() else meta.issue_date


def sidecar_path(path: Path) -> Path | None:
    for candidate in (path.with_name(path.name + ".meta.json"), path.with_suffix(".meta.json")):
        if candidate.is_file():
            return candidate
    return None


def apply_sidecar(meta: Metadata, path: Path) -> None:
    """Overlay `<file>.meta.json` values; unknown keys or bad values raise ValueError naming the key."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ValueError(f"{path.name}: invalid JSON at line {e.lineno} ({e.msg})") from e
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected a JSON object with keys {', '.join(META_FIELDS)}")
    for key, value in data.items():
        if key not in META_FIELDS:
            raise ValueError(f"{path.name}: unknown key '{key}' (allowed: {', '.join(META_FIELDS)})")
        if (
            key in ("issue_date", "effective_date")
            and value is not None
            and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value))
        ):
            raise ValueError(f"{path.name}: {key} must be YYYY-MM-DD, got {value!r}")
        if key == "level" and value not in (None, *places.LEVELS):
            raise ValueError(f"{path.name}: level must be {', '.join(places.LEVELS)}, got {value!r}")
        if key == "history" and not (
            isinstance(value, list)
            and all(isinstance(h, dict) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(h.get("date"))) for h in value)
        ):
            raise ValueError(f'{path.name}: history must be a list of {{"date": "YYYY-MM-DD", "event": …}}')
        setattr(meta, key, Level(value) if key == "level" and value is not None else value)
    if "jurisdiction" in data and "level" not in data:
        place = places.lookup(data["jurisdiction"])
        meta.level = place.level if place else meta.level
    meta.warnings = [w for w in meta.warnings if w.split(" ", 1)[0] not in data]
