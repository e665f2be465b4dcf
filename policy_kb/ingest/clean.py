"""Undo extraction artifacts (PDF line breaks, watermark URLs, markdown/HTML/LaTeX residue, Word bookmarks, spaces
inside numbers, mixed punctuation) while keeping a map from every cleaned character back to the raw text, so a clause
can always be shown in its original context.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

CJK = r"\u4e00-\u9fff\u3400-\u4dbf"
CJK_PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018-\u201d\u2026\u2014"
LABEL_RE = re.compile(
    r"^(?:第[一二三四五六七八九十百千零〇\d]{1,7}[章节条]|[一二三四五六七八九十百]{1,3}、|[（(][一二三四五六七八九十]{1,3}[）)]"
    r"|\d{1,2}[.．。、](?![\d.．])|\d{1,2}[.．](?=\d{4}年)|[（(]\d{1,2}[）)])"
)  # `1.2024年12月底前，…` is item 1 that opens with a year, not the number 1.2024
DATE_LINE_RE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[［【(（]\s*\d{4}\s*[〕\]］】)）]\s*\d{1,4}\s*号")
TERMINAL = "。！？；：:!?;…"
SENTENCE_PUNCT = "。；！？!?;"
PUA_RE = re.compile(r"[\ue000-\uf8ff]")


@dataclass
class CleanText:
    text: str
    src: list[int]  # src[i] = offset in the raw text of cleaned character i
    warnings: list[str] = field(default_factory=list)
    mojibake: list[tuple[int, int]] = field(default_factory=list)  # spans in cleaned text

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw-text span covering cleaned[start:end]."""
        if not self.src:
            return (0, 0)
        end = max(start, min(end, len(self.src)) - 1)
        return (self.src[min(start, len(self.src) - 1)], self.src[end] + 1)


class _Mapped:
    """A string plus, for each character, its offset in the original text."""

    def __init__(self, text: str, src: list[int] | None = None):
        self.text = text
        self.src = src if src is not None else list(range(len(text)))

    def sub(self, pattern: str | re.Pattern[str], repl: str | Callable[[re.Match[str]], str], flags: int = 0) -> None:
        regex = re.compile(pattern, flags) if isinstance(pattern, str) else pattern
        out: list[str] = []
        src: list[int] = []
        pos = 0
        for m in regex.finditer(self.text):
            out.append(self.text[pos : m.start()])
            src.extend(self.src[pos : m.start()])
            new = repl(m) if callable(repl) else m.expand(repl)
            # align each replacement character with the same character inside the match when possible
            cursor = m.start()
            for ch in new:
                found = self.text.find(ch, cursor, m.end())
                if found >= 0:
                    src.append(self.src[found])
                    cursor = found + 1
                else:
                    src.append(self.src[min(cursor, len(self.src) - 1)] if self.src else 0)
            out.append(new)
            pos = m.end()
        out.append(self.text[pos:])
        src.extend(self.src[pos:])
        self.text = "".join(out)
        self.src = src


def _latex(m: re.Match[str]) -> str:
    s = m.group(1)
    s = re.sub(r"\\mu\s*", "μ", s)
    s = re.sub(r"\\(?:cdot|times)\s*", "·", s)
    s = re.sub(r"\^\{?2\}?", "²", s)
    s = re.sub(r"\^\{?3\}?", "³", s)
    s = re.sub(r"[_^]\{([^}]*)\}", r"\1", s)
    s = re.sub(r"[_^]", "", s)
    s = re.sub(r"\\[a-zA-Z]+\s*", "", s)
    return s.replace("{", "").replace("}", "").replace(" ", "")


_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "〈": "（", "〉": "）", "!": "！"}
# `,` after CJK text or a closing bracket is Chinese punctuation even before a digit (治理,2019年; 装机),9家);
# between digits (1,000) it is a thousands separator and stays
_PUNCT_RE = re.compile(rf"(?<=[{CJK}）)〉])[,;:!]|[,;:](?=[{CJK}])|[()〈〉]")
_DIGIT_PAREN_RE = re.compile(r"(?<=\d)[(（](?=\d)")


