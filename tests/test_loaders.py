"""Loading files of every supported format and encoding (policy_kb.ingest.loaders)."""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import pytest
from conftest import CORPUS

from policy_kb.ingest import loaders
from policy_kb.ingest.document import process_file
from policy_kb.ingest.loaders import LoadError, is_document, load_text

TEXT = "一、总体目标\n2023年底前，全面关停炭化室高度4.3米焦炉。\n（一）加强组织领导。"


@pytest.fixture(autouse=True)
def _quiet_pypdf():
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)


# ---- text encodings -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, data",
    [
        ("utf8.txt", TEXT.encode("utf-8")),
        ("utf8-bom.txt", b"\xef\xbb\xbf" + TEXT.encode("utf-8")),
        ("gbk.txt", TEXT.encode("gbk")),
        ("gb18030.txt", TEXT.encode("gb18030")),
        ("utf16-le-bom.txt", TEXT.encode("utf-16")),  # Python writes a BOM + little endian
        ("utf16-be-bom.txt", b"\xfe\xff" + TEXT.encode("utf-16-be")),
        ("crlf.txt", TEXT.replace("\n", "\r\n").encode("utf-8")),
        ("notes.md", TEXT.encode("utf-8")),
    ],
)
def test_text_encodings(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert load_text(path).replace("\r\n", "\n").lstrip("\ufeff") == TEXT


def test_gb18030_only_characters(tmp_path: Path) -> None:
    path = tmp_path / "rare.txt"
    text = "𠀀字与焦炉"  # outside GBK, inside GB18030
    path.write_bytes(text.encode("gb18030"))
    assert load_text(path) == text


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-16"])
def test_same_clauses_whatever_the_encoding(tmp_path: Path, encoding: str) -> None:
    original = CORPUS / "jiexiu-2023-43m-oven-closure.txt"
    copy = tmp_path / encoding / original.name
    copy.parent.mkdir()
    copy.write_bytes(original.read_text(encoding="utf-8").encode(encoding))
    want, _, _ = process_file(original)
    got, _, _ = process_file(copy)
    assert [(c.id, c.text, c.heading) for c in got.clauses] == [(c.id, c.text, c.heading) for c in want.clauses]
    assert (got.title, got.jurisdiction) == (want.title, want.jurisdiction)


# ---- markdown and html --------------------------------------------------------------------------------------
def test_markdown_goes_through_the_cleaner(tmp_path: Path) -> None:
    path = tmp_path / "yangquan-plan.md"
    path.write_text(
        "# 阳泉市焦化行业大气污染治理工作方案\n\n为改善全市环境空气质量，制定本方案。\n\n## 一、总体目标\n\n"
        "**2024年底前**，全市焦化企业全面完成超低排放改造，PM<sub>2.5</sub>浓度同比下降 5%。\n\n"
        "### （一）推进超低排放改造。\n\n1. 完成 4.3 米焦炉关停。\n",
        encoding="utf-8",
    )
    assert load_text(path).startswith("# 阳泉市")  # the loader returns the file as written
    doc, _, _ = process_file(path)
    assert [(c.id.split(":")[1], c.text) for c in doc.clauses] == [
        ("title", "阳泉市焦化行业大气污染治理工作方案"),
        ("preamble", "为改善全市环境空气质量，制定本方案。"),
        ("一", "总体目标\n2024年底前，全市焦化企业全面完成超低排放改造，PM2.5浓度同比下降5%。"),
        ("一/（一）", "推进超低排放改造。"),
        ("一/（一）/1", "完成4.3米焦炉关停。"),
    ]


HTML = """<!DOCTYPE html><html><head><title>网页标题栏</title><meta charset="utf-8">
<style>p { color: red; }</style><script>var tracker = "统计脚本不应出现";</script></head>
<body><noscript>请启用脚本</noscript>
<h2>太原市焦化行业整治方案</h2>
<p>一、总体目标</p>
<p>2023年底前，全面关停炭化室高度4.3米焦炉。</p>
<p>二、重点任务<br>（一）严格执法。</p>
<script>document.write("第二段脚本");</script>
</body></html>"""


def test_html_text_without_script_style_or_head(tmp_path: Path) -> None:
    path = tmp_path / "taiyuan.html"
    path.write_text(HTML, encoding="utf-8")
    text = load_text(path)
    for hidden in ("统计脚本不应出现", "第二段脚本", "color", "网页标题栏", "请启用脚本", "<p>", "tracker"):
        assert hidden not in text
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    assert lines == [
        "太原市焦化行业整治方案",
        "一、总体目标",
        "2023年底前，全面关停炭化室高度4.3米焦炉。",
        "二、重点任务",
        "（一）严格执法。",
    ]


def test_htm_in_gbk(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_bytes('<html><head><meta charset="gbk"></head><body><p>关停4.3米焦炉</p></body></html>'.encode("gbk"))
    assert load_text(path).strip() == "关停4.3米焦炉"


def test_html_inline_elements_do_not_break_the_sentence(tmp_path: Path) -> None:
    path = tmp_path / "inline.html"
    path.write_text(
        "<html><body><p>一、总体目标</p><p>2023年底前，全面关停炭化室高度<span>4.3</span>米焦炉，<b>确保</b>"
        "按期完成关停任务，发现问题<a href='x'>依法查处</a>。</p></body></html>",
        encoding="utf-8",
    )
    assert "2023年底前，全面关停炭化室高度4.3米焦炉，确保按期完成关停任务，发现问题依法查处。" in load_text(path)


# ---- docx -----------------------------------------------------------------------------------------------
def test_docx_paragraphs(tmp_path: Path, make_docx) -> None:
    path = make_docx(
        tmp_path / "a.docx", [("Title", "某市焦化整治通知"), "一、总体目标", "2023年底前，全面关停4.3米焦炉。"]
    )
    assert load_text(path) == "某市焦化整治通知\n一、总体目标\n2023年底前，全面关停4.3米焦炉。"


def test_docx_table_rows_are_kept(tmp_path: Path, make_docx) -> None:
    path = make_docx(
        tmp_path / "t.docx", ["附件：排查结果统计表"], table=[["企业名称", "焦炉型号"], ["某焦化公司", "JN43"]]
    )
    text = load_text(path)
    assert "企业名称" in text and "某焦化公司" in text and "JN43" in text


def test_docx_table_stays_where_it_is(tmp_path: Path, make_docx) -> None:
    path = make_docx(
        tmp_path / "order.docx",
        [
            "忻州市人民政府办公室关于开展焦化企业排查的通知",
            "一、工作要求",
            "各县要按附件格式报送排查结果。",
            "附件：排查结果统计表",
        ],
        table=[["企业名称", "焦炉型号"], ["某焦化公司", "JN43"]],
        after_table=["抄送：市委办公室。"],
    )
    text = load_text(path)
    assert text.index("某焦化公司") < text.index("抄送")
    doc, _, _ = process_file(path)
    cc = next(c for c in doc.clauses if c.kind == "cc")
    assert "某焦化公司" not in cc.text


def test_notice_docx_loads_in_order(notice_docx: Path) -> None:
    lines = load_text(notice_docx).split("\n")
    assert lines[0] == "长治市人民政府办公室文件" and lines[1] == "长政办发〔2024〕8号"
    assert lines[-1].startswith("长治市人民政府办公室") and lines[-1].endswith("2024年2月20日印发")


# ---- pdf ------------------------------------------------------------------------------------------------
def test_pdf_latin_text_layer(tmp_path: Path, make_pdf) -> None:
    path = make_pdf(tmp_path / "latin.pdf", ["Coking plant rules", "1. Close ovens by 2024."])
    text = load_text(path)
    assert "Coking plant rules" in text and "1. Close ovens by 2024." in text


def test_pdf_cjk_text_layer(tmp_path: Path, make_pdf) -> None:
    path = make_pdf(
        tmp_path / "jiexiu-2023.pdf",
        ["介休市焦炉关停工作方案", "一、总体目标", "2023年底前，全面关停4.3米焦炉。"],
        cjk=True,
    )
    assert [ln for ln in load_text(path).split("\n") if ln] == [
        "介休市焦炉关停工作方案",
        "一、总体目标",
        "2023年底前，全面关停4.3米焦炉。",
    ]
    doc, _, _ = process_file(path)
    assert [(c.id, c.text) for c in doc.clauses] == [
        ("jiexiu-2023:title", "介休市焦炉关停工作方案"),
        ("jiexiu-2023:一", "总体目标\n2023年底前，全面关停4.3米焦炉。"),
    ]
    assert (doc.jurisdiction, doc.level) == ("介休市", "county")


def test_pdf_without_text_layer(tmp_path: Path, make_pdf) -> None:
    path = make_pdf(tmp_path / "scan.pdf", [])
    with pytest.raises(LoadError) as e:
        load_text(path)
    assert "scan.pdf" in str(e.value) and "no text layer" in e.value.problem and "OCR" in e.value.hint


@pytest.mark.parametrize(
    "name, damage",
    [
        ("truncated.pdf", lambda good: good[: len(good) // 2]),
        ("garbage.pdf", lambda good: b"%PDF-1.4\ngarbage garbage garbage"),
        ("not-a-pdf.pdf", lambda good: b"this is plain text, not a PDF"),
        ("zeros.pdf", lambda good: b"%PDF-1.4\n" + b"\x00" * 200),
    ],
)
def test_corrupt_pdf(tmp_path: Path, make_pdf, name: str, damage) -> None:
    good = make_pdf(tmp_path / "good.pdf", ["some text"]).read_bytes()
    path = tmp_path / name
    path.write_bytes(damage(good))
    with pytest.raises(LoadError) as e:
        load_text(path)
    assert name in str(e.value) and "PDF" in e.value.problem and e.value.hint


# ---- errors: LoadError naming the file, with a hint -------------------------------------------------------------
def _zip_without_document() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    return buf.getvalue()


# fmt: off
ERRORS = [
    ("old-word.doc",     b"\xd0\xcf\x11\xe0 legacy word",               "unsupported file type '.doc'",  ".docx"),
    ("scan.jpg",         b"\xff\xd8\xff\xe0 jpeg",                       "unsupported file type '.jpg'",  ".txt"),
    ("README",           b"no extension",                                 "unsupported file type '(none)'", ".txt"),
    ("empty.txt",        b"",                                             "empty",                          "remove"),
    ("blank.txt",        b"  \n\t \r\n   ",                               "empty",                          "remove"),
    ("ideographic.txt",  "\u3000\u3000\n\u3000".encode("utf-8"),          "whitespace",                     "remove"),
    ("bom-only.txt",     "\ufeff   ".encode("utf-16-le"),                 "whitespace",                     "remove"),
    ("picture.txt",      b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary",            "convert"),
    ("utf16-no-bom.txt", TEXT.encode("utf-16-le"),                        "binary",                         "convert"),
    ("mixed.txt",        "焦炉".encode() + b"\x80\x80abc\xff",            "neither UTF-8 nor GB18030",      "UTF-8"),
    ("broken-utf16.txt", b"\xff\xfe" + b"a\x00b",                         "utf-16",                         "UTF-8"),
    ("fake.docx",        b"this is not a zip archive",                    "not a zip",                      "Word"),
    ("empty-zip.docx",   _zip_without_document(),                          "unreadable .docx",               "Word"),
    ("empty.docx",       b"",                                             "empty",                          "remove"),
    ("empty.pdf",        b"",                                             "empty",                          "remove"),
    ("script-only.html", b"<html><script>var a = 1;</script></html>",     "whitespace",                     "remove"),
]
# fmt: on


@pytest.mark.parametrize("name, data, problem, hint", ERRORS, ids=[e[0] for e in ERRORS])
def test_load_errors(tmp_path: Path, name: str, data: bytes, problem: str, hint: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(LoadError) as e:
        load_text(path)
    err = e.value
    assert str(err).startswith(f"{name}: ")
    assert problem in err.problem
    assert hint in err.hint
    assert err.path == str(path)
    assert "\n" not in str(err)


def test_oversized_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loaders, "MAX_BYTES", 1024 * 1024)
    path = tmp_path / "huge.txt"
    path.write_bytes("焦".encode() * (1024 * 1024))
    with pytest.raises(LoadError) as e:
        load_text(path)
    assert "huge.txt" in str(e.value) and "limit" in e.value.problem and e.value.hint


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "gone.txt"  # never created
    with pytest.raises(LoadError) as e:
        load_text(path)
    assert "gone.txt" in str(e.value) and "cannot read" in e.value.problem


def test_decode_bytes_directly() -> None:
    assert loaders.decode(TEXT.encode("gbk")) == TEXT
    with pytest.raises(LoadError):
        loaders.decode(b"\x00\x01\x02\x03" * 20)


# ---- which files are documents -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, expected",
    [
        ("a.txt", True),
        ("b.MD", True),
        ("c.docx", True),
        ("d.pdf", True),
        ("e.html", True),
        ("f.htm", True),
        ("a.txt.meta.json", False),
        (".hidden.txt", False),
        ("g.doc", False),
        ("h.json", False),
        ("README", False),
    ],
)
def test_is_document(tmp_path: Path, name: str, expected: bool) -> None:
    path = tmp_path / name
    path.write_bytes(b"x")
    assert is_document(path) is expected


def test_a_folder_is_not_a_document(tmp_path: Path) -> None:
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert is_document(folder) is False
