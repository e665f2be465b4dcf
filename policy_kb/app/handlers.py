"""UI event handlers as plain functions of a Service and their inputs (unit-testable without a browser)."""

from __future__ import annotations

import hmac
import json
import re
import shutil
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from .. import places
from ..build import StagedFileRefused
from ..export import FORMATS, ObligationFilter, render, select
from ..extract.applicability import vocabulary
from ..ingest.document import doc_id_for
from ..ingest.loaders import SUPPORTED, LoadError, load_text
from ..pipeline import build_all
from ..profile.match import ChecklistItem, Group, check
from ..profile.model import Profile, ProfileError, profile_from_dict
from ..profile.outputs import render_checklist
from ..reconcile import staging_dir
from ..records import Obligation, Penalty, PenaltyKind
from ..search.filters import SearchFilter
from ..search.hybrid import MAX_QUERY_CHARS
from ..store.feedback import Feedback
from ..textsafe import safe_file_name, strip_format_chars
from .health import SEMANTIC_DEGRADED, semantic_degraded
from .render import (
    KIND_LABELS,
    LEVELS,
    MARK_OPEN,
    answer_markdown,
    citation_body,
    citation_source,
    citation_title,
    clause_link,
    esc,
    hits_html,
    linked_citations,
    plain_text,
    user_warning,
)
from .service import Service
from .throttle import TooManyAttempts

ALL = "全部 / all"
MIN_YEAR, MAX_YEAR = 1949, 2100  # years a filter or an as-of date can name
EXPORT_KEY_VERSION = "1"  # change when render() output changes: cached exports are then written again


class UserError(Exception):
    """Shown to the user as is (gr.Error in the UI)."""


def jurisdiction_choices(service: Service) -> list[str]:
    names: set[str] = set()
    for d in service.store().documents():
        if d.jurisdiction:
            # 全国 is offered only when there is a national document: every chain ends there
            names.update(
                n
                for n in places.ancestors(d.jurisdiction) or [d.jurisdiction]
                if n != places.NATIONAL or d.jurisdiction == places.NATIONAL
            )

    def broadest_first(name: str) -> tuple[int, str]:
        place = places.lookup(name)
        return (-places.RANK[place.level] if place else 1, name)

    ordered = sorted(names, key=broadest_first)
    return [ALL, *ordered]


def _place(value: str | None) -> str | None:
    return None if not value or value == ALL else value


def _as_of(value: Any) -> date:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value:
        try:  # a timestamp (a date picker's value): within the years a policy can be asked about
            day = date.fromtimestamp(value)
        except (OverflowError, OSError, ValueError) as e:
            raise UserError("日期超出范围 / as-of date out of range") from e
    else:
        text = str(value or "").strip()
        if not text:
            return date.today()
        try:
            day = date.fromisoformat(text[:10])
        except ValueError as e:
            raise UserError(f"日期格式应为 YYYY-MM-DD / as-of date must be YYYY-MM-DD, got '{text[:40]}'") from e
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise UserError(f"日期应在 {MIN_YEAR}–{MAX_YEAR} 年之间 / as-of date must be in {MIN_YEAR}–{MAX_YEAR}")
    return day


# ---- chat -------------------------------------------------------------------------------------------------
def _text(message: dict[str, Any]) -> str:
    """A chat message's text, whether its content is a string or Gradio 6's list of parts (what a client sends
    back as history)."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    return "".join(p.get("text") or "" for p in content or [] if isinstance(p, dict))


def chat(
    service: Service, message: str, history: list[dict[str, Any]] | None, jurisdiction: str | None, as_of: Any
) -> list[dict[str, Any]]:
    """Append the question, the grounded answer and one collapsible source block per citation.  A follow-up is
    read with the user's previous question in the history."""
    history = list(history or [])
    message = strip_format_chars(_str(message, "问题 / question")).strip()
    if not message:
        return history
    if len(message) > MAX_QUERY_CHARS:
        raise UserError(f"问题太长（最多 {MAX_QUERY_CHARS} 字）/ question too long (max {MAX_QUERY_CHARS} characters)")
    # the conversation's previous question, so that `那忻州呢？` or `罚多少？` is read with it
    previous = next((_text(m) for m in reversed(history) if m.get("role") == "user" and _text(m)), None)
    answer = service.answerer().ask(message, _place(jurisdiction), _as_of(as_of), previous=previous)
    history.append({"role": "user", "content": message})
    # no metadata on the answer itself: a titled message is collapsed, and the outcome and its reason must show
    notice = f"> {SEMANTIC_DEGRADED}\n\n" if semantic_degraded(service) else ""
    history.append({"role": "assistant", "content": notice + answer_markdown(answer)})
    for c in answer.citations:
        history.append(
            {
                "role": "assistant",
                "content": citation_body(c, answer.answer),
                "metadata": {"title": citation_title(c), "status": "done"},
            }
        )
    return history


