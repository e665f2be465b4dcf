"""HTML/markdown pieces for the UI. Everything that comes from documents or users is escaped first, so a document
containing `<script>` shows as text."""

from __future__ import annotations

import html
import re

from .. import places
from ..records import Answer, Citation, Hit

MARK_OPEN, MARK_CLOSE = "【", "】"


def esc(text: str | None) -> str:
    return html.escape(text or "", quote=True)


def highlight(snippet: str) -> str:
    """Search snippets carry 【…】 around matches: escape, then turn the markers into <mark>."""
    return esc(snippet).replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")


def md_escape(text: str) -> str:
    """Escape text for the chat's markdown: HTML-escaped and markdown control characters neutralised."""
    return re.sub(r"([\\`*_\[\]#|>~])", r"\\\1", esc(text))


def citation_title(c: Citation) -> str:
    parts = [f"来源 [{c.n}]", c.doc_title or c.doc_id, c.doc_number or "", "".join(c.path)]
    return esc(" ".join(p for p in parts if p))


def citation_body(c: Citation, answer_text: str) -> str:
    """The cited clause with the parts the answer quotes highlighted."""
    body = esc(c.text)
    for quoted in sorted({q for q in re.findall(r"[“]?([^“”\n\[\]]{8,})[”]? \[" + str(c.n) + r"\]", answer_text)},
                         key=len, reverse=True):
        q = esc(quoted.strip("- “”"))
        if q and q in body:
            body = body.replace(q, f"<mark>{q}</mark>", 1)
    return f"<div class='clause'>{body}</div><div class='clause-id'>{esc(c.clause_id)}</div>"


def answer_markdown(a: Answer) -> str:
    # the outcome in words first, visible without a click (the reason of a refusal is the answer's first line)
    badge = {"answered": "✅ **已找到**\n\n", "partial": "⚠️ **部分回答**（请核对所引条款）\n\n",
             "not_found": "🔍 **文件中没有答案** — "}
    text = "\n".join(md_escape(line).replace("\\[", "[").replace("\\]", "]") if not line.startswith("**")
                     else line for line in a.answer.splitlines())
    return badge.get(a.status, "") + text


# users read 省级 / 市级, not the records' level names; ids and raw scores stay in the API and the CLI
LEVELS = {"national": "国家级", "province": "省级", "city": "市级", "county": "县级"}


def _level(h: Hit) -> str | None:
    place = places.lookup(h.jurisdiction) if h.jurisdiction else None
    return place.level if place else None


def hits_html(hits: list[Hit]) -> str:
    if not hits:
        return "<p class='empty'>没有结果 / no results</p>"
    rows = [f"<p class='count'>共 {len(hits)} 条结果 / {len(hits)} results</p>"]
    for i, h in enumerate(hits, 1):
        via = f"<span class='via'>上级规定（{LEVELS.get(h.applies_via, h.applies_via)}）</span>" if h.applies_via else ""
        rows.append(
            f"<div class='hit'><div class='hit-head'><b>{i}.</b> {esc(h.doc_title)} "
            f"<span class='docno'>{esc(h.doc_number)}</span> <b>{esc(''.join(h.path) or h.kind)}</b> {via}</div>"
            f"<div class='snippet'>{highlight(h.snippet)}</div>"
            f"<div class='clause-id'>{esc(h.jurisdiction or '地区未注明')} · {LEVELS.get(_level(h), '')}</div></div>")
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
.banner { background: #b91c1c; color: white; padding: 10px 16px; border-radius: 6px; }
"""