def for_matching(text: str) -> str:
    """The text with Chinese punctuation made uniform (`,` → `，`, `(` → `（`, `〈〉` → `（）` …), for label detection,
    rules and indexing.

    The stored text keeps the punctuation as written (quotes and citations must match the source), so every rule
    that looks for `：`, `（` or `；` runs on this copy instead.  The mapping is one character to one character:
    offsets into the result are offsets into `text`.  Context rules: `,` between digits (1,000) and `(` between
    digits (`2(3)`) stay half-width.
    """
    out = _PUNCT_RE.sub(lambda m: _HALF_TO_FULL[m.group(0)], text)
    return _DIGIT_PAREN_RE.sub("(", out)


def _is_special(line: str) -> bool:
    """Lines that always stand alone: dates, 文号, red headers, 发布 notes, attachment and 抄送 starts."""
    return bool(
        DATE_LINE_RE.match(line)
        or DOC_NUMBER_RE.fullmatch(line)
        or line.endswith("文件")
        or re.fullmatch(r"（此件.{0,10}）", line)
        or re.match(r"^(附件|附表|抄送|印发)", line)
        or line.endswith("印发")
    )


def _standalone(line: str) -> bool:
    """Special lines after which a new paragraph always starts (抄送 lists wrap, so they are excluded)."""
    return _is_special(line) and not re.match(r"^抄送", line)


def _is_table_row(line: str) -> bool:
    """Name lists such as `组长：赵辉 市委常委` keep their line breaks (detected before spaces are removed)."""
    return len(line) <= 40 and bool(re.search(rf"[{CJK}]\s+[{CJK}]", line))


def _has_sentence_punct(s: str) -> bool:
    """Sentence-final punctuation outside mojibake runs (the `?` in `化产厥丈枋┎唤∪?资源` is a lost character)."""
    for a, b in reversed(_mojibake_spans(s)):
        s = s[:a] + s[b:]
    return any(p in s for p in SENTENCE_PUNCT)


def _joins(para: str, prev: str, cur: str, prev_table: bool, cur_table: bool, short: int) -> bool:
    """Whether line `cur` continues paragraph `para` (whose last physical line is `prev`) or starts a new one."""
    if (
        not prev
        or prev[-1] in TERMINAL
        or (prev.endswith("）") and re.search(r"（[^（]*(负责|牵头|落实|配合|发布)[^（]*）$", prev))
    ):
        return False
    if LABEL_RE.match(cur) or _is_special(cur) or _standalone(prev) or prev_table or cur_table:
        return False
    label = LABEL_RE.match(para)
    labelled = label is not None
    rest = para[label.end() :] if label else para
    one_line = para == prev  # the labelled line is a single physical line, short for this document
    if labelled and not _has_sentence_punct(rest) and (len(rest) <= 50 or one_line) and len(prev) < short:
        return False  # a heading line such as 一、总体目标
    has_punct = any(p in prev for p in "，。；、：,")
    if not has_punct and len(prev) < short:
        # short unpunctuated lines: title fragments join each other, anything else starts a new paragraph
        return not labelled and not any(p in cur for p in "，。；：,") and len(cur) < short
    return True


def _mojibake_spans(text: str) -> list[tuple[int, int]]:
    """Runs where GBK bytes were decoded with the wrong codec: box-drawing/math symbols, U+FFFD or `?` among CJK."""
    suspicious = re.compile(rf"[\u2500-\u257f\u2200-\u22ff\ufffd]|(?<=[{CJK}\u2200-\u22ff\u2500-\u257f])\?")
    hits = [m.start() for m in suspicious.finditer(text)]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(hits):
        j = i
        while j + 1 < len(hits) and hits[j + 1] - hits[j] <= 6:
            j += 1
        if j > i or text[hits[i]] == "\ufffd":
            a, b = hits[i], hits[j] + 1
            while a > 0 and hits[i] - a < 4 and re.match(rf"[{CJK}]", text[a - 1]):
                a -= 1
            spans.append((a, b))
        i = j + 1
    return spans


# a page number standing alone on its line: `- 4 -`, `— 4 —`, `－4－`, `第4页 共6页`, `第 4 页`, `4/6`
PAGE_NUMBER_RE = re.compile(
    r"(?m)^[ ]*(?:[-－—–][ ]*\d{1,4}[ ]*[-－—–]|第[ ]*\d{1,4}[ ]*页(?:[ ]*[，,/]?[ ]*共[ ]*\d{1,4}[ ]*页)?"
    r"|共[ ]*\d{1,4}[ ]*页[ ]*[，,/]?[ ]*第[ ]*\d{1,4}[ ]*页|\d{1,4}[ ]*/[ ]*\d{1,4})[ ]*$"
)
COMMENT_RE = re.compile(r"<!--[\s\S]*?-->|^[ ]*\[//\]:[ ]*#.*$", re.M)  # HTML comments, markdown `[//]: # (…)`
HEADER_MAX = 40  # running headers and watermarks are short lines …
HEADER_MIN = 4  # … but not one-to-three-character fragments (`一` twice is no page header)


