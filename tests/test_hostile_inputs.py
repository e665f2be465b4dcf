"""Hostile inputs, end to end: what a user sees when the corpus folder or an upload holds a broken, odd or malicious
file, plus property tests of the text parsers and the web app's security boundary.

* **Hostile corpus** – the five seed documents (already built, as a user's knowledge base would be) plus the files of
  ``HOSTILE``, all generated here (the 50 MB file is sparse).  One `policy-kb build --json` run must report every bad
  file on stderr as ``error: <file>: <problem> (<hint>)`` and in the JSON ``errors`` list, store every good file, and
  leave the seed documents alone.  The web upload handler must refuse the same files with the same problem.
* **Properties** (hypothesis) – cleaning and clause parsing of arbitrary text: offsets stay in the text, clause spans
  are ordered, disjoint and together cover every non-whitespace character of the cleaned text; deadline and threshold
  parsers never invent a date or a number (extends tests/test_dates.py and tests/test_quantities.py).
* **Web security** – the real `policy_kb.app.ui.main()` launch (in-process, ``prevent_thread_lock``) on a tmp
  knowledge base: no file outside the export folder is served, uploads are refused without / with a wrong admin
  password, type and size limits are enforced by the server, questions are length-limited, markup is escaped.

Known bugs are strict xfails whose reason reads input / actual / expected.  Fast: fake embedder throughout.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tracemalloc
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, SEED_IDS, pdf_bytes, pdf_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy_kb.ingest.clauses import normalise_label, parse_clauses
from policy_kb.ingest.clean import LABEL_RE, clean
from policy_kb.ingest.loaders import MAX_BYTES, SUPPORTED, LoadError
from policy_kb.settings import Settings

ALL = "全部 / all"
PASSWORD = "hostile-测试-pw"
DUP_OF = "sx-2019-66-coking-overcapacity.txt"
AS_OF = "2026-11-23"


def _quiet(_msg: str) -> None:
    pass


def known_bug(reason: str) -> pytest.MarkDecorator:
    """A bug in policy_kb shown by a test: strict xfail; only a failed check (not a crash of the test) counts."""
    return pytest.mark.xfail(strict=True, raises=(AssertionError, pytest.fail.Exception), reason=reason)


@pytest.fixture(scope="module", autouse=True)
def _fake_embedder():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLICY_KB_EMBED_MODEL", "fake")
        mp.setenv("GRADIO_ANALYTICS_ENABLED", "False")
        mp.delenv("POLICY_KB_FAULT_INJECT", raising=False)
        yield


# ---- the hostile files ----------------------------------------------------------------------------------------
NOTICE = (
    "晋中市关于焦炉煤气综合利用的通知\n"
    "一、工作目标\n"
    "2024年底前，全市焦化企业完成焦炉煤气综合利用改造。\n"
    "二、保障措施\n"
    "市工信局牵头，市生态环境局配合。\n"
)
GOAL = "2024年底前，全市焦化企业完成焦炉煤气综合利用改造。"
RARE = "𠀀䶮"  # outside GBK, inside GB18030 (four-byte sequences)
UNNUMBERED = "某县关于做好冬季供暖保障的通知\n各乡镇：\n请做好冬季供暖保障工作，确保群众温暖过冬。\n"
MIXED_UTF8_HEAD = "关于焦化企业环保整治工作的通知\n一、总体要求\n"
MIXED_GBK_PARAGRAPH = "（一）各县区要加强焦化企业监督检查，2024年底前完成整治。\n"
HUGE_BYTES = 50 * 1024 * 1024


def image_only_pdf() -> bytes:
    """A scanned page: one 2×2 grey image drawn over the page, no text operators, no fonts."""
    pixels = b"\x00\xff\xff\x00"
    return pdf_document(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
            b"<< /Length 35 >>\nstream\nq 400 0 0 600 100 100 cm /Im1 Do Q\nendstream",
            b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 "
            b"/Length 4 >>\nstream\n" + pixels + b"\nendstream",
        ]
    )


def _sparse(path: Path, size: int) -> None:
    with open(path, "wb") as fh:
        fh.truncate(size)  # no data blocks written: instant, no disk used


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    write: Callable[[Path], None]
    problem: str | None = None  # None: the file loads
    hint: str | None = None
    doc_id: str | None = None  # for files that load


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda p: p.write_bytes(data)


# fmt: off
HOSTILE = [
    Case("empty",            "empty.txt",            _bytes(b""),                                  "file is empty", "remove it or add the document text"),
    Case("whitespace-only",  "blank.txt",            _bytes(b"  \n\t\r\n   \n"),                   "file is empty", "remove it or add the document text"),
    Case("ideographic-space", "全角空格.txt",         _bytes("\u3000\u3000\n\u3000 \n".encode()),   "no text after decoding (whitespace only)", "remove it or add the document text"),
    Case("binary-as-txt",    "photo.txt",            _bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 16),
                                                                                                   "binary content in a text file", "convert it to .txt/.docx/.pdf text, or remove it"),
    Case("gbk",              "gbk-notice.txt",       _bytes(NOTICE.encode("gbk")),                 doc_id="gbk-notice"),
    Case("gb18030",          "gb18030-notice.txt",   _bytes(NOTICE.replace("晋中市关于", f"晋中市{RARE}关于").encode("gb18030")),
                                                                                                   doc_id="gb18030-notice"),
    Case("utf16-bom",        "utf16-notice.txt",     _bytes(NOTICE.replace("晋中市", "长治市").encode("utf-16")),
                                                                                                   doc_id="utf16-notice"),
    Case("mixed-encoding",   "mixed.txt",            _bytes(MIXED_UTF8_HEAD.encode() + MIXED_GBK_PARAGRAPH.encode("gbk")
                                                            + "二、保障措施\n市工信局负责。\n".encode()),
                                                                                                   "text is neither UTF-8 nor GB18030/GBK", "re-save the file as UTF-8"),
    Case("50MB",             "huge.txt",             lambda p: _sparse(p, HUGE_BYTES),             "file is 50 MB, over the 20 MB limit", "split the document or remove embedded images"),
    Case("docx-not-zip",     "notice.docx",          _bytes(b"Dear user, this is not a Word document."),
                                                                                                   "not a valid .docx (not a zip archive)", "open it in Word and save as .docx again"),
    Case("corrupt-pdf",      "broken.pdf",           lambda p: p.write_bytes(pdf_bytes(["some text"])[:150]),
                                                                                                   "corrupt PDF", "re-export the PDF or supply the text as .txt"),
    Case("image-only-pdf",   "scan.pdf",             _bytes(image_only_pdf()),                     "PDF has no text layer (scanned image?)", "run OCR first or supply the text as .txt"),
    Case("no-numbering",     "heating.txt",          _bytes(UNNUMBERED.encode()),                  doc_id="heating"),
    # sorts before the stored original: the copy already in the knowledge base must win, whatever the names
    Case("duplicate",        f"0 副本 {DUP_OF}",      lambda p: shutil.copyfile(CORPUS / DUP_OF, p),
                                                                                                   f"duplicate of {DUP_OF} (identical content)", "remove one of the two files"),
    Case("spaces-chinese-name", "阳泉 焦炉 煤气 通知.txt", _bytes(NOTICE.replace("晋中市", "阳泉市").encode()), doc_id="阳泉-焦炉-煤气-通知"),
    Case("dotdot-in-name",   "大同..通知.txt",        _bytes(NOTICE.replace("晋中市", "大同市").encode()), doc_id="大同..通知"),
]
# fmt: on
ERRORS = [c for c in HOSTILE if c.problem]
LOADS = [c for c in HOSTILE if not c.problem]
BY_ID = {c.id: c for c in HOSTILE}


def write_hostile_files(folder: Path, cases: list[Case] = HOSTILE) -> None:
    """Write the hostile files into ``folder`` (also handy by hand: see tests/fixtures/hostile/README.md)."""
    folder.mkdir(parents=True, exist_ok=True)
    for case in cases:
        case.write(folder / case.file)


def test_hostile_files_are_what_they_claim(tmp_path: Path) -> None:
    """Guard for the tests below: the generated files really are hostile in the intended way."""
    write_hostile_files(tmp_path)
    huge = tmp_path / BY_ID["50MB"].file
    assert huge.stat().st_size == HUGE_BYTES > MAX_BYTES
    assert huge.stat().st_blocks * 512 < 1024 * 1024  # sparse
    raw = (tmp_path / "mixed.txt").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert MIXED_GBK_PARAGRAPH.encode("gbk") in raw
    with pytest.raises(UnicodeEncodeError):
        RARE.encode("gbk")
    assert (tmp_path / "utf16-notice.txt").read_bytes()[:2] == b"\xff\xfe"
    assert (tmp_path / BY_ID["duplicate"].file).read_bytes() == (CORPUS / DUP_OF).read_bytes()
    from pypdf import PdfReader

    scan = PdfReader(tmp_path / "scan.pdf")
    assert len(scan.pages) == 1 and "/Im1" in scan.pages[0]["/Resources"]["/XObject"]


# ---- one CLI build over the seed corpus + hostile files ------------------------------------------------------------
def _cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, POLICY_KB_EMBED_MODEL="fake")
    env.pop("POLICY_KB_FAULT_INJECT", None)
    return subprocess.run(
        [sys.executable, "-m", "policy_kb.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class HostileBuild:
    corpus: Path
    index: Path
    result: subprocess.CompletedProcess[str]
    report: dict
    stderr: list[str]


def _seed_kb(seed_index: Path, dest: Path) -> tuple[Path, Path]:
    """A user's existing knowledge base: the seed corpus, already built."""
    corpus, index = dest / "corpus", dest / "index"
    shutil.copytree(CORPUS, corpus)
    shutil.copytree(seed_index, index, ignore=shutil.ignore_patterns(".build.lock", "exports"))
    return corpus, index


