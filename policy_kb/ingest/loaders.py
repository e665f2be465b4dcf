"""Read a corpus file of any supported format into raw text.

Every failure raises :class:`LoadError` naming the file and the fix, so one bad file never stops a build.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

SUPPORTED = (".txt", ".md", ".docx", ".pdf", ".html", ".htm")
MAX_BYTES = 20 * 1024 * 1024


class LoadError(Exception):
    """A file that cannot become a document; the message says what to do about it."""

    def __init__(self, path: Path | str, problem: str, hint: str):
        self.path = str(path)
        self.problem = problem
        self.hint = hint
        super().__init__(f"{Path(path).name}: {problem} ({hint})")


def is_document(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in SUPPORTED and not path.name.startswith(".")


def decode(data: bytes, path: Path | str = "<bytes>") -> str:
    """Decode text bytes: BOMs first, then strict UTF-8, then GB18030 (a superset of GBK/GB2312)."""
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError as e:
                raise LoadError(path, f"broken {enc} text at byte {e.start}", "re-save the file as UTF-8") from e
    if _looks_binary(data):
        raise LoadError(path, "binary content in a text file", "convert it to .txt/.docx/.pdf text, or remove it")
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise LoadError(path, "text is neither UTF-8 nor GB18030/GBK", "re-save the file as UTF-8")


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls > max(8, len(sample) // 50)


def _read_docx(data: bytes, path: Path) -> str:
    try:
        import docx  # python-docx
        from docx.table import Table
    except ImportError as e:  # pragma: no cover - dependency declared in pyproject
        raise LoadError(path, "python-docx is not installed", "run `make setup`") from e
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise LoadError(path, "not a valid .docx (not a zip archive)", "open it in Word and save as .docx again")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises many types for broken packages
        raise LoadError(
            path, f"unreadable .docx ({type(e).__name__})", "open it in Word and save as .docx again"
        ) from e
    # body content in document order: a table stays between the paragraphs around it
    parts: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            parts.extend(_docx_table_rows(block))
        else:
            parts.append(block.text)
    return "\n".join(parts)


def _docx_table_rows(table) -> list[str]:
    """One line per row, cells separated by two spaces; a merged cell (repeated by python-docx) counts once."""
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(cell.text.strip())
        rows.append("  ".join(cells))
    return rows


def _read_pdf(data: bytes, path: Path) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as e:  # pragma: no cover
        raise LoadError(path, "pypdf is not installed", "run `make setup`") from e
    import logging

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings name no file; ours below do
    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as e:
        raise LoadError(
            path, f"corrupt PDF ({type(e).__name__})", "re-export the PDF or supply the text as .txt"
        ) from e
    text = "\n".join(pages)
    if not text.strip():
        raise LoadError(path, "PDF has no text layer (scanned image?)", "run OCR first or supply the text as .txt")
    return text


_BLOCK_TAGS = [
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "ul",
    "title",
]


def _read_html(data: bytes, path: Path) -> str:
    """Visible text with a line break only where the page has one: block elements and <br>.  Inline elements
    (<span>, <b>, <a>, <font>…) stay inside their sentence, and source line breaks are just whitespace."""
    from bs4 import BeautifulSoup, NavigableString
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

    soup = BeautifulSoup(decode(data, path), "html.parser")
    for tag in soup(["script", "style", "noscript", "head", "template"]):
        tag.decompose()
    skip = (Comment, Declaration, Doctype, ProcessingInstruction)
    for s in list(soup.find_all(string=True)):
        if isinstance(s, skip):
            s.extract()
        elif s.find_parent("pre") is None:
            s.replace_with(NavigableString(re.sub(r"[ \t\r\n\f]+", " ", str(s))))
    for br in soup.find_all("br"):
        br.replace_with("\n")
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after("  ")
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    return "\n".join(line.strip() for line in soup.get_text().split("\n"))


def load_text(path: Path) -> str:
    """Raw text of one file; raises LoadError for unsupported, empty, binary, oversized or undecodable files."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise LoadError(
            path, f"unsupported file type '{suffix or '(none)'}'", f"convert it to one of {', '.join(SUPPORTED)}"
        )
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise LoadError(
                path,
                f"file is {size // 1_048_576} MB, over the {MAX_BYTES // 1_048_576} MB limit",
                "split the document or remove embedded images",
            )
        data = path.read_bytes()
    except OSError as e:
        raise LoadError(path, f"cannot read file ({e.strerror})", "check the path and its permissions") from e
    if not data.strip():
        raise LoadError(path, "file is empty", "remove it or add the document text")
    if suffix == ".docx":
        text = _read_docx(data, path)
    elif suffix == ".pdf":
        text = _read_pdf(data, path)
    elif suffix in (".html", ".htm"):
        text = _read_html(data, path)
    else:
        text = decode(data, path)
    if not re.search(r"\S", text):
        raise LoadError(path, "no text after decoding (whitespace only)", "remove it or add the document text")
    return text