def copy_text(service: Service, history: list[dict[str, Any]] | None) -> str:
    """The chat's last answer as plain text with its citations written out (`[1] 晋政办发〔2019〕66号 四、（一）`), for
    复制回答: a pasted answer must still say where it comes from, without markdown or HTML."""
    history = list(history or [])
    i = next(
        (
            k
            for k in range(len(history) - 1, -1, -1)
            if history[k].get("role") == "assistant" and not _is_source(history[k])
        ),
        None,
    )
    if i is None:
        return ""
    content = _text(history[i])
    lines = [plain_text(content)]
    cited = []
    for n, clause_id in linked_citations(content):
        clause = service.store().clause(clause_id)
        doc = service.store().find_document(clause.doc_id) if clause else None
        if clause and doc:
            cited.append(f"[{n}] {citation_source(doc.doc_number or doc.title or doc.id, clause.path)}")
    if cited:
        lines += ["", "来源 / sources:", *cited]
    return "\n".join(lines)


def feedback(
    service: Service,
    history: list[dict[str, Any]] | None,
    index: Any,
    liked: Any,
    jurisdiction: str | None = None,
    as_of: Any = None,
) -> str:
    """Store a 👍/👎 on the answer at ``index`` of the chat (a vote on one of its source blocks counts for the
    answer): the question before it, the answer text and the sources shown with it."""
    history = list(history or [])
    i = index[0] if isinstance(index, (list, tuple)) else index
    if not isinstance(i, int) or not 0 <= i < len(history) or history[i].get("role") != "assistant":
        raise UserError("只能评价回答 / only answers can be rated")
    while i > 0 and _is_source(history[i]):
        i -= 1
    question = next((_text(m) for m in reversed(history[:i]) if m.get("role") == "user"), "")
    sources = []
    for m in history[i + 1 :]:
        if not _is_source(m):
            break
        sources.append((m.get("metadata") or {}).get("title", ""))
    vote = "up" if liked is True or liked == "Like" else "down"
    service.feedback().add(
        Feedback(vote, question, _text(history[i]), sources, _place(jurisdiction), str(as_of) if as_of else None)
    )
    return "感谢反馈 / thanks for the feedback"


def _is_source(message: dict[str, Any]) -> bool:
    title = str((message.get("metadata") or {}).get("title", ""))
    return message.get("role") == "assistant" and title.startswith("来源")


# ---- search -----------------------------------------------------------------------------------------------
def search(
    service: Service, query: str, mode: str, jurisdiction: str | None, doc: str | None, year_from: Any, year_to: Any
) -> tuple[str, list[tuple[str, str]]]:
    query = strip_format_chars(_str(query, "查询 / query")).strip()
    if not query:
        return "<p class='empty'>请输入关键词 / type a query</p>", []
    if len(query) > MAX_QUERY_CHARS:
        raise UserError(f"查询太长（最多 {MAX_QUERY_CHARS} 字）/ query too long (max {MAX_QUERY_CHARS} characters)")
    first, last = _year(year_from, "起始年份 / year from"), _year(year_to, "结束年份 / year to")
    if first and last and first > last:
        raise UserError(f"年份范围不成立：{first} 晚于 {last} / the year range {first}–{last} is reversed")
    try:
        flt = SearchFilter(jurisdiction=_place(jurisdiction), doc=_place(doc), year_from=first, year_to=last)
    except ValueError as e:
        raise UserError(str(e)) from e
    hits = service.answerer().searcher.search(query, mode=mode or "hybrid", k=20, flt=flt)
    # the context picker names a result as the list does (number, 文号, path); its value is the clause id
    labels = [f"{i}. {citation_source(h.doc_number or h.doc_title or h.doc_id, h.path)}" for i, h in enumerate(hits, 1)]
    notice = ""
    if (mode or "hybrid") != "keyword" and semantic_degraded(service):
        notice = f"<p class='notice'>{esc(SEMANTIC_DEGRADED)}</p>"
    if hits and not any(MARK_OPEN in h.snippet for h in hits):
        # only the semantic route found these: say so, or `补偿` within 2022–2023 lists clauses without 补偿 as if
        # they were matches
        notice += (
            f"<p class='notice'>所选范围内没有条款包含「{esc(query)}」；以下是意思相近的条款 / no clause in this "
            f"range contains the words; these are the closest in meaning</p>"
        )
    return notice + hits_html(hits), list(zip(labels, (h.clause_id for h in hits)))