@pytest.fixture(scope="module")
def hostile_build(seed_index: Path, tmp_path_factory: pytest.TempPathFactory) -> HostileBuild:
    corpus, index = _seed_kb(seed_index, tmp_path_factory.mktemp("hostile-cli"))
    write_hostile_files(corpus)
    result = _cli("build", "--corpus", str(corpus), "--index", str(index), "--json")
    assert result.returncode == 0, result.stderr
    return HostileBuild(corpus, index, result, json.loads(result.stdout), result.stderr.splitlines())


def test_build_reports_errors_and_keeps_going(hostile_build: HostileBuild) -> None:
    report = hostile_build.report
    assert sorted(report["unchanged"]) == SEED_IDS  # the existing knowledge base is untouched
    assert sorted(report["added"]) == sorted(c.doc_id for c in LOADS)
    assert sorted(e["file"] for e in report["errors"]) == sorted(c.file for c in ERRORS)
    assert report["removed"] == [] and report["updated"] == []
    summary = hostile_build.stderr[-1]
    assert summary.startswith(
        f"{len(LOADS)} added, 0 updated, 0 removed, {len(SEED_IDS)} unchanged, {len(ERRORS)} failed in "
    ), summary


@pytest.mark.parametrize("case", ERRORS, ids=[c.id for c in ERRORS])
def test_build_error_message(hostile_build: HostileBuild, case: Case) -> None:
    """CLI stderr `error: <file>: <problem> (<hint>)` and the same triple in `build --json`."""
    (err,) = [e for e in hostile_build.report["errors"] if e["file"] == case.file]
    assert case.problem in err["problem"] and err["hint"] == case.hint, err
    assert "internal error" not in err["problem"]
    line = f"error: {case.file}: {err['problem']} ({err['hint']})"
    assert hostile_build.stderr.count(line) == 1, "\n".join(hostile_build.stderr)


