"""公文 numbering → a clause tree with stable IDs (see docs/data-model.md).

Levels are assigned by numbering *style* (一、 / （一） / 1. / （1） / 第X章 / 第X节 / 第X条), not by markdown depth or
indentation, because real documents nest them inconsistently.  A style seen before is a sibling of that level;
a new style nests below the current one unless it ranks above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..records import Clause
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
    """Raw label → (display label, ID part): `(四)` → (`（四）`, `（四）`), `1．` → (`1.`, `1`), `三、` → (`三、`, `三`)."""
    label = label.replace("(", "（").replace(")", "）")
    style = label_style(label)
    if style in ("cn_paren", "num_paren", "chapter", "section", "article"):
        return label, label
    core = label.rstrip("、.．。")
    return (core + ("、" if style == "cn" else ".")), core


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
        if (len(sentence) <= 30 or (run_in and _bare_len(sentence) <= 30)
                or (stands_alone and not run_in and len(sentence) <= 100)):
            return sentence
    m = re.match(r"([^，。；：]{2,30})：", rest)
    if m:
        return m.group(1)
    return None


def _paragraphs(text: str) -> list[_Para]:
    return [_Para(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[^\n]+", text)]


def _is_title_like(p: str) -> bool:
    return len(p) <= 60 and not any(c in p for c in "，。；：,;:") and not DATE_LINE_RE.match(p) and not p.startswith("（此件")


def _is_signature_end(p: str) -> bool:
    return bool(DATE_LINE_RE.match(p) or re.fullmatch(r"（此件.{0,10}）", p))


def _attachment_reference(paras: list[_Para], i: int) -> bool:
    """`附件：名单` followed within two lines by the signature date: a list of attachments, not an attachment."""
    return bool(re.match(r"^附件[：:]?\S", paras[i].text)) and any(
        DATE_LINE_RE.match(p.text) for p in paras[i + 1:i + 3])


def parse_clauses(doc_id: str, text: str, mojibake: list[tuple[int, int]] | None = None) -> list[Clause]:
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

    def add_unnumbered(kind: str, name: str, group: list[_Para]) -> None:
        n = kind_counts.get(name, 0) + 1
        kind_counts[name] = n
        suffix = name if n == 1 else f"{name}-{n}"
        clauses.append(Clause(id=new_id(suffix), doc_id=doc_id, parent_id=None, level=0, label=None, path=[],
                              heading=None, text=text[group[0].start:group[-1].end], kind=kind,
                              start=group[0].start, end=group[-1].end))

    # 1. split off the tail: attachments (附件…) and distribution lines (抄送/印发)
    first_label = next((i for i, p in enumerate(paras) if LABEL_RE.match(p.text)), len(paras))
    tail_start = len(paras)
    for i in range(first_label, len(paras)):
        if _attachment_reference(paras, i):
            continue  # `附件：XX名单` listed above the signature: part of the closing block, not the attachment
        if re.match(r"^(附件|抄送)", paras[i].text) or paras[i].text.endswith("印发"):
            tail_start = i
            break
    # a signature block (issuer line, date, 此件公开发布) right before the tail or at the end closes the body
    body_end = tail_start
    j = body_end - 1
    while j > first_label and (_is_signature_end(paras[j].text) or _attachment_reference(paras, j) or
                               (_is_title_like(paras[j].text) and j + 1 < len(paras) and _is_signature_end(paras[j + 1].text))):
        j -= 1
    if j + 1 < body_end:
        signature = paras[j + 1:body_end]
        body_end = j + 1
    else:
        signature = []

    # 2. head: alternating title and preamble segments
    seg_kind: str | None = None
    group: list[_Para] = []
    after_signature = True
    for p in paras[:first_label]:
        if _is_title_like(p.text) and after_signature:
            kind = "title"
        else:
            kind = "preamble"
        if kind != seg_kind and group:
            add_unnumbered(seg_kind or kind, seg_kind or kind, group)
            group = []
        seg_kind = kind
        group.append(p)
        after_signature = kind == "title" or _is_signature_end(p.text)
    if group and seg_kind:
        add_unnumbered(seg_kind, seg_kind, group)

    # 3. body: numbered clauses; unnumbered paragraphs belong to the clause before them
    stack: list[tuple[str, Clause]] = []  # (style, clause)
    current: Clause | None = None
    for p in paras[first_label:body_end]:
        m = LABEL_RE.match(p.text)
        if not m:
            if current is not None:
                current.end = p.end
                current.text = text[current.text_start:current.end]  # type: ignore[attr-defined]
            continue
        raw_label = m.group(0)
        display, id_part = normalise_label(raw_label)
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
        clause = Clause(id=new_id(id_path), doc_id=doc_id, parent_id=parent.id if parent else None,
                        level=len(stack) + 1, label=display, path=path,
                        heading=None, text=text[rest_start:p.end], kind="body",
                        start=p.start, end=p.end)
        clause.text_start = rest_start  # type: ignore[attr-defined]
        clauses.append(clause)
        stack.append((style, clause))
        current = clause

    # headings, now that it is known which first lines are followed by more of their clause; an article (第X条)
    # has no heading: its text is the provision itself
    parents = {c.parent_id for c in clauses if c.parent_id}
    for c in clauses:
        if c.kind == "body" and c.label and label_style(c.label) != "article":
            first = matching[c.text_start:c.end].split("\n", 1)[0]  # type: ignore[attr-defined]
            heading = _split_heading(first, stands_alone="\n" in c.text or c.id in parents)
            # the heading is a prefix of the first line: keep it as written
            c.heading = text[c.text_start:c.text_start + len(heading)] if heading else None  # type: ignore[attr-defined]
    if signature:
        add_unnumbered("title", "signature", signature)

    # 4. tail: each 附件 starts an attachment, 抄送/印发 lines form the cc clause
    group, seg_kind = [], None
    for p in paras[tail_start:]:
        if p.text.startswith("附件"):
            kind = "attachment"
            if group:
                add_unnumbered(seg_kind or kind, seg_kind or kind, group)
                group = []
        elif p.text.startswith("抄送") or (seg_kind != "cc" and p.text.endswith("印发")):
            kind = "cc"
            if group and seg_kind != "cc":
                add_unnumbered(seg_kind or kind, seg_kind or kind, group)
                group = []
        else:
            kind = seg_kind or "cc"
        seg_kind = kind
        group.append(p)
    if group and seg_kind:
        add_unnumbered(seg_kind, seg_kind, group)

    clauses.sort(key=lambda c: c.start)
    for c in clauses:
        c.__dict__.pop("text_start", None)
        for a, b in mojibake or []:
            if a < c.end and b > c.start:
                c.warnings.append(f"mojibake: '{text[a:b]}' is garbled text, check the source document")
    return clauses