def _str(value: Any, label: str) -> str:
    """A text input: a string or nothing (an API client can send anything)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise UserError(f"{label}应为文本 / {label.split(' / ')[-1]} must be text")
    return value


def _year(value: Any, label: str) -> int | None:
    """An issue-year filter from a form box: empty or 0 means none; anything else must be a plausible year."""
    if value in (None, "", 0):
        return None
    shown = str(value)[:20]
    try:
        number = float(value)
    except (TypeError, ValueError) as e:
        raise UserError(f"{label}应为年份，如 2019 / must be a year such as 2019, got '{shown}'") from e
    if not (MIN_YEAR <= number <= MAX_YEAR) or not number.is_integer():  # also NaN and ±inf
        raise UserError(
            f"{label}应为 {MIN_YEAR}–{MAX_YEAR} 之间的年份 / must be a year between {MIN_YEAR} and "
            f"{MAX_YEAR}, got '{shown}'"
        )
    return int(number)


def clause_context(service: Service, clause_id: str | None, radius: int = 2) -> str:
    """The clause with its neighbours in document order, its parent heading first."""
    clause_id = _str(clause_id, "条款 / clause")
    if not clause_id:
        return ""
    store = service.store()
    clause = store.clause(clause_id)
    if clause is None:
        return f"<p>未找到条款 / no clause {esc(clause_id)}</p>"
    doc = store.find_document(clause.doc_id)
    assert doc is not None
    order = [c.id for c in doc.clauses]
    i = order.index(clause.id)
    parts = [f"<h4>{esc(doc.title)} {esc(doc.doc_number)}</h4>"]
    parent = store.clause(clause.parent_id) if clause.parent_id else None
    if parent and order.index(parent.id) < i - radius:
        parts.append(f"<p class='parent'>{esc(''.join(parent.path))} {esc(parent.heading or parent.text[:40])} …</p>")
    for c in doc.clauses[max(0, i - radius) : i + radius + 1]:
        cls = "current" if c.id == clause.id else ""
        parts.append(
            f"<p class='{cls}'><b>{esc(''.join(c.path) or KIND_LABELS.get(c.kind, c.kind))}</b> {esc(c.text)}</p>"
        )
    raw, a, b = store.raw_context(clause)
    parts.append(
        f"<details><summary>原文 / original text（第 {a}–{b} 字）</summary>"
        f"<pre>{esc(raw[max(0, a - 80) : b + 80])}</pre></details>"
    )
    return "<div class='context'>" + "\n".join(parts) + "</div>"


# ---- obligations ------------------------------------------------------------------------------------------
# what a reader needs to judge a row; ids and the full records are in the download. The 条款 cell is a link that opens
# the clause in context (the table's "details on click")
OBLIGATION_COLUMNS = [
    "截止日期 due",
    "状态 status",
    "地区 place",
    "文件 document",
    "条款 clause",
    "义务 obligation",
    "责任部门 departments",
    "处罚 penalties",
]
OBLIGATION_TYPES: list[Literal["str", "html"]] = ["str", "str", "str", "str", "html", "str", "str", "str"]


def _yuan(x: float) -> str:
    """100000 → 10万, 5000 → 5000, 0.5 → 0.5: amounts as a reader of a 法律责任 article expects them."""
    if x >= 10000 and x % 10000 == 0:
        return f"{int(x // 10000)}万"
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _bounds(p: Penalty, unit: str) -> str:
    lo, hi = p.min, p.max
    if lo is not None and hi is not None and lo != hi:
        return f"{_yuan(lo)}–{_yuan(hi)}{unit}"
    if lo is not None or hi is not None:
        value = _yuan(hi if hi is not None else lo)  # type: ignore[arg-type]  # one of them is set (checked above)
        return f"{value}{unit}" + ("以下" if lo is None else "以上" if hi is None else "")
    return ""


def _percent(v: float | None) -> float | None:
    return round(v * 100, 4) if isinstance(v, float) else v


def penalty_summary(penalties: list[Penalty]) -> str:
    """`罚款 2万–20万元；责令停产整治（逾期不改正的）` for the obligations table; the full records are in the export."""
    parts = []
    for p in penalties:
        bounded = p.min is not None or p.max is not None
        if p.kind == PenaltyKind.FINE and bounded:
            text = f"罚款 {_bounds(p, '元')}"
        elif p.kind == PenaltyKind.FINE_MULTIPLE and bounded:
            scale = "倍" if max(v for v in (p.min, p.max) if v is not None) > 1 else ""
            bounds = (
                _bounds(p, scale)
                if scale
                else _bounds(replace(p, min=_percent(p.min), max=_percent(p.max)), "%")  # ratios up to 1: 60%–100%
            )
            text = f"罚款 {p.basis or ''}{bounds}"
        elif p.kind == PenaltyKind.DETENTION:
            text = f"拘留 {_bounds(p, '日')}"
        else:
            text = p.text
        parts.append(text + (f"（{p.condition}）" if p.condition else ""))
    return "；".join(parts)


def _filter(
    jurisdiction: Any, doc: Any, department: Any, due_before: Any, due_after: Any, modality: Any
) -> ObligationFilter:
    try:
        return ObligationFilter(
            jurisdiction=_place(jurisdiction),
            doc=_place(doc),
            department=(str(department or "").strip() or None),
            due_before=str(due_before or "").strip()[:10] or None,
            due_after=str(due_after or "").strip()[:10] or None,
            modality=_place(modality),
        )
    except ValueError as e:  # the message names the CLI flag; say which box instead
        raise UserError(
            str(e).replace("--due-before", "截止不晚于 / due before").replace("--due-after", "截止不早于 / due after")
        ) from e


def obligation_records(
    service: Service,
    jurisdiction: Any = None,
    doc: Any = None,
    department: Any = None,
    due_before: Any = None,
    due_after: Any = None,
    modality: Any = None,
) -> list[Obligation]:
    """The obligations the form's filters select, in table order: the table and the download both come from here."""
    try:
        return select(service.store(), _filter(jurisdiction, doc, department, due_before, due_after, modality))
    except LookupError as e:
        raise UserError(str(e)) from e