def _interrupts(before: str, after: str) -> bool:
    """A line between `before` and `after` splits a sentence: `before` is sentence text (it has punctuation) that has
    not ended, and `after` is not a new numbered paragraph."""
    before, after = for_matching(before), for_matching(after)
    return (
        bool(before)
        and bool(after)
        and before[-1] not in TERMINAL
        and any(p in before for p in "，、；：")
        and not _is_table_row(before)
        and not LABEL_RE.match(after)
        and not _is_special(after)
    )


def _running_header_lines(text: str) -> list[int]:
    """Start offsets of running-header/watermark lines that split a sentence: a short line repeated in the document
    (a page header such as `山西省人民政府公报`) standing between two halves of a sentence.  Only those occurrences
    go: the same words may also be a real line elsewhere (the issuer's name in the signature).  Numbered headings,
    punctuated lines, name-list rows and 文号/date lines never qualify."""
    lines = [(mm.start(), mm.group(0).strip()) for mm in re.finditer(r"[^\n]+", text) if mm.group(0).strip()]
    counts: dict[str, int] = {}
    for _, ln in lines:
        counts[ln] = counts.get(ln, 0) + 1
    starts = []
    for i in range(1, len(lines) - 1):
        ln = lines[i][1]
        if (
            counts[ln] < 2
            or len(ln) < HEADER_MIN
            or len(ln) > HEADER_MAX
            or LABEL_RE.match(for_matching(ln))
            or _is_special(ln)
            or _is_table_row(ln)
            or any(p in ln for p in "，。；：、,;:")
        ):
            continue
        if _interrupts(lines[i - 1][1], lines[i + 1][1]):
            starts.append(lines[i][0])
    return starts


@lru_cache(maxsize=1)
def _segmenter() -> Callable[[str], list[str]]:
    """A private jieba tokenizer (loaded only for a page break that needs it; the global instance is left alone)."""
    import jieba

    jieba.setLogLevel(60)
    return jieba.Tokenizer().lcut


def _word_crosses(before: str, after: str) -> bool:
    """Whether a word runs across the join of `before` and `after` (`铁路或管` + `道运输` → 管道): the two lines are
    halves of one sentence that a page break split, even when the first half looks like a short heading."""
    left, right = before[-4:], after[:4]
    cut, pos = set(), 0
    for word in _segmenter()(left + right):
        pos += len(word)
        cut.add(pos)
    return len(left) not in cut


def _joins_across_page(prev: str, cur: str) -> bool:
    """Two lines that a removed page-number/header line separated: one sentence unless the first has ended or the
    second starts a numbered paragraph."""
    return (
        bool(prev)
        and prev[-1] not in TERMINAL
        and not LABEL_RE.match(cur)
        and not _is_special(cur)
        and _word_crosses(prev, cur)
    )


def _remove_page_furniture(m: _Mapped) -> list[int]:
    """Drop page-number lines and running-header lines that split a sentence.  Returns the raw offsets of the
    removed lines: the paragraph rebuild joins the two halves of a sentence around them."""
    breaks = [m.src[x.start()] for x in PAGE_NUMBER_RE.finditer(m.text) if x.group(0)]
    m.sub(PAGE_NUMBER_RE, "")
    starts = set(_running_header_lines(m.text))
    if starts:
        breaks += [m.src[i] for i in starts]
        m.sub(r"(?m)^[^\n]+$", lambda x: "" if x.start() in starts else x.group(0))
    return sorted(breaks)


