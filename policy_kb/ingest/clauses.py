"""公文 numbering → a clause tree with stable IDs (see docs/data-model.md).

Levels are assigned by numbering *style* (一、 / （一） / 1. / （1） / 第X章 / 第X节 / 第X条), not by markdown depth or
indentation, because real documents nest them inconsistently.  A style seen before is a sibling of that level;
a new style nests below the current one unless it ranks above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..records import Clause, ClauseKind
from .clean import DATE_LINE_RE, LABEL_RE, for_matching

STYLE_RANK = {"chapter": 0, "section": 1, "article": 2, "cn": 3, "cn_paren": 4, "num": 5, "num_paren": 6}
SENTENCE_PUNCT = "。；！？"


@dataclass
class _Para:
    start: int
    end: int
    text: str


def label_style(label: str) -> str:
    if label.startswith("第"):
        return {"章": "chapter", "节": "section", "条": "article"}[label[-1]]
    if label[0] in "（(":
        return "num_paren" if label[1].isdigit() else "cn_paren"
    return "num" if label[0].isdigit() else "cn"


def normalise_label(label: str) -> tuple[str, str]:
    """Raw label → (display label, ID part): `(四)` → (`（四）`, `（四）`), `1．` → (`1.`, `1`),
    `三、` → (`三、`, `三`)."""
    label = label.replace("(", "（").replace(")", "）")
    style = label_style(label)
    if style in ("cn_paren", "num_paren", "chapter", "section", "article"):
        return label, label
    core = label.rstrip("、.．。")
    return (core + ("、" if style == "cn" else ".")), core


CN_DIGITS = "零一二三四五六七八九"
CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def int_to_cn(n: int) -> str:
    """Canonical Chinese numeral of 0 < n < 10000 as laws write it: 10 → 十, 111 → 一百一十一, 1001 → 一千零一."""
    if n < 10:
        return CN_DIGITS[n]
    parts: list[str] = []
    gap = False  # a zero digit after a written one: 一百零一, 一千零一十
    for size, name in ((1000, "千"), (100, "百"), (10, "十")):
        digit, n = divmod(n, size)
        if digit:
            parts.append(("零" if gap else "") + CN_DIGITS[digit] + name)
            gap = False
        elif parts:
            gap = True
    if n:
        parts.append(("零" if gap else "") + CN_DIGITS[n])
    out = "".join(parts)
    return out[1:] if out.startswith("一十") else out


def cn_to_int(numeral: str) -> int | None:
    """Exact Chinese (or Arabic) numeral → int: 一百一十一 → 111, 一千 → 1000, 十 / 一十 → 10.  Malformed numbers
    (`十一一`, `一百十一百`) give None rather than a guess: the caller warns about them."""
    if numeral.isdigit():
        return int(numeral)
    total, digit = 0, None
    for ch in numeral.replace("〇", "零"):
        if ch in CN_DIGITS:
            digit = CN_DIGITS.index(ch)
        elif ch in CN_UNITS:
            total += (1 if digit is None else digit) * CN_UNITS[ch]
            digit = None
        else:
            return None
    value = total + (digit or 0)
    if not 0 < value < 10000:
        return None
    written = numeral.replace("〇", "零")
    return value if written in (int_to_cn(value), "一" + int_to_cn(value)) else None


class _NumberingCheck:
    """Checks that 第X章 / 第X节 / 第X条 count up by one (articles and chapters through the whole document, sections
    within their chapter) and that each numeral is well formed.  A problem is a warning, never a lost paragraph."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}

    def warning(self, label: str) -> str | None:
        style = label_style(label)
        if style not in ("chapter", "section", "article"):
            return None
        if style == "chapter":
            self.last.pop("section", None)  # sections restart in every chapter
        expected = self.last.get(style, 0) + 1
        number = cn_to_int(label[1:-1])
        # a malformed number takes the expected place; a step back does not restart the count (one warning, not a
        # warning on every article after it)
        self.last[style] = expected if number is None else max(number, expected - 1)
        if number is None:
            return f"numbering: {label} is not a well-formed number"
        if number != expected:
            what = "repeats" if number == expected - 1 else "goes backwards" if number < expected else "skips"
            return f"numbering: {label} {what} (expected 第{int_to_cn(expected)}{label[-1]})"
        return None


