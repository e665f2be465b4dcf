"""HTML/markdown pieces for the UI. Everything that comes from documents or users is escaped first, so a document
containing `<script>` shows as text."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote, unquote

from .. import places
from ..records import Answer, AnswerStatus, Citation, ClauseKind, Hit, Level

MARK_OPEN, MARK_CLOSE = "【", "】"


def esc(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def highlight(snippet: str) -> str:
    """Search snippets carry 【…】 around matches: escape, then turn the markers into <mark>."""
    return esc(snippet).replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")


def md_escape(text: str) -> str:
    """Escape text for the chat's markdown: HTML-escaped and markdown control characters neutralised."""
    return re.sub(r"([\\`*_\[\]#|>~])", r"\\\1", esc(text))


def clause_link(clause_id: str, label: str) -> str:
    """A link that opens the clause in context. The page script (PAGE_HEAD) catches clicks on `#clause=` links and
    loads the clause into the context panel of the tab the link is in; the link itself never navigates."""
    return f"<a class='open-clause' href='#clause={quote(clause_id, safe='')}'>{label}</a>"


CLAUSE_LINK = re.compile(r"href='#clause=([^']+)'>\[(\d+)\]</a>")


def linked_clause(cell: str) -> str | None:
    """The clause id of the first clause link in a piece of HTML (a table cell made by `clause_link`)."""
    m = re.search(r"href='#clause=([^']+)'", cell or "")
    return unquote(m.group(1)) if m else None


def linked_citations(markdown: str) -> list[tuple[int, str]]:
    """The (n, clause id) pairs of the [n] links in a rendered answer, in order of first appearance."""
    seen: dict[int, str] = {}
    for quoted, n in CLAUSE_LINK.findall(markdown):
        seen.setdefault(int(n), unquote(quoted))
    return sorted(seen.items())


def citation_source(document: str, path: list[str]) -> str:
    """`晋政办发〔2019〕66号 四、（一）`: how a reader cites a clause (the 文号, else the title, then the path)."""
    return " ".join(p for p in (document, "".join(path)) if p)


def citation_title(c: Citation) -> str:
    parts = [f"来源 [{c.n}]", c.doc_title or c.doc_id, c.doc_number or "", "".join(c.path)]
    return esc(" ".join(p for p in parts if p))


def citation_body(c: Citation, answer_text: str) -> str:
    """The cited clause with the parts the answer quotes highlighted."""
    body = esc(c.text)
    for quoted in sorted(
        {q for q in re.findall(r"[“]?([^“”\n\[\]]{8,})[”]? \[" + str(c.n) + r"\]", answer_text)}, key=len, reverse=True
    ):
        q = esc(quoted.strip("- “”"))
        if q and q in body:
            body = body.replace(q, f"<mark>{q}</mark>", 1)
    return (
        f"<div class='clause'>{body}</div><div class='clause-id'>"
        f"{clause_link(c.clause_id, '查看上下文 / open in context')}</div>"
    )


def answer_markdown(a: Answer) -> str:
    # the outcome in words first, visible without a click (the reason of a refusal is the answer's first line)
    badge = {
        AnswerStatus.ANSWERED: "✅ **已找到**\n\n",
        AnswerStatus.PARTIAL: "⚠️ **部分回答**（请核对所引条款）\n\n",
        AnswerStatus.NOT_FOUND: "🔍 **文件中没有答案** — ",
    }
    text = "\n".join(
        md_escape(line).replace("\\[", "[").replace("\\]", "]") if not line.startswith("**") else line
        for line in a.answer.splitlines()
    )
    # every [n] marker opens its clause in context
    links = {f"[{c.n}]": clause_link(c.clause_id, f"[{c.n}]") for c in a.citations}
    if links:
        text = re.sub(r"\[\d+\]", lambda m: links.get(m.group(0), m.group(0)), text)
    return badge.get(a.status, "") + text


def plain_text(markdown: str) -> str:
    """What a reader sees of a chat message, as plain text: links become their label, tags and markdown emphasis go,
    escapes are undone (the inverse of `answer_markdown` for copying)."""
    text = re.sub(r"<a\b[^>]*>(.*?)</a>", r"\1", markdown, flags=re.S)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"\\([\\`*_\[\]#|>~])", r"\1", text)
    text = re.sub(r"^(\s*)[-*] ", r"\1• ", text, flags=re.M)
    return html.unescape(text).strip()


# clauses without a number, named as a reader would
KIND_LABELS: dict[str, str] = {
    ClauseKind.TITLE: "标题",
    ClauseKind.PREAMBLE: "前言",
    ClauseKind.CC: "抄送",
    ClauseKind.BODY: "正文",
    ClauseKind.ATTACHMENT: "附件",
}

# users read 省级 / 市级, not the records' level names; ids and raw scores stay in the API and the CLI
LEVELS: dict[str, str] = {Level.NATIONAL: "国家级", Level.PROVINCE: "省级", Level.CITY: "市级", Level.COUNTY: "县级"}


def _level(h: Hit) -> str | None:
    place = places.lookup(h.jurisdiction) if h.jurisdiction else None
    return place.level if place else None


