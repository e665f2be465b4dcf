"""Document metadata derived from the text itself: title, 文号, issuer, issue date, jurisdiction and level, and the
documents it cites.  Anything the text does not state stays None (never guessed); a sidecar ``<file>.meta.json``
may fill or override fields.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import places
from ..records import CitedDoc, Clause
from .clean import DATE_LINE_RE, DOC_NUMBER_RE

META_FIELDS = ("title", "doc_number", "issuer", "issue_date", "jurisdiction", "level", "source_file")
_TITLE_WORDS = re.compile(r"(关于|方案|规划|意见|通知|计划|办法|规定|条例|决定|细则|纲要|要点|实施)")
_ISSUER_SUFFIX = r"(?:人民政府办公厅|人民政府办公室|人民政府|办公厅|办公室|委员会|领导小组|厅|局|委)"


@dataclass
class Metadata:
    title: str | None = None
    doc_number: str | None = None
    issuer: str | None = None
    issue_date: str | None = None
    jurisdiction: str | None = None
    level: str | None = None
    source_file: str | None = None  # original file name when the corpus copy was renamed
    cites: list[CitedDoc] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def normalise_doc_number(s: str) -> str:
    """`晋政办发〔 2019〕 66 号` / `晋政办发[2019]66号` → `晋政办发〔2019〕66号` so numbers compare exactly."""
    s = re.sub(r"\s+", "", s)
    return re.sub(r"[\[［【(（](\d{4})[\]］】)）]", r"〔\1〕", s)


def _iso_date(text: str) -> str | None:
    m = re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text)
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


def derive(text: str, clauses: list[Clause]) -> Metadata:
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
    candidates = [ln for ln in lines if not DOC_NUMBER_RE.fullmatch(ln) and not ln.endswith("文件")]
    titled = [ln for ln in candidates if _TITLE_WORDS.search(ln)]
    meta.title = (titled or candidates or [None])[0]

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

    for source in (meta.issuer, meta.title):
        found = places.find_places(source or "")
        if found:
            meta.jurisdiction, meta.level = found[0].name, found[0].level
            break
    own_titles = [c.text for c in clauses if c.kind == "title"]
    meta.cites = [c for c in _cites(text) if not any(c.title and c.title in t for t in own_titles)]
    for field_name in ("title", "doc_number", "issue_date", "jurisdiction"):
        if getattr(meta, field_name) is None:
            meta.warnings.append(f"{field_name} not stated in the text (add it in a .meta.json sidecar if known)")
    return meta


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
        if key == "issue_date" and value is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value)):
            raise ValueError(f"{path.name}: issue_date must be YYYY-MM-DD, got {value!r}")
        if key == "level" and value not in (None, "province", "city", "county"):
            raise ValueError(f"{path.name}: level must be province, city or county, got {value!r}")
        setattr(meta, key, value)
    if "jurisdiction" in data and "level" not in data:
        place = places.lookup(data["jurisdiction"])
        meta.level = place.level if place else meta.level
    meta.warnings = [w for w in meta.warnings if w.split(" ", 1)[0] not in data]