def obligations_table(service: Service, *filters: Any, **named: Any) -> list[list[str]]:
    """The rows of the 义务清单 table for `obligation_records(service, ...)`, one per record, same order."""
    today = date.today().isoformat()
    rows = obligation_records(service, *filters, **named)
    titles = {d.id: d.title or d.id for d in service.store().documents()}
    out = []
    for o in rows:
        due = (o.deadline.date if o.deadline else None) or ""
        status = "" if not due else ("已过期 passed" if due < today else "未到期 upcoming")
        depts = "；".join(o.departments.names())
        out.append(
            [
                due,
                status,
                o.jurisdiction or "",
                o.doc_number or titles.get(o.doc_id, o.doc_id),
                clause_link(o.clause_id, esc("".join(o.clause_path) or "正文")),
                o.text,
                depts,
                penalty_summary(o.penalties),
            ]
        )
    return out


def export_obligations(
    service: Service,
    jurisdiction: Any,
    doc: Any,
    department: Any,
    due_before: Any,
    due_after: Any,
    modality: Any,
    fmt: str,
) -> str:
    """A file of exactly the filtered rows, from the bounded export cache: named by the knowledge base's content,
    the filters and the format, so asking again (every page load asks for the default table) writes nothing new."""
    if fmt not in FORMATS:
        raise UserError(f"格式必须是 {', '.join(FORMATS)} / format must be one of {', '.join(FORMATS)}")
    flt = _filter(jurisdiction, doc, department, due_before, due_after, modality)
    key = json.dumps([EXPORT_KEY_VERSION, _kb_version(service), asdict(flt), fmt], ensure_ascii=False)
    path = service.exports.get(
        key,
        "obligations",
        f".{fmt}",
        lambda fh: fh.write(
            render(obligation_records(service, jurisdiction, doc, department, due_before, due_after, modality), fmt)
        ),
    )
    return str(path)