def clean(raw: str) -> CleanText:
    """Clean raw document text; see the module docstring for what is undone."""
    m = _Mapped(raw)
    m.sub(r"\r\n?", "\n")
    m.sub(r"[\u200b\u200c\u200d\ufeff]", "")
    pua = len(PUA_RE.findall(m.text))
    m.sub(PUA_RE, "")  # private-use code points from PDF/Word fonts (SO\ue00c2): never real text
    m.sub(r"\[bookmark:[^\]]*\]", "")
    m.sub(r"https?://[A-Za-z0-9./_\-?=&%#:~+]+", "")
    m.sub(COMMENT_RE, "")  # `<!-- INFO END -->` of LawRefBook texts: markup, never text
    # sub/superscripts from Word/PDF conversions (PM<sub>2.5</sub>) read as plain text; any other markup is what
    # the document says (a notice may quote `<script>`): kept as written, and escaped wherever it is displayed
    m.sub(r"<(sub|sup)>(.*?)</\1>", r"\2", re.I)
    m.sub(r"&(?:[a-z]{2,8}|#\d{2,6}|#x[0-9a-fA-F]{2,5});", lambda x: html.unescape(x.group(0)))
    m.sub(r"[\u200b\u200c\u200d\ufeff]", "")  # again: entities such as &#8203; may have produced them
    pua += len(PUA_RE.findall(m.text))
    m.sub(PUA_RE, "")
    # after unescaping, so that &nbsp; / &emsp; become ordinary spaces too
    m.sub(r"[\t\u00a0\u3000\u2002\u2003]", " ")
    m.sub(r"\$([^$\n]{1,120})\$", _latex)
    m.sub(r"(?m)^[ ]*(?:[-*_][ ]*){3,}$", "")  # markdown rules
    m.sub(r"(?m)^[ ]*#{1,6}[ ]*", "")  # markdown headings
    m.sub(r"(?m)^[ ]*>[ ]?", "")  # markdown quotes
    m.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda x: x.group(1) or x.group(2))
    page_breaks = _remove_page_furniture(m)

    # decide paragraph structure on the lines as they still are (spaces carry table structure)
    lines = [(mm.start(), mm.end()) for mm in re.finditer(r"[^\n]+", m.text)]
    stripped = [m.text[a:b].strip() for a, b in lines]
    tables = [_is_table_row(s) for s in stripped]
    m.sub(r"[ ]+", " ")
    m.sub(rf"(?<=[{CJK}{CJK_PUNCT}])[ ]+|[ ]+(?=[{CJK}{CJK_PUNCT}%‰])", "")
    m.sub(r"(?<=\d)[ ]+(?=[%‰])", "")

    # rebuild: blank lines are noise, joins/breaks are decided per pair of non-blank lines
    lines = [(mm.start(), mm.end()) for mm in re.finditer(r"[^\n]+", m.text)]
    texts = [m.text[a:b].strip() for a, b in lines]
    matching = for_matching(m.text)  # the join rules look for full-width punctuation; same offsets as m.text
    norm = [matching[a:b].strip() for a, b in lines]
    keep = [i for i, t in enumerate(texts) if t]
    lengths = sorted(len(texts[i]) for i in keep)
    width = lengths[int(len(lengths) * 0.9)] if lengths else 0
    short = max(16, int(width * 0.75))
    table_of = {}
    # map table flags from the pre-space lines onto the new lines by order of non-blank lines
    pre = [i for i, s in enumerate(stripped) if s]
    for k, i in enumerate(keep):
        table_of[i] = tables[pre[k]] if k < len(pre) else False

    out: list[str] = []
    src: list[int] = []
    para = prev = ""
    prev_i = -1
    for i in keep:
        a, b = lines[i]
        seg = m.text[a:b]
        lead = len(seg) - len(seg.lstrip())
        tail = len(seg.rstrip())
        cur = norm[i]
        page_break = out and bisect_left(page_breaks, m.src[a]) > bisect_left(page_breaks, src[-1])
        if out and (
            _joins(para, prev, cur, table_of[prev_i], table_of[i], short)
            or (page_break and _joins_across_page(prev, cur))
        ):
            para += cur
        else:
            if out:
                out.append("\n")
                src.append(src[-1] + 1 if src else 0)
            para = cur
        prev = cur
        out.append(texts[i])
        src.extend(m.src[a + lead : a + tail])
        prev_i = i
    text = "".join(out)
    result = CleanText(text=text, src=src)
    if page_breaks:
        result.warnings.append(f"removed {len(page_breaks)} page-number/running-header line(s)")
    if pua:
        result.warnings.append(f"removed {pua} private-use character(s) (font artefacts of the extraction)")
    result.mojibake = _mojibake_spans(text)
    for a, b in result.mojibake:
        result.warnings.append(f"mojibake at {a}-{b}: '{text[a:b]}' (garbled characters, not real text)")
    return result