def test_build_with_strict_fails_and_errors_persist(hostile_build: HostileBuild, tmp_path: Path) -> None:
    """A second build (nothing changed) reports the same errors again and `--strict` exits 1; `docs` lists them."""
    index = tmp_path / "index"
    shutil.copytree(hostile_build.index, index, ignore=shutil.ignore_patterns(".build.lock"))
    again = _cli("build", "--corpus", str(hostile_build.corpus), "--index", str(index), "--json", "--strict")
    assert again.returncode == 1
    report = json.loads(again.stdout)
    assert report["added"] == [] and report["errors"] == hostile_build.report["errors"]
    docs = _cli("docs", "--index", str(index))
    assert docs.returncode == 0
    for case in ERRORS:
        assert any(line.startswith(f"error: {case.file}: {case.problem}") for line in docs.stderr.splitlines())


@pytest.fixture(scope="module")
def hostile_store(hostile_build: HostileBuild):
    from policy_kb.store import Store

    store = Store(hostile_build.index)
    yield store
    store.close()


@pytest.mark.parametrize(
    "case_id, title, place",
    [
        ("gbk", "晋中市关于焦炉煤气综合利用的通知", "晋中市"),
        ("gb18030", f"晋中市{RARE}关于焦炉煤气综合利用的通知", "晋中市"),
        ("utf16-bom", "长治市关于焦炉煤气综合利用的通知", "长治市"),
        ("spaces-chinese-name", "阳泉市关于焦炉煤气综合利用的通知", "阳泉市"),
        ("dotdot-in-name", "大同市关于焦炉煤气综合利用的通知", "大同市"),
    ],
)
def test_encodings_and_odd_names_load(hostile_store, case_id: str, title: str, place: str) -> None:
    case = BY_ID[case_id]
    doc = hostile_store.find_document(case.doc_id)
    assert doc is not None and doc.title == title and doc.jurisdiction == place
    clause = hostile_store.clause(f"{case.doc_id}:一")
    assert clause is not None and clause.heading == "工作目标" and GOAL in clause.text
    assert hostile_store.clause(f"{case.doc_id}:二").text == "保障措施\n市工信局牵头，市生态环境局配合。"
    assert not any("mojibake" in w for w in doc.warnings)


def test_document_without_numbering_is_stored_as_unnumbered_text(hostile_store) -> None:
    doc = hostile_store.find_document("heating")
    assert [(c.id, c.kind) for c in doc.clauses] == [("heating:title", "title"), ("heating:preamble", "preamble")]
    assert "".join(c.text for c in doc.clauses).replace("\n", "") == UNNUMBERED.replace("\n", "")
    assert "no numbered clauses found: the document is stored as unnumbered text" in doc.warnings


def test_failed_files_leave_no_trace_and_the_seed_answers(hostile_store, hostile_build: HostileBuild) -> None:
    stored = {d.id for d in hostile_store.documents()}
    assert stored == set(SEED_IDS) | {c.doc_id for c in LOADS}
    assert {e["file"] for e in hostile_store.build_errors()} == {c.file for c in ERRORS}
    from policy_kb.search.hybrid import Searcher

    hits = Searcher(hostile_build.index).search("补偿标准", k=3)
    assert hits[0].clause_id == "sx-2019-66-coking-overcapacity:四/（一）"
    assert all(not h.doc_id.startswith("0") for h in hits)  # the duplicate was not stored


# known gaps of the build output, found with the hostile corpus
def test_build_reports_document_warnings(hostile_build: HostileBuild) -> None:
    assert any("heating.txt" in line and "no numbered clauses" in line for line in hostile_build.stderr)
    assert "no numbered clauses" in json.dumps(hostile_build.report, ensure_ascii=False)


def test_no_stray_library_log_lines(hostile_build: HostileBuild) -> None:
    assert "EOF marker not found" not in hostile_build.stderr


def test_unsupported_file_in_corpus_is_reported(seed_index: Path, tmp_path: Path) -> None:
    corpus, index = _seed_kb(seed_index, tmp_path)
    (corpus / "通知.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 legacy word")
    result = _cli("build", "--corpus", str(corpus), "--index", str(index), "--json")
    assert "通知.doc" in result.stderr


def test_oversized_file_is_not_read_into_memory(tmp_path: Path) -> None:
    from policy_kb.build import build

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _sparse(corpus / "huge.txt", 64 * 1024 * 1024)
    tracemalloc.start()
    try:
        report = build(corpus, tmp_path / "index", progress=_quiet)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [e.file for e in report.errors] == ["huge.txt"]
    assert peak < 16 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB traced while rejecting a 64 MB file"


@known_bug(
    "BUG: input: a UTF-8 file whose title line happens to be valid GB18030 byte "
    "pairs followed by a GBK-encoded body (mixed encodings); actual: the strict UTF-8 decode fails, the "
    "whole file decodes as GB18030 and loads with the title stored as mojibake '鐒﹀寲琛屼笟绠＄悊閫氱煡' "
    "and no warning; expected: an error 'mixed encodings' or a mojibake warning (e.g. a line that "
    "re-encodes to valid UTF-8 CJK is UTF-8)"
)
def test_mixed_encoding_never_loads_silently_as_mojibake(tmp_path: Path) -> None:
    from policy_kb.ingest.document import process_file

    path = tmp_path / "mixed-title.txt"
    path.write_bytes(
        "焦化行业管理通知\n".encode() + "一、各县区要加强焦化企业监督检查。\n二、市工信局负责。\n".encode("gbk")
    )
    try:
        doc, _, _ = process_file(path)
    except LoadError:
        return  # a clear error is fine
    assert doc.title == "焦化行业管理通知" or any("mojibake" in w or "encoding" in w for w in doc.warnings), (
        doc.title,
        doc.warnings,
    )