def _kb_version(service: Service) -> list[str]:
    """The content hashes of the stored documents: part of every export's cache key, so a changed knowledge base
    never serves an old file."""
    return sorted(h for _, h in service.store().doc_files().values())


def timeline_rows(service: Service, jurisdiction: Any = None) -> list[dict[str, Any]]:
    """Dated obligations as chart points (x = deadline, y = place), plus a 今天 marker per place. `source` is how a
    reader cites the clause (文号 and path), shown in the tooltip with the deadline as written in the date column."""
    today = date.today().isoformat()
    numbers = {d.id: d.doc_number or d.title or d.id for d in service.store().documents()}
    rows = []
    for o in select(service.store(), ObligationFilter(jurisdiction=_place(jurisdiction))):
        due = o.deadline.date if o.deadline else None
        if not due:
            continue
        rows.append(
            {
                "date": due,
                "place": o.jurisdiction or "?",
                "status": "已过期 passed" if due < today else "未到期 upcoming",
                "obligation": o.text[:80],
                "source": citation_source(numbers.get(o.doc_id, o.doc_id), o.clause_path),
            }
        )
    for place in sorted({r["place"] for r in rows}):
        rows.append({"date": today, "place": place, "status": "今天 today", "obligation": "今天 / today", "source": ""})
    return rows


# ---- documents --------------------------------------------------------------------------------------------
DOCUMENT_COLUMNS = ["标题 title", "文号 number", "日期 date", "地区 place", "级别 level", "条款 clauses", "提示 notes"]


def documents_table(service: Service) -> list[list[str]]:
    """One row per document as a reader names it (title, 文号), the build's warnings in Chinese; ids stay in the CLI."""
    return [
        [
            d.title or d.id,
            d.doc_number or "—",
            d.issue_date or "—",
            d.jurisdiction or "—",
            LEVELS.get(d.level or "", "—"),
            str(len(d.clauses)),
            "；".join(user_warning(w) for w in d.warnings),
        ]
        for d in service.store().documents()
    ]


def document_choices(service: Service) -> list[tuple[str, str]]:
    """Dropdown choices (label, value): the title with its 文号 shown, the document id sent (the API is unchanged)."""
    return [
        (f"{d.title or d.id}（{d.doc_number}）" if d.doc_number else d.title or d.id, d.id)
        for d in service.store().documents()
    ]


def missing_citations_md(service: Service) -> str:
    seen: dict[tuple[str | None, str | None], list[str]] = {}
    for d in service.store().documents():
        for c in d.cites:
            if not c.in_corpus and c.doc_number:
                seen.setdefault((c.title, c.doc_number), []).append(d.title or d.id)
    if not seen:
        return "所有被引用文件均已收录 / every cited document is in the corpus"
    lines = ["| 被引用文件 cited document | 文号 | 引用方 cited by |", "|---|---|---|"]
    for (title, number), by in sorted(seen.items(), key=lambda kv: kv[0][1] or ""):
        lines.append(f"| 《{esc(title)}》 | {esc(number)} | {esc('；'.join(sorted(set(by))))} |")
    return "\n".join(lines)


def clause_tree_md(service: Service, doc_id: str | None) -> str:
    if not doc_id:
        return ""
    doc = service.store().find_document(doc_id)
    if doc is None:
        return f"未找到文件 / no document {esc(doc_id)}"
    lines = []
    for c in doc.clauses:
        indent = "&nbsp;&nbsp;&nbsp;&nbsp;" * max(c.level - 1, 0)
        label = esc("".join(c.path)) if c.path else f"〔{esc(KIND_LABELS.get(c.kind, c.kind))}〕"
        warn = " ⚠️" if c.warnings else ""
        lines.append(f"{indent}**{label}** {esc(c.heading or c.text[:50])}{warn}  ")
    return "\n".join(lines)