_MODAL = re.compile(r"必须|不得|严禁|应当|须")


def _bare_len(s: str) -> int:
    """Length without parenthesised notes: `推动钢铁行业（含独立球团烧结企业…）深度治理` reads as a short phrase."""
    return len(re.sub(r"（[^（）]*）|\([^()]*\)", "", s))


def _split_heading(rest: str, stands_alone: bool = False) -> str | None:
    """Heading of a numbered paragraph (`rest` is its first line without the label): the whole line when it is short
    and unpunctuated, a short first sentence run into its paragraph (`进一步夯实各项基础工作。各市要…`), or the name
    before a colon (`市住建局：负责…`).  ``stands_alone``: the line is followed by more of the clause (body paragraphs
    or child clauses), so a one-sentence line such as `全面整合山西焦化工业，…，组建焦化企业联盟。` heads it."""
    if not any(p in rest for p in SENTENCE_PUNCT) and (len(rest) <= 60 or (stands_alone and len(rest) <= 100)):
        return rest.rstrip("：:") or None
    m = re.match(r"([^。；！？]{2,})。", rest)
    if m and "：" not in m.group(1) and not _MODAL.search(m.group(1)):
        sentence, run_in = m.group(1), m.end() < len(rest)
        if (
            len(sentence) <= 30
            or (run_in and _bare_len(sentence) <= 30)
            or (stands_alone and not run_in and len(sentence) <= 100)
        ):
            return sentence
    m = re.match(r"([^，。；：]{2,30})：", rest)
    if m:
        return m.group(1)
    return None