def hits_html(hits: list[Hit]) -> str:
    if not hits:
        return "<p class='empty'>没有结果 / no results</p>"
    rows = [f"<p class='count'>共 {len(hits)} 条结果 / {len(hits)} results</p>"]
    for i, h in enumerate(hits, 1):
        via = (
            f"<span class='via'>上级规定（{LEVELS.get(h.applies_via, h.applies_via)}）</span>" if h.applies_via else ""
        )
        label = esc("".join(h.path) or KIND_LABELS.get(h.kind, h.kind))
        rows.append(
            f"<div class='hit'><div class='hit-head'><b>{i}.</b> {esc(h.doc_title)} "
            f"<span class='docno'>{esc(h.doc_number)}</span> <b>{clause_link(h.clause_id, label)}</b> {via}</div>"
            f"<div class='snippet'>{highlight(h.snippet)}</div>"
            f"<div class='clause-id'>{esc(h.jurisdiction or '地区未注明')} · {LEVELS.get(_level(h) or '', '')} · "
            f"{clause_link(h.clause_id, '查看上下文 / open in context')}</div></div>"
        )
    return "\n".join(rows)


CSS = """
.clause { white-space: pre-wrap; line-height: 1.6; }
.clause-id { color: #6b7280; font-size: 0.8em; margin-top: 4px; }
.hit { border-bottom: 1px solid #e5e7eb; padding: 8px 0; }
.hit-head { font-size: 0.95em; }
.docno { color: #b91c1c; }
.via { background: #fef3c7; color: #92400e; border-radius: 4px; padding: 0 4px; font-size: 0.8em; }
mark { background: #fde68a; }
.context .current { background: #eff6ff; border-left: 3px solid #1d4ed8; padding-left: 6px; }
.context p { margin: 4px 0; white-space: pre-wrap; }
/* long clause texts and the original-text block wrap instead of running off the right edge */
.context, .context pre, .clause, .snippet { overflow-wrap: anywhere; word-break: break-word; }
.context pre { white-space: pre-wrap; max-width: 100%; }
.hint, .count, .count p { color: #6b7280; font-size: 0.9em; }
a.open-clause { color: #1d4ed8; text-decoration: none; cursor: pointer; }
a.open-clause:hover { text-decoration: underline; }
.checklist h4 { margin: 14px 0 4px; }
.checklist .item { border-bottom: 1px solid #e5e7eb; padding: 6px 0; overflow-wrap: anywhere; }
.checklist .why { color: #4b5563; font-size: 0.88em; }
.checklist .confirm { color: #92400e; font-size: 0.88em; }
.checklist .new { background: #dcfce7; color: #166534; border-radius: 4px; padding: 0 4px; font-size: 0.8em; }
.banner { background: #b91c1c; color: white; padding: 10px 16px; border-radius: 6px; }
@media (max-width: 600px) {
  .banner { font-size: 0.85em; padding: 8px 10px; }
}
"""


# the build's warnings are written for developers (and stay so in the CLI); the Documents table says them in words a
# reader of the document understands
FIELD_NAMES = {
    "title": "标题",
    "doc_number": "文号",
    "issue_date": "发文日期",
    "issuer": "发文机关",
    "jurisdiction": "地区",
    "level": "级别",
    "effective_date": "施行日期",
}
NUMBERING_PROBLEMS = {"repeats": "重复", "goes backwards": "倒退", "skips": "跳号"}
USER_WARNINGS: list[tuple[re.Pattern[str], Any]] = [
    (
        re.compile(r"^(\w+) not stated in the text"),
        lambda m: f"文中未写明{FIELD_NAMES.get(m.group(1), m.group(1))}（可在 .meta.json 附注文件中补充）",
    ),
    (re.compile(r"^mojibake at \d+-\d+: '(.*)'", re.S), lambda m: f"含乱码字符「{m.group(1)}」，请核对原文"),
    (re.compile(r"^mojibake: '(.*)'", re.S), lambda m: f"含乱码字符「{m.group(1)}」，请核对原文"),
    (re.compile(r"^removed (\d+) page-number/running-header"), lambda m: f"已去除 {m.group(1)} 行页码或页眉"),
    (re.compile(r"^removed (\d+) private-use"), lambda m: f"已去除 {m.group(1)} 个字体造成的异常字符"),
    (
        re.compile(r"^(?:[^:]+: )?numbering: (\S+) is not a well-formed number"),
        lambda m: f"编号「{m.group(1)}」写法有误",
    ),
    (
        re.compile(r"^(?:[^:]+: )?numbering: (\S+) (repeats|goes backwards|skips) \(expected (\S+)\)"),
        lambda m: f"编号「{m.group(1)}」{NUMBERING_PROBLEMS[m.group(2)]}（应为{m.group(3)}）",
    ),
    (re.compile(r"^no numbered clauses found"), lambda m: "未识别到编号条款，按无编号全文收录"),
    (re.compile(r"^issue_date taken from the 印发"), lambda m: "发文日期取自印发日期（未见落款日期）"),
]


def user_warning(warning: str) -> str:
    """A build warning in Chinese for the Documents table; one without a translation is shown as written."""
    for pattern, say in USER_WARNINGS:
        m = pattern.search(warning)
        if m:
            return say(m)
    return warning