def admin_enabled(service: Service) -> bool:
    return service.settings.admin_enabled


def safe_name(name: str) -> str:
    """A file name that cannot leave the corpus folder (see textsafe.safe_file_name)."""
    return safe_file_name(name)


def _login(service: Service, password: str, client: str) -> None:
    """The admin password, checked under a per-client exponential back-off."""
    expected = service.settings.admin_password
    if not expected:
        raise UserError(
            "上传已关闭：未设置 POLICY_KB_ADMIN_PASSWORD / uploads are disabled (set POLICY_KB_ADMIN_PASSWORD)"
        )
    try:
        service.login_throttle.check(client)
    except TooManyAttempts as e:
        raise UserError(
            f"密码错误次数过多，请 {e.wait_s:.0f} 秒后再试 / too many wrong passwords, retry in {e.wait_s:.0f} s"
        ) from e
    if not hmac.compare_digest((password or "").encode(), expected.encode()):
        wait = service.login_throttle.failed(client)
        raise UserError(f"管理员密码错误，{wait:.0f} 秒后可再试 / wrong admin password, retry in {wait:.0f} s")
    service.login_throttle.succeeded(client)


def upload(service: Service, file_path: str | None, password: str, client: str = "local") -> str:
    """Admin-only: validate, then ingest as a transaction — the file is staged, built, and moved into the corpus
    folder only after the knowledge base has committed it (a crash in between is finished at start-up by
    policy_kb.reconcile).  A refused file leaves nothing behind.  ``file_path`` may carry the name the user's file
    had (``orig_name``, see upload_input.UploadBox); Gradio's own copy has lost any part before a `/`."""
    _login(service, password, client)
    if not file_path:
        raise UserError("请选择文件 / choose a file")
    src = Path(file_path)
    name = safe_name(getattr(file_path, "orig_name", None) or src.name)
    if Path(name).suffix not in SUPPORTED:
        raise UserError(
            f"不支持的文件类型 / unsupported file type '{Path(name).suffix or '(none)'}' "
            f"(allowed: {', '.join(SUPPORTED)})"
        )
    try:
        size = src.stat().st_size
    except OSError as e:
        raise UserError("上传的文件已失效，请重新选择 / the uploaded file is gone, choose it again") from e
    limit = service.settings.max_upload_bytes
    if size > limit:
        raise UserError(f"文件过大 / file too large: {size / 1_048_576:.1f} MB, limit {limit / 1_048_576:.0f} MB")
    with service.build_lock:
        if (service.paths.corpus / name).exists() or doc_id_for(Path(name)) in service.store().doc_files():
            raise UserError(f"已存在同名文件 / a document named {name} already exists")
        staging = staging_dir(service.paths.corpus)
        staging.mkdir(parents=True, exist_ok=True)
        staged = staging / name
        try:
            shutil.copyfile(src, staged)
            try:
                load_text(staged)  # empty, binary, undecodable, not-a-docx … all fail here with a clear message
            except LoadError as e:
                raise UserError(f"文件无法读取 / cannot read {name}: {e.problem} ({e.hint})") from e
            try:
                report = build_all(service.paths.corpus, service.paths.index, progress=lambda m: None, staged=[staged])
            except StagedFileRefused as e:
                raise UserError(f"文件未入库 / not ingested: {e.error}") from e
        finally:
            staged.unlink(missing_ok=True)  # already moved into the corpus when the build committed
            try:
                staging.rmdir()  # the corpus folder looks as before a refused upload
            except OSError:
                pass
        service.reload()
    doc_id = (report.added or report.updated or ["?"])[0]
    warnings = "".join(f"\n- ⚠️ {esc(w.problem)}" for w in report.warnings if w.file == name)
    return f"✅ 已入库 / ingested **{esc(name)}** as `{esc(doc_id)}` — {esc(report.summary())}{warnings}"


# ---- my obligations -----------------------------------------------------------------------------------------
FACILITY_COLUMNS = ["设施 facility", "数量 count", "炭化室高度", "运行年限", "产能"]
INDUSTRIES = list(vocabulary()["industries"])