def _paragraphs(text: str) -> list[_Para]:
    return [_Para(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[^\n]+", text)]


def _is_title_like(p: str) -> bool:
    return (
        len(p) <= 60
        and not any(c in p for c in "，。；：,;:")
        and not DATE_LINE_RE.match(p)
        and not p.startswith("（此件")
    )


def _is_signature_end(p: str) -> bool:
    return bool(DATE_LINE_RE.match(p) or re.fullmatch(r"（此件.{0,10}）", p))


def _attachment_reference(paras: list[_Para], i: int) -> bool:
    """`附件：名单` followed within two lines by the signature date: a list of attachments, not an attachment."""
    return bool(re.match(r"^附件[：:]?\S", paras[i].text)) and any(
        DATE_LINE_RE.match(p.text) for p in paras[i + 1 : i + 3]
    )


# Complexity over 15 on purpose: a one-pass state machine over numbered paragraphs; its steps share the stack
# of open label styles
def parse_clauses(  # noqa: C901 (reason above)
    doc_id: str, text: str, mojibake: list[tuple[int, int]] | None = None
) -> list[Clause]:
    """Split cleaned document text into clauses in document order.

    Labels, headings and clause kinds are recognised on ``for_matching(text)`` (`(一)` and `（一）` alike); clause
    text is sliced from ``text`` itself, so it stays as written."""
    matching = for_matching(text)
    paras = _paragraphs(matching)
    clauses: list[Clause] = []
    used_ids: dict[str, int] = {}
    kind_counts: dict[str, int] = {}

    def new_id(suffix: str) -> str:
        cid = f"{doc_id}:{suffix}"
        n = used_ids.get(cid, 0) + 1
        used_ids[cid] = n
        return cid if n == 1 else f"{cid}~{n}"

    def add_unnumbered(kind: ClauseKind, name: str, group: list[_Para]) -> None:
        n = kind_counts.get(name, 0) + 1
        kind_counts[name] = n
        suffix = name if n == 1 else f"{name}-{n}"
        clauses.append(
            Clause(
                id=new_id(suffix),
                doc_id=doc_id,
                parent_id=None,
                level=0,
                label=None,
                path=[],
                heading=None,
                text=text[group[0].start : group[-1].end],
                kind=kind,
                start=group[0].start,
                end=group[-1].end,
                spans=[(group[0].start, group[-1].end)],
            )
        )

    # 1. split off the tail: attachments (附件…) and distribution lines (抄送/印发)
    first_label = next((i for i, p in enumerate(paras) if LABEL_RE.match(p.text)), len(paras))
    tail_start = len(paras)
    for i in range(first_label, len(paras)):
        if _attachment_reference(paras, i):
            continue  # `附件：XX名单` listed above the signature: part of the closing block, not the attachment
        if re.match(r"^(附件|附表|抄送)", paras[i].text) or paras[i].text.endswith("印发"):
            tail_start = i
            break
    # a signature block (issuer line, date, 此件公开发布) right before the tail or at the end closes the body
    body_end = tail_start
    j = body_end - 1
    while j > first_label and (
        _is_signature_end(paras[j].text)
        or _attachment_reference(paras, j)
        or (_is_title_like(paras[j].text) and j + 1 < len(paras) and _is_signature_end(paras[j + 1].text))
    ):
        j -= 1
    if j + 1 < body_end:
        signature = paras[j + 1 : body_end]
        body_end = j + 1
    else:
        signature = []

    # 2. head: alternating title and preamble segments
    seg_kind: ClauseKind | None = None
    group: list[_Para] = []
    after_signature = True
    for p in paras[:first_label]:
        if _is_title_like(p.text) and after_signature:
            kind = ClauseKind.TITLE
        else:
            kind = ClauseKind.PREAMBLE
        if kind != seg_kind and group:
            add_unnumbered(seg_kind or kind, seg_kind or kind, group)
            group = []
        seg_kind = kind
        group.append(p)
        after_signature = kind == ClauseKind.TITLE or _is_signature_end(p.text)
    if group and seg_kind:
        add_unnumbered(seg_kind, seg_kind, group)

    # 3. body: numbered clauses; unnumbered paragraphs belong to the clause before them, or to the article whose
    # items they follow (the closing paragraph of an article with （一）… items)
    stack: list[tuple[str, Clause]] = []  # (style, clause)
    numbering = _NumberingCheck()
    for p in paras[first_label:body_end]:
        m = LABEL_RE.match(p.text)
        if not m:
            if stack:
                _add_paragraph(_owner(stack), p, text)
            continue
        raw_label = m.group(0)
        display, _ = normalise_label(raw_label)
        style = label_style(display)
        if any(s == style for s, _ in stack):
            while stack[-1][0] != style:
                stack.pop()
            stack.pop()
        else:
            while stack and STYLE_RANK[stack[-1][0]] > STYLE_RANK[style]:
                stack.pop()
        parent = stack[-1][1] if stack else None
        path = (parent.path if parent else []) + [display]
        id_path = "/".join(normalise_label(lbl)[1] for lbl in path)
        rest_start = p.start + len(raw_label)
        while rest_start < p.end and text[rest_start] == " ":
            rest_start += 1
        clause = Clause(
            id=new_id(id_path),
            doc_id=doc_id,
            parent_id=parent.id if parent else None,
            level=len(stack) + 1,
            label=display,
            path=path,
            heading=None,
            text=text[rest_start : p.end],
            kind=ClauseKind.BODY,
            start=p.start,
            end=p.end,
            spans=[(rest_start, p.end)],
        )
        problem = numbering.warning(display)
        if problem:
            clause.warnings.append(problem)
        clauses.append(clause)
        stack.append((style, clause))

    # headings, now that it is known which first lines are followed by more of their clause; an article (第X条)
    # has no heading: its text is the provision itself
    parents = {c.parent_id for c in clauses if c.parent_id}
    for c in clauses:
        if c.kind == ClauseKind.BODY and c.label and label_style(c.label) != "article":
            start, end = c.spans[0]
            first = matching[start:end].split("\n", 1)[0]
            heading = _split_heading(first, stands_alone="\n" in c.text or c.id in parents)
            c.heading = text[start : start + len(heading)] if heading else None  # a prefix: kept as written
    if signature:
        add_unnumbered(ClauseKind.TITLE, "signature", signature)

    # 4. tail: each 附件 starts an attachment, 抄送/印发 lines form the cc clause
    group, seg_kind = [], None
    for p in paras[tail_start:]:
        if p.text.startswith(("附件", "附表")):
            kind = ClauseKind.ATTACHMENT
            if group:
                add_unnumbered(seg_kind or kind, seg_kind or kind, group)
                group = []
        elif p.text.startswith("抄送") or (seg_kind != ClauseKind.CC and p.text.endswith("印发")):
            kind = ClauseKind.CC
            if group and seg_kind != ClauseKind.CC:
                add_unnumbered(seg_kind or kind, seg_kind or kind, group)
                group = []
        else:
            kind = seg_kind or ClauseKind.CC
        seg_kind = kind
        group.append(p)
    if group and seg_kind:
        add_unnumbered(seg_kind, seg_kind, group)

    clauses.sort(key=lambda c: c.start)
    for c in clauses:
        for a, b in mojibake or []:
            if any(a < end and b > start for start, end in c.spans):
                c.warnings.append(f"mojibake: '{text[a:b]}' is garbled text, check the source document")
    return clauses


def numbering_warnings(clauses: list[Clause]) -> list[str]:
    """Document-level copies of the clauses' numbering warnings (malformed, repeated, skipped or backward 第X条)."""
    return [f"{c.id.split(':', 1)[1]}: {w}" for c in clauses for w in c.warnings if w.startswith("numbering:")]


def _owner(stack: list[tuple[str, Clause]]) -> Clause:
    """The clause an unnumbered paragraph belongs to: the innermost open clause, except inside an article (第X条),
    whose items are one paragraph each, so a paragraph after them is the article's own (its closing words)."""
    for style, clause in stack:
        if style == "article":
            return clause
    return stack[-1][1]


def _add_paragraph(clause: Clause, p: _Para, text: str) -> None:
    """Give `clause` one more paragraph: it extends the last span when nothing lies between them, else it starts a
    new span (a closing paragraph after the article's items).  The clause text is its spans joined by `\n`."""
    start, end = clause.spans[-1]
    if start == end:  # a bare label line (`一、` alone): the paragraph is the clause's first text
        clause.spans[-1] = (p.start, p.end)
    elif text[end : p.start].strip() == "":
        clause.spans[-1] = (start, p.end)
    else:
        clause.spans.append((p.start, p.end))
    clause.text = "\n".join(text[a:b] for a, b in clause.spans)
    clause.end = p.end


def text_spans(doc_text: str, clause: Clause) -> list[tuple[int, int]]:
    """The [start, end) runs of Document.text that make up ``clause.text`` (joined by `\n`).  Clauses read back from
    an index that does not store spans have none: they are found again, paragraph by paragraph, from
    ``clause.start`` (each line of a clause text is a whole paragraph of the document, the first one after its
    label)."""
    if clause.spans:
        return [(a, b) for a, b in clause.spans]
    lines = clause.text.split("\n")
    first = doc_text.find(lines[0], clause.start)
    if first < 0:
        return [(clause.start, clause.start + len(clause.text))]
    spans = [(first, first + len(lines[0]))]
    for line in lines[1:]:
        end = spans[-1][1]
        if doc_text.startswith("\n" + line, end) and doc_text[end + 1 + len(line) : end + 2 + len(line)] in ("", "\n"):
            spans[-1] = (spans[-1][0], end + 1 + len(line))
            continue
        at = doc_text.find("\n" + line + "\n", end)
        at = at if at >= 0 else doc_text.find("\n" + line, end)
        if at < 0:
            break
        spans.append((at + 1, at + 1 + len(line)))
    return spans