@known_bug(
    "BUG: input: a seed document re-saved as GBK under another name; actual: "
    "accepted as a second document (duplicates are detected on raw bytes only), so every clause and "
    "obligation is in the knowledge base twice; expected: rejected as 'duplicate of "
    "jiexiu-2023-43m-oven-closure.txt (same text)' (compare the decoded, cleaned text)"
)
def test_reencoded_duplicate_is_rejected(seed_index: Path, tmp_path: Path) -> None:
    from policy_kb.build import build

    corpus, index = _seed_kb(seed_index, tmp_path)
    original = CORPUS / "jiexiu-2023-43m-oven-closure.txt"
    (corpus / "jiexiu-copy-gbk.txt").write_bytes(original.read_text(encoding="utf-8").encode("gb18030"))
    report = build(corpus, index, progress=_quiet)
    assert [e.file for e in report.errors] == ["jiexiu-copy-gbk.txt"] and "duplicate" in report.errors[0].problem


# ---- the web upload handler: the same files, the same problems -------------------------------------------------------
@pytest.fixture(scope="module")
def upload_template(seed_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile-upload")
    _seed_kb(seed_index, base)
    return base


@pytest.fixture
def upload_service(upload_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from policy_kb.app.service import Paths, Service

    base = tmp_path / "kb"
    shutil.copytree(upload_template, base)
    monkeypatch.setenv("POLICY_KB_ADMIN_PASSWORD", PASSWORD)
    return Service(Paths(index=base / "index", corpus=base / "corpus", exports=base / "exports"))


def _listing(service) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(p.name for p in service.paths.corpus.iterdir())


@pytest.mark.parametrize("case", ERRORS, ids=[c.id for c in ERRORS])
def test_upload_refuses_with_the_same_problem(
    upload_service, hostile_build: HostileBuild, tmp_path: Path, case: Case
) -> None:
    from policy_kb.app import handlers

    src = tmp_path / "upload" / case.file
    src.parent.mkdir()
    case.write(src)
    before, docs_before = _listing(upload_service), handlers.documents_table(upload_service)
    with pytest.raises(handlers.UserError) as info:
        handlers.upload(upload_service, str(src), PASSWORD)
    message = str(info.value)
    (cli,) = [e for e in hostile_build.report["errors"] if e["file"] == case.file]
    if case.id == "50MB":  # refused by the handler's own size check before reading: same numbers, own wording
        assert "文件过大 / file too large" in message, message
        for text in (message, cli["problem"]):
            assert re.search(r"\b50(?:\.0)? MB\b", text) and re.search(r"\b20 MB\b", text), text
    else:
        assert cli["problem"] in message and cli["hint"] in message, (message, cli)
    assert "\n" not in message
    assert _listing(upload_service) == before  # nothing left in the corpus folder
    assert handlers.documents_table(upload_service) == docs_before


@pytest.mark.parametrize("case", LOADS, ids=[c.id for c in LOADS])
def test_upload_accepts_what_the_build_accepts(upload_service, hostile_store, tmp_path: Path, case: Case) -> None:
    from policy_kb.app import handlers

    src = tmp_path / "upload" / case.file
    src.parent.mkdir()
    case.write(src)
    message = handlers.upload(upload_service, str(src), PASSWORD)
    stored_name = handlers.safe_name(case.file)
    assert message.startswith("✅ 已入库") and f"`{case.doc_id}`" in message, message
    assert (upload_service.paths.corpus / stored_name).read_bytes() == src.read_bytes()
    doc = upload_service.store().find_document(case.doc_id)
    cli_doc = hostile_store.find_document(case.doc_id)
    assert [(c.id, c.text) for c in doc.clauses] == [(c.id, c.text) for c in cli_doc.clauses]


def test_upload_of_a_duplicate_names_the_original(upload_service, tmp_path: Path) -> None:
    from policy_kb.app import handlers

    src = tmp_path / "up" / "焦化 压减 方案 副本.txt"
    src.parent.mkdir()
    shutil.copyfile(CORPUS / DUP_OF, src)
    with pytest.raises(handlers.UserError, match=re.escape(f"duplicate of {DUP_OF} (identical content)")):
        handlers.upload(upload_service, str(src), PASSWORD)
    assert "焦化-压减-方案-副本.txt" not in _listing(upload_service)


def test_upload_message_shows_document_warnings(upload_service, tmp_path: Path) -> None:
    from policy_kb.app import handlers

    src = tmp_path / "heating.txt"
    BY_ID["no-numbering"].write(src)
    assert "no numbered clauses" in handlers.upload(upload_service, str(src), PASSWORD)


# ---- upload: names, passwords, limits --------------------------------------------------------------------------------
_UPLOADABLE = sorted(SUPPORTED)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    prefix=st.lists(st.sampled_from(["..", ".", "a", "..\\..", "/", "C:", "~", "%2e%2e", " "]), max_size=4).map(
        "/".join
    ),
    stem=st.text(max_size=40),
    suffix=st.sampled_from(_UPLOADABLE),
    upper=st.booleans(),
)
def test_safe_name_keeps_every_accepted_upload_inside_the_corpus(
    prefix: str, stem: str, suffix: str, upper: bool
) -> None:
    """Any client-chosen name whose type the upload accepts becomes one plain file name inside the corpus folder."""
    from policy_kb.app.handlers import safe_name

    name = safe_name(f"{prefix}/{stem}{suffix.upper() if upper else suffix}")
    if Path(name).suffix not in SUPPORTED:
        return  # refused by the type check before any file operation
    corpus = Path("/srv/kb/corpus")
    assert "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith((".", "-")) and name not in (".", "..")
    assert not any(ord(ch) < 32 or ch in "\u202e\u200f" for ch in name), repr(name)
    assert (corpus / name).resolve().parent == corpus
    assert len(name) <= 80 + max(len(s) for s in SUPPORTED)


@pytest.mark.parametrize(
    "password_env, given_password, match",
    [
        (None, PASSWORD, "未设置 POLICY_KB_ADMIN_PASSWORD"),
        ("", "", "未设置 POLICY_KB_ADMIN_PASSWORD"),
        (PASSWORD, "", "管理员密码错误"),
        (PASSWORD, "wrong", "管理员密码错误"),
        (PASSWORD, PASSWORD + "\n", "管理员密码错误"),
        (PASSWORD, PASSWORD[:-1], "管理员密码错误"),
    ],
)
def test_upload_needs_the_admin_password(
    upload_service,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    password_env: str | None,
    given_password: str,
    match: str,
) -> None:
    from policy_kb.app import handlers

    if password_env is None:
        monkeypatch.delenv("POLICY_KB_ADMIN_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("POLICY_KB_ADMIN_PASSWORD", password_env)
    upload_service.settings = Settings.from_env()  # what the app reads at start-up
    src = tmp_path / "ok.txt"
    src.write_text(NOTICE.replace("晋中市", "阳泉市"), encoding="utf-8")
    before = _listing(upload_service)
    with pytest.raises(handlers.UserError, match=match):
        handlers.upload(upload_service, str(src), given_password)
    assert _listing(upload_service) == before


@pytest.mark.parametrize("name", ["setup.exe", "通知.doc", "page.php", "x.txt.sh", "archive.zip", "noext"])
def test_upload_type_is_checked_by_the_server(upload_service, tmp_path: Path, name: str) -> None:
    """The browser's file picker filter is advisory; the handler refuses other types itself."""
    from policy_kb.app import handlers

    src = tmp_path / name
    src.write_text(NOTICE, encoding="utf-8")  # even with perfectly good text inside
    with pytest.raises(handlers.UserError, match="不支持的文件类型 / unsupported file type"):
        handlers.upload(upload_service, str(src), PASSWORD)


def test_upload_size_is_checked_by_the_server_before_reading(upload_service, tmp_path: Path) -> None:
    from policy_kb.app import handlers

    src = tmp_path / "big.pdf"
    _sparse(src, upload_service.settings.max_upload_bytes + 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(handlers.UserError, match="文件过大 / file too large"):
            handlers.upload(upload_service, str(src), PASSWORD)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024


# ---- properties: cleaning and clause parsing of arbitrary text -------------------------------------------------------
_PIECES = st.sampled_from(
    [
        "一、",
        "二、",
        "十二、",
        "（一）",
        "(二)",
        "（三）",
        "1.",
        "2．",
        "3。",
        "10、",
        "（1）",
        "(2)",
        "第一章",
        "第二章",
        "第一节",
        "第一条",
        "第十二条",
        "附件",
        "附件：名单",
        "附件1",
        "抄送：",
        "印发",
        "2024年1月2日",
        "（此件公开发布）",
        "某市人民政府办公室",
        "某市人民政府文件",
        "晋政办发〔2019〕66号",
        "4.3米焦炉",
        "2023年底前",
        "，",
        "。",
        "；",
        "：",
        "、",
        " ",
        "  ",
        "\n",
        "\n",
        "\n",
        "\n\n",
        "\r\n",
        "\u3000",
        "\t",
        "**",
        "## ",
        "<b>",
        "&lt;",
        "&#8203;",
        "$PM_{10}$",
        "https://a.cn/x ",
        "[bookmark: _GoBack]",
        "?",
        "┎",
        "\ufffd",
        "\ue00c",
        "\ufeff",
    ]
)
_CJK = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=12)
DOCUMENT_TEXT = st.lists(st.one_of(_PIECES, _CJK, st.text(max_size=4)), max_size=80).map("".join)
PROPS = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


def _no_ws(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _check_clause_partition(text: str, clauses) -> None:  # type: ignore[no-untyped-def]
    """The strongest statement the parser supports: clauses are in document order; each is its number label
    followed by its own spans (clause text = spans joined by `\\n`; an article's closing paragraph after its items is
    a second span); labels and spans of all clauses are disjoint with only whitespace between them.  Hence the labels
    and span texts, in text order, reproduce every non-whitespace character of the text."""
    pieces: list[tuple[int, int]] = []
    prev_start = -1
    for c in clauses:
        assert prev_start < c.start < c.end <= len(text), (c.id, c.start, c.end, len(text))
        prev_start = c.start
        assert c.spans and "\n".join(text[a:b] for a, b in c.spans) == c.text, c.id
        assert c.spans[-1][1] == c.end, c.id
        label = text[c.start : c.spans[0][0]]
        if c.kind == "body":
            m = LABEL_RE.match(text[c.start :])
            assert m and label.strip() == m.group(0), (c.id, label)
            assert normalise_label(m.group(0))[0] == c.label
        else:
            assert label == "" and c.label is None and c.text, c.id
        pieces += [(c.start, c.spans[0][0]), *c.spans]
    pieces.sort()
    pos = 0
    for a, b in pieces:
        assert pos <= a <= b, ("overlapping pieces", a, b)
        assert text[pos:a].strip() == "", ("gap holds text", text[pos:a])
        pos = b
    assert text[pos:].strip() == ""
    assert _no_ws("".join(text[a:b] for a, b in pieces)) == _no_ws(text)
    assert len({c.id for c in clauses}) == len(clauses)
    by_id = {c.id: c for c in clauses}
    for c in clauses:
        if c.parent_id:
            parent = by_id[c.parent_id]
            assert parent.start < c.start and c.level == parent.level + 1 and c.path[:-1] == parent.path


@PROPS
@given(DOCUMENT_TEXT)
def test_clean_any_document_text_keeps_a_valid_offset_map(raw: str) -> None:
    ct = clean(raw)
    assert len(ct.src) == len(ct.text)
    assert all(0 <= s < len(raw) for s in ct.src)
    assert all(a <= b for a, b in zip(ct.src, ct.src[1:]))  # order is kept
    assert "\r" not in ct.text and "\ufeff" not in ct.text and not re.search(r"[\ue000-\uf8ff]", ct.text)
    assert all(line == line.strip() and line for line in ct.text.split("\n")) or ct.text == ""
    for a, b in ct.mojibake:
        assert 0 <= a < b <= len(ct.text)
    if ct.text:
        a, b = ct.raw_span(0, len(ct.text))
        assert 0 <= a < b <= len(raw)


@PROPS
@given(st.text(max_size=200))
def test_clean_any_unicode_never_crashes(raw: str) -> None:
    ct = clean(raw)
    assert len(ct.src) == len(ct.text) and all(0 <= s < len(raw) for s in ct.src)
    assert all(a <= b for a, b in zip(ct.src, ct.src[1:]))


@PROPS
@given(DOCUMENT_TEXT)
def test_clauses_partition_the_cleaned_text(raw: str) -> None:
    ct = clean(raw)
    clauses = parse_clauses("doc", ct.text, ct.mojibake)
    _check_clause_partition(ct.text, clauses)
    for c in clauses:
        if any(a < c.end and b > c.start for a, b in ct.mojibake):
            assert any("mojibake" in w for w in c.warnings), c.id


# fixed: a label alone on its line takes the next paragraph as its first text (ingest/clauses.py _add_paragraph)
@pytest.mark.parametrize(
    "raw, clause_id, heading",
    [
        (
            "某市关于焦炉整治的通知\n一、\n总体要求\n2024年底前完成焦炉整治。\n二、保障措施\n市工信局负责。",
            "d:一",
            "总体要求",
        ),
        (
            "通知\n一、总体要求\n（一）\n加强领导。各县要加强组织领导，确保完成任务。\n（二）严格考核。",
            "d:一/（一）",
            "加强领导",
        ),
    ],
    ids=["label-alone", "paren-label-alone"],
)
def test_label_on_its_own_line_keeps_heading_and_text(raw: str, clause_id: str, heading: str) -> None:
    ct = clean(raw)
    clause = {c.id: c for c in parse_clauses("d", ct.text)}[clause_id]
    assert clause.text == clause.text.strip() and clause.text.startswith(heading), repr(clause.text)
    assert clause.heading == heading


@PROPS
@given(st.one_of(DOCUMENT_TEXT, st.text(max_size=200)))
def test_clauses_partition_even_uncleaned_text(text: str) -> None:
    """parse_clauses is only ever given cleaned text, but it does not depend on that for its span guarantees."""
    _check_clause_partition(text, parse_clauses("doc", text))


# ---- properties: dates and thresholds (extends tests/test_dates.py and tests/test_quantities.py) -------------------
_YEAR = st.integers(1890, 2110).map(str)
_DATE_PIECES = st.sampled_from(
    [
        *list("0123456789年月日底末前起内后，,、；至到在于从自截止较比-—～ "),
        "第一季度",
        "第四季度",
        "上半年",
        "下半年",
        "中旬",
        "今年",
        "明年",
        "年底前",
        "每月",
        "供暖季",
        "“十一五”",
        "期间",
        "之前",
        "以前",
        "开始",
        "以后",
        "焦炉",
        "完成",
    ]
)
DATE_TEXT = st.lists(st.one_of(_DATE_PIECES, _YEAR, st.integers(0, 40).map(str)), max_size=30).map("".join)


@PROPS
@given(DATE_TEXT, st.one_of(st.none(), st.integers(1900, 2100)))
def test_deadlines_are_ordered_and_disjoint(sentence: str, doc_year: int | None) -> None:
    from policy_kb.extract.dates import find_deadlines

    found = find_deadlines(sentence, doc_year)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found)), found
    assert find_deadlines(sentence, doc_year) == found  # deterministic


@PROPS
@given(DATE_TEXT)
def test_deadlines_never_invent_a_date(sentence: str) -> None:
    """Every resolved date comes from digits in its own text: a day date is exactly the written 年月日; otherwise
    the written year, or the year before only for `Y年1月前` (= end of the previous December)."""
    from policy_kb.extract.dates import find_deadlines

    for d in find_deadlines(sentence, None):
        if d.date is None or d.resolved_from:  # resolved_from: five-year plans (“十一五”) name their years
            continue
        written = re.search(r"\d{4}", d.text)
        assert written, d
        year = int(written.group())
        when = date.fromisoformat(d.date)
        if d.precision == "day":
            y, m, dd = map(int, re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", d.text).groups())
            assert when == date(y, m, dd), d
        elif when.year == year - 1:
            assert (d.kind, when.month, when.day) == ("by", 12, 31) and re.search(r"(?<!\d)1月(?:之|以)?前", d.text), d
        else:
            assert when.year == year, d


@PROPS
@given(DATE_TEXT, st.integers(1900, 2100))
def test_document_year_only_resolves_relative_deadlines(sentence: str, doc_year: int) -> None:
    from policy_kb.extract.dates import find_deadlines

    def explicit(found):  # type: ignore[no-untyped-def]
        return [(d.text, d.date, d.kind, d.start) for d in found if d.resolved_from is None and d.date]

    assert explicit(find_deadlines(sentence, None)) == explicit(find_deadlines(sentence, doc_year))


_QTY_PIECES = st.sampled_from(
    [
        *list(
            "0123456789.、，,和及年月日号前起万亿千毫克吨元米平方立公里蒸小时天倍%‰/以上下内不高低于超过"
            "大少多至达到控制在压减分别市县焦炉每"
        ),
        "不得低于",
        "不超过",
        "及以上",
        "以内",
        "毫克/立方米",
        "万吨",
        "蒸吨",
        "忻州市",
        "太原市",
    ]
)
QTY_TEXT = st.lists(
    st.one_of(
        _QTY_PIECES, st.integers(0, 100000).map(str), st.floats(0, 1e6, allow_nan=False).map(lambda f: f"{f:.2f}")
    ),
    max_size=30,
).map("".join)


@PROPS
@given(QTY_TEXT)
def test_thresholds_never_invent_a_number(sentence: str) -> None:
    """Offsets locate the text, the value is one of the numbers written there, the unit (or its first part, for a
    rate such as 每蒸吨3万元 → 万元/蒸吨) occurs in the sentence, and results come in sentence order."""
    from policy_kb.extract.quantities import find_thresholds

    found = find_thresholds(sentence)
    for t in found:
        assert sentence[t.start : t.end] == t.text, t
        assert t.value in [float(x) for x in re.findall(r"\d+(?:\.\d+)?", t.text)], t
        assert t.unit.split("/")[0] in sentence, t
    assert [t.start for t in found] == sorted(t.start for t in found)
    assert find_thresholds(sentence) == found


# ---- the launched web app --------------------------------------------------------------------------------------------
MARKUP_DOC = (
    "阳泉市人民政府办公室关于开展琥珀酸储罐排查的通知\n"
    "阳政办发〔2030〕7号\n"
    "一、&lt;script&gt;alert(1)&lt;/script&gt;工作目标\n"
    "2031年6月30日前，全市焦化企业必须完成琥珀酸储罐&lt;img src=x onerror=alert(2)&gt;泄漏排查。\n"
    "二、保障措施\n"
    "市应急局牵头&lt;svg onload=alert(3)&gt;负责。\n"
)
RAW_MARKUP = re.compile(r"<\s*/?\s*(?:script|img|svg|iframe)\b|javascript:", re.IGNORECASE)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def web(seed_index: Path, tmp_path_factory: pytest.TempPathFactory):
    """`policy_kb.app.ui.main()` exactly as `python app.py` runs it (allowed_paths, max_file_size, queue), except
    that launch() does not block; on a copy of the seed KB plus a document full of markup.  No admin password."""
    import gradio as gr

    from policy_kb.pipeline import build_all

    corpus, index = _seed_kb(seed_index, tmp_path_factory.mktemp("hostile-web"))
    (corpus / "yangquan-markup.txt").write_text(MARKUP_DOC, encoding="utf-8")
    assert build_all(corpus, index, progress=_quiet).added == ["yangquan-markup"]
    port = _free_port()
    captured: dict = {}
    original = gr.Blocks.launch

    def launch(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.update(prevent_thread_lock=True, quiet=True)
        captured["demo"], captured["kwargs"] = self, kwargs
        return original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(gr.Blocks, "launch", launch)
        mp.setenv("POLICY_KB_INDEX", str(index))
        mp.setenv("POLICY_KB_CORPUS", str(corpus))
        mp.setenv("GRADIO_SERVER_NAME", "127.0.0.1")
        mp.setenv("GRADIO_SERVER_PORT", str(port))
        mp.delenv("POLICY_KB_ADMIN_PASSWORD", raising=False)
        from policy_kb.app import ui

        ui.main()
    demo = captured["demo"]
    demo.base = f"http://127.0.0.1:{port}"  # type: ignore[attr-defined]
    demo.index = index  # type: ignore[attr-defined]
    demo.launch_kwargs = captured["kwargs"]  # type: ignore[attr-defined]
    yield demo
    demo.close()


@pytest.fixture(scope="module")
def client(web):  # type: ignore[no-untyped-def]
    gradio_client = pytest.importorskip("gradio_client")
    return gradio_client.Client(web.base, verbose=False)


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_export_folder_is_served(web) -> None:  # positive control for the refusals below
    from policy_kb.app import handlers

    assert web.launch_kwargs["allowed_paths"] == [str((web.index / "exports").resolve())]
    path = handlers.export_obligations(web.service, ALL, ALL, "", "", "", ALL, "csv")
    status, body = _get(f"{web.base}/gradio_api/file={path}")
    assert status == 200 and body.startswith(b"\xef\xbb\xbfid,doc_id,")


def test_page_views_do_not_grow_the_servers_session_memory(web) -> None:
    """Gradio keeps every session's component values (≈0.8 MB per page load of this app); main() caps how many
    sessions are kept, so page views by anonymous visitors cannot grow memory without bound.  Also: no English
    `max_file_size` check and no raw error text (the error boundary decides what a client sees)."""
    import uuid

    from policy_kb.app.ui import STATE_SESSIONS

    assert web.launch_kwargs["state_session_capacity"] == STATE_SESSIONS
    assert web.launch_kwargs["show_error"] is False and "max_file_size" not in web.launch_kwargs
    load = next(k for k, fn in web.fns.items() if fn.name == "_load")
    for _ in range(STATE_SESSIONS + 20):
        session = uuid.uuid4().hex
        body = json.dumps({"data": [], "fn_index": load, "session_hash": session}).encode()
        urllib.request.urlopen(
            urllib.request.Request(
                f"{web.base}/gradio_api/queue/join", data=body, headers={"Content-Type": "application/json"}
            ),
            timeout=60,
        ).read()
        with urllib.request.urlopen(f"{web.base}/gradio_api/queue/data?session_hash={session}", timeout=120) as r:
            assert any(b"process_completed" in line and b'"success":true' in line for line in r)
    assert len(web.server_app.state_holder.session_data) <= STATE_SESSIONS


@pytest.mark.parametrize("route", ["/gradio_api/file={}", "/file={}", "/gradio_api/file/{}", "/file/{}"])
@pytest.mark.parametrize(
    "target",
    [
        "/etc/passwd",
        "{index}/kb.sqlite",
        "{index}/exports/../kb.sqlite",
        "{index}/exports/%2e%2e/kb.sqlite",
        "../../../../../../etc/passwd",
        "%2Fetc%2Fpasswd",
        "/proc/self/environ",
        "{root}/app.py",
        "{index}/manifest.json",
        "{index}/exports",
    ],
)
def test_no_file_outside_the_export_folder_is_served(web, route: str, target: str) -> None:
    path = target.format(index=web.index, root=ROOT)
    status, body = _get(web.base + route.format(path.lstrip("/") if route.endswith("/{}") else path))
    assert status in (400, 403, 404), (status, body[:200])
    assert b"root:" not in body and b"SQLite format 3" not in body and b"POLICY_KB" not in body
    assert b"from policy_kb.app import main" not in body


def test_file_route_does_not_fetch_urls_for_a_client(web) -> None:
    """`/gradio_api/file=http://…` must not turn the server into a proxy to itself or the local network."""
    for url in (f"{web.base}/config", "http://127.0.0.1:1/", "http://169.254.169.254/latest/meta-data/"):
        status, body = _get(f"{web.base}/gradio_api/file={url}")
        assert status in (400, 403, 404), (url, status, body[:200])


def test_static_routes_do_not_traverse(web) -> None:
    for route in (
        "/static/../../../../etc/passwd",
        "/assets/../../../etc/passwd",
        "/gradio_api/static/..%2f..%2fetc%2fpasswd",
        "/favicon.ico/../../../etc/passwd",
    ):
        _status, body = _get(web.base + route)
        assert b"root:" not in body, route


def _multipart(filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "----hostile" + os.urandom(8).hex()
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{filename}"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), boundary


def _post_upload(web, filename: str, data: bytes) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    body, boundary = _multipart(filename, data)
    req = urllib.request.Request(
        f"{web.base}/gradio_api/upload",
        data=body,
        method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(errors="replace")


def test_upload_route_refuses_files_over_the_limit(web) -> None:
    status, text = _post_upload(web, "big.txt", b"x" * (20 * 1024 * 1024 + 1024))
    assert status == 413, (status, text[:200])


def test_traversal_file_name_in_a_multipart_upload_stays_inside(
    web, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client-chosen name `../../…/evil 文件.txt` lands in Gradio's upload cache, and the admin upload handler
    stores it in the corpus folder as a plain `evil-文件.txt`."""
    from policy_kb.app import handlers

    outside = tmp_path / "outside"
    evil = f"../../../../../..{outside}/evil 文件.txt"
    status, text = _post_upload(web, evil, NOTICE.replace("晋中市", "朔州市").encode())
    assert status == 200, text
    (server_path,) = json.loads(text)
    cache = Path(web.server_app.uploaded_file_dir)
    assert not outside.exists()
    assert ".." not in Path(server_path).parts and Path(server_path).resolve().is_relative_to(cache.resolve())
    monkeypatch.setattr(web.service, "settings", replace(web.service.settings, admin_password=PASSWORD))
    corpus = web.service.paths.corpus
    try:
        message = handlers.upload(web.service, server_path, PASSWORD)
        stored = corpus / handlers.safe_name(Path(server_path).name)
        assert message.startswith("✅") and stored.is_file() and stored.resolve().parent == corpus.resolve()
    finally:
        for p in corpus.glob("*朔州*"):
            p.unlink()
        for p in corpus.glob("evil*"):
            p.unlink()


def test_upload_is_hidden_and_no_api_without_admin_password(web) -> None:
    """Launched without POLICY_KB_ADMIN_PASSWORD: the upload panel is not rendered and the event is not an API."""
    status, body = _get(f"{web.base}/config")
    assert status == 200
    config = json.loads(body)
    accordions = [
        c
        for c in config["components"]
        if c.get("type") == "accordion" and "upload" in str(c.get("props", {}).get("label", ""))
    ]
    assert accordions and all(c["props"].get("visible") is False for c in accordions)
    info = json.loads(_get(f"{web.base}/gradio_api/info")[1])
    assert set(info["named_endpoints"]) == {"/chat", "/search", "/export_obligations", "/clause_context"}


def test_chat_question_length_is_limited_over_http(client) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Exception, match="问题太长"):
        client.predict("焦" * 501, [], ALL, AS_OF, api_name="/chat")
    history, _ = client.predict("焦" * 500, [], ALL, AS_OF, api_name="/chat")
    assert history[0]["content"] == "焦" * 500 or "焦" * 500 in json.dumps(history[0], ensure_ascii=False)


def test_search_with_a_huge_query_is_bounded(web, client) -> None:  # type: ignore[no-untyped-def]
    """A 200 000-character query over HTTP is refused quickly with the length message, like /chat."""
    started = time.perf_counter()
    with pytest.raises(Exception, match=r"太长|too long"):
        client.predict("补偿标准" + "焦" * 200_000, "keyword", ALL, ALL, None, None, api_name="/search")
    assert time.perf_counter() - started < 30


def test_search_rejects_an_overlong_query(web) -> None:
    from policy_kb.app import handlers

    with pytest.raises(handlers.UserError, match="太长"):
        handlers.search(web.service, "焦" * 501, "keyword", ALL, ALL, None, None)


HOSTILE_QUERIES = [
    "<script>alert(1)</script>琥珀酸储罐泄漏排查什么时候完成？",
    "<img src=x onerror=alert(1)>补偿标准",
    '"><svg onload=alert(1)>4.3米焦炉什么时候关停',
    "[x](javascript:alert(1)) 焦炉关停",
    "<iframe src=//evil>北京市焦化企业关停有什么规定？",
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_markup_in_queries_is_escaped_over_http(client, query: str) -> None:  # type: ignore[no-untyped-def]
    history, _ = client.predict(query, [], ALL, AS_OF, api_name="/chat")
    for message in history[1:]:  # the user's own message is shown by the Chatbot, which sanitises it
        text = json.dumps(message, ensure_ascii=False)
        assert not RAW_MARKUP.search(text), (RAW_MARKUP.search(text), text[:300])
    html, _ = client.predict(query, "hybrid", ALL, ALL, None, None, api_name="/search")
    assert not RAW_MARKUP.search(html), RAW_MARKUP.search(html)


def test_document_markup_arrives_escaped(client) -> None:  # type: ignore[no-untyped-def]
    html, _ = client.predict("琥珀酸储罐", "keyword", ALL, ALL, None, None, api_name="/search")
    full_width = html.replace("(", "（").replace(")", "）")  # the cleaner may have normalised the brackets
    assert "琥珀酸储罐排查的通知" in html and "&lt;img src=x onerror=alert（2）&gt;" in full_width
    assert not RAW_MARKUP.search(html)
    history, _ = client.predict("琥珀酸储罐泄漏排查什么时候完成？", [], ALL, AS_OF, api_name="/chat")
    text = json.dumps(history[1:], ensure_ascii=False)
    assert "2031年6月30日" in text and "&lt;script&gt;" in text
    assert not RAW_MARKUP.search(text)