def profile_from_form(name: Any, place: Any, industries: Any, facilities: Any) -> Profile:
    """The 我的义务 form as a profile, with the same strict reading as a profile file (errors name the field)."""
    rows = facilities.values.tolist() if hasattr(facilities, "values") else list(facilities or [])
    listed = []
    for row in rows:
        cells = ["" if c is None else str(c).strip() for c in row] + [""] * len(FACILITY_COLUMNS)
        if not cells[0]:
            continue
        attributes = {key: value for key, value in zip(FACILITY_COLUMNS[2:], cells[2:5]) if value}
        count = int(float(cells[1])) if re.fullmatch(r"\d+(?:\.0+)?", cells[1]) else (cells[1] or 1)
        listed.append({"type": cells[0], "count": count, "attributes": attributes})
    chosen = [industries] if isinstance(industries, str) else list(industries or [])
    try:
        return profile_from_dict(
            {
                "name": str(name or "").strip() or "我的企业",
                "place": str(place or "").strip(),
                "industry": chosen,
                "facilities": listed,
            }
        )
    except ProfileError as e:
        raise UserError(f"企业档案有误 / profile: {e}") from e


def _item_html(item: ChecklistItem, new: bool) -> str:
    ob = item.obligation
    depts = "；".join(ob.departments.names())
    mark = "<span class='new'>🆕 新</span> " if new else ""
    parts = [
        f"<div class='item'><div class='item-head'>{mark}"
        f"<b>{esc(item.due_status)}</b>{' · 截止 ' + esc(item.due) if item.due else ''} · "
        f"{clause_link(ob.clause_id, esc(citation_source(ob.doc_number or ob.doc_id, ob.clause_path)))}</div>",
        f"<div class='item-text'>{esc(ob.text)}</div>",
        f"<div class='why'>适用原因：{esc('；'.join(item.applies_because))}</div>",
    ]
    if item.to_confirm:
        parts.append(f"<div class='confirm'>需确认：{esc('；'.join(item.to_confirm))}</div>")
    if depts:
        parts.append(f"<div class='why'>责任部门：{esc(depts)}</div>")
    return "".join(parts) + "</div>"


def my_checklist(
    service: Service, profile: Profile, as_of: Any, seen: list[str] | None
) -> tuple[str, list[str], str, str]:
    """The company's checklist from one matching run: the page (grouped 需确认 / 逾期 / 即将到期 / 长期, items new since
    the last view marked), the ids now seen (kept in the browser), and the CSV and iCalendar downloads."""
    day = _as_of(as_of)
    items = check(service.store(), profile, day)
    page, ids = _checklist_page(profile, items, seen)
    return (
        page,
        ids,
        _checklist_file(service, profile, items, day, "csv"),
        _checklist_file(service, profile, items, day, "ics"),
    )


def _checklist_page(profile: Profile, items: list[ChecklistItem], seen: list[str] | None) -> tuple[str, list[str]]:
    ids = [i.obligation.id for i in items]
    earlier = set(seen or [])
    fresh = [i for i in ids if earlier and i not in earlier]
    html = [
        f"<p class='count'>{esc(profile.name)}（{esc(' → '.join(profile.places))}）：共 {len(items)} 项义务"
        + (f"，其中 {len(fresh)} 项是上次查看后新增的" if fresh else "")
        + "</p>"
    ]
    if not items:
        html.append(
            "<p class='empty'>知识库中没有约束该企业的条款 / no obligation in the knowledge base binds this company</p>"
        )
    for group in Group:
        members = [i for i in items if i.group is group]
        if members:
            html.append(f"<h4>{esc(str(group))}（{len(members)}）</h4>")
            html.extend(_item_html(i, i.obligation.id in fresh) for i in members)
    return "<div class='checklist'>" + "\n".join(html) + "</div>", ids


def _checklist_file(service: Service, profile: Profile, items: list[ChecklistItem], day: date, fmt: str) -> str:
    """The checklist as a CSV or iCalendar file from the bounded export cache (keyed by the knowledge base's
    content, the profile, the date and the format), written only when that key is new."""
    key = json.dumps(
        [EXPORT_KEY_VERSION, _kb_version(service), asdict(profile), day.isoformat(), fmt],
        ensure_ascii=False,
        default=str,
    )
    path = service.exports.get(
        key, "my-obligations", f".{fmt}", lambda fh: fh.write(render_checklist(profile, items, fmt, day))
    )
    return str(path)
