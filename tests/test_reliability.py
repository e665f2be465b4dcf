"""Issue 19, item by item: uploads that survive a crash, a dense index that catches up, disk that does not grow
with page views, refused uploads without a trace, errors that never leak, markup kept as written, invisible
characters, file names, the login back-off and the upload limits.

Crashes are real: a subprocess SIGKILLs itself at a named point (POLICY_KB_FAULT_INJECT, as in
tests/test_crash_safety.py); "restart" is the web app launched on what the crash left, driven over HTTP."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT

from benchmarks.soak import queue_call
from policy_kb.app import handlers
from policy_kb.app.file_cache import FileCache, Limits, prune
from policy_kb.app.handlers import UserError
from policy_kb.app.service import Paths, Service
from policy_kb.app.throttle import LoginThrottle, TooManyAttempts
from policy_kb.settings import Settings
from policy_kb.store import Store

Client = pytest.importorskip("gradio_client").Client

ALL = "全部 / all"
PASSWORD = "s3cret-admin"
NOTICE_NAME = "jincheng-2031-crash-notice.txt"
NOTICE_ID = "jincheng-2031-crash-notice"
UNIQUE = "琥珀酸回收装置"  # in the notice only
NOTICE = (
    "晋城市人民政府办公室关于开展焦化企业琥珀酸回收装置检修的通知\n晋市政办发〔2031〕3号\n"
    "一、工作目标\n2031年6月30日前，全市焦化企业必须完成琥珀酸回收装置检修。\n"
    "二、保障措施\n市应急局牵头，市工信局配合。\n"
)
LEAK = re.compile(r"object at 0x|Traceback|File \"|/tmp/|/work/|/home/|\.py\b|sqlite3\.|Error binding")


def _quiet(_msg: str) -> None:
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", autouse=True)
def _env():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLICY_KB_EMBED_MODEL", "fake")
        mp.setenv("GRADIO_ANALYTICS_ENABLED", "False")
        mp.setenv("POLICY_KB_ADMIN_PASSWORD", PASSWORD)
        yield


@pytest.fixture(scope="module")
def template(seed_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed corpus and its knowledge base, to be copied by each test that writes."""
    base = tmp_path_factory.mktemp("reliability-template")
    shutil.copytree(CORPUS, base / "corpus")
    shutil.copytree(seed_index, base / "index", ignore=shutil.ignore_patterns(".build.lock", "exports"))
    return base


@pytest.fixture
def kb(template: Path, tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(template, tmp_path / "kb")
    return tmp_path / "kb" / "corpus", tmp_path / "kb" / "index"


def _service(corpus: Path, index: Path) -> Service:
    return Service(Paths(index=index, corpus=corpus, exports=index / "exports"))


def _launch(corpus: Path, index: Path, gradio_temp: Path | None = None):  # type: ignore[no-untyped-def]
    """The web app as a restart starts it: build_app (start-up reconciliation in the background) and launch."""
    from starlette.middleware import Middleware

    from policy_kb.app.ui import build_app
    from policy_kb.app.upload_input import UploadLimit

    demo = build_app(index, corpus, index / "exports", gradio_temp=gradio_temp)
    demo.queue(default_concurrency_limit=8).launch(
        server_name="127.0.0.1",
        server_port=_free_port(),
        prevent_thread_lock=True,
        quiet=True,
        show_error=True,
        allowed_paths=[str((index / "exports").resolve())],
        app_kwargs={"middleware": [Middleware(UploadLimit, limit_bytes=Settings().max_upload_bytes)]},
    )
    return demo


def _search_ids(client, query: str, mode: str = "keyword") -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    """/search over HTTP: the result page and the clause ids offered for the context view."""
    page, pick = client.predict(query, mode, ALL, ALL, None, None, api_name="/search")
    return page, [c[1] if isinstance(c, (list, tuple)) else c for c in pick.get("choices", [])]


def _doc_ids(index: Path) -> list[str]:
    store = Store(index)
    try:
        return [d.id for d in store.documents()]
    finally:
        store.close()


UPLOAD_SCRIPT = """
import sys
from pathlib import Path
from policy_kb.app import handlers
from policy_kb.app.service import Paths, Service
index, corpus, src = map(Path, sys.argv[1:4])
print(handlers.upload(Service(Paths(index=index, corpus=corpus, exports=index / "exports")), str(src), sys.argv[4]))
"""


def _upload_in_subprocess(corpus: Path, index: Path, src: Path, fault: str | None) -> subprocess.CompletedProcess:
    env = dict(os.environ, POLICY_KB_EMBED_MODEL="fake", POLICY_KB_ADMIN_PASSWORD=PASSWORD, PYTHONPATH=str(ROOT))
    env.pop("POLICY_KB_FAULT_INJECT", None)
    if fault:
        env["POLICY_KB_FAULT_INJECT"] = fault
    return subprocess.run(
        [sys.executable, "-c", UPLOAD_SCRIPT, str(index), str(corpus), str(src), PASSWORD],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


# ---- 1. an upload interrupted by a crash ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fault, stored_after_crash",
    [
        ("before_write", False),  # parsed, nothing committed: the upload was never confirmed
        ("staged_before_move", True),  # committed, the file still in .staging
        ("after_commit", True),  # committed and moved, dense index not yet updated
    ],
)
def test_upload_killed_mid_way_is_complete_or_absent_after_restart(
    kb, tmp_path: Path, fault: str, stored_after_crash: bool
) -> None:
    corpus, index = kb
    src = tmp_path / NOTICE_NAME
    src.write_text(NOTICE + "（正文）\n" * 20_000, encoding="utf-8")  # ≈ 0.3 MB
    crashed = _upload_in_subprocess(corpus, index, src, fault)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr[-2000:]
    assert (NOTICE_ID in _doc_ids(index)) == stored_after_crash

    demo = _launch(corpus, index)  # the restart
    try:
        assert demo.service.reconciled.wait(120)
        client = Client(demo.local_url, verbose=False)
        page, ids = _search_ids(client, UNIQUE)
        staging = corpus / ".staging"
        assert not staging.exists() or not any(staging.iterdir())
        if stored_after_crash:  # finished: in the corpus folder, in the knowledge base, found over HTTP
            assert (corpus / NOTICE_NAME).read_bytes() == src.read_bytes()
            assert any(i.startswith(f"{NOTICE_ID}:") for i in ids), page[:300]
            assert NOTICE_ID in _doc_ids(index)
            assert any("琥珀酸回收装置检修的通知" in str(row) for row in handlers.documents_table(demo.service))
            page, _ = _search_ids(client, UNIQUE, "semantic")
            assert "语义检索暂时不可用" not in page  # the dense index caught up too
        else:  # never confirmed: gone everywhere, and the same upload now simply works
            assert not (corpus / NOTICE_NAME).exists() and NOTICE_ID not in _doc_ids(index)
            assert not any(i.startswith(f"{NOTICE_ID}:") for i in ids)
            message = handlers.upload(demo.service, str(src), PASSWORD)
            assert message.startswith("✅") and (corpus / NOTICE_NAME).exists()
    finally:
        demo.close()


def test_cli_build_after_a_crash_finishes_a_committed_upload(kb, tmp_path: Path) -> None:
    """`policy-kb build` run before the app is restarted must not remove the upload as a file gone from the corpus."""
    corpus, index = kb
    src = tmp_path / NOTICE_NAME
    src.write_text(NOTICE, encoding="utf-8")
    assert _upload_in_subprocess(corpus, index, src, "staged_before_move").returncode == -signal.SIGKILL
    result = _cli_build(corpus, index)
    assert result.returncode == 0 and f"upload {NOTICE_NAME} completed" in result.stderr, result.stderr
    assert NOTICE_ID in _doc_ids(index) and (corpus / NOTICE_NAME).read_bytes() == src.read_bytes()


def test_file_in_the_corpus_but_not_in_the_kb_is_ingested_at_start_up(kb) -> None:
    """What an older version's crash left (the file complete in the corpus folder, absent from the knowledge base)."""
    corpus, index = kb
    (corpus / NOTICE_NAME).write_text(NOTICE, encoding="utf-8")
    (corpus / "broken.txt").write_bytes(b"")  # cannot be ingested: reported, not silent
    demo = _launch(corpus, index)
    try:
        assert demo.service.reconciled.wait(120)
        _, ids = _search_ids(Client(demo.local_url, verbose=False), UNIQUE)
        assert any(i.startswith(f"{NOTICE_ID}:") for i in ids)
        store = Store(index)
        assert [e["file"] for e in store.build_errors()] == ["broken.txt"]
        store.close()
    finally:
        demo.close()


# ---- 2. a crash between the SQLite commit and the dense-index swap --------------------------------------------------
def _cli_build(corpus: Path, index: Path, fault: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, POLICY_KB_EMBED_MODEL="fake")
    env.pop("POLICY_KB_FAULT_INJECT", None)
    if fault:
        env["POLICY_KB_FAULT_INJECT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "policy_kb.cli", "build", "--corpus", str(corpus), "--index", str(index)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_stale_dense_index_shows_a_notice_and_catches_up_incrementally(kb) -> None:
    from policy_kb.search.dense import CACHE_FILE, clause_passages, read_manifest

    corpus, index = kb
    (corpus / NOTICE_NAME).write_text(NOTICE, encoding="utf-8")
    assert _cli_build(corpus, index, fault="after_commit").returncode == -signal.SIGKILL
    (index / CACHE_FILE).unlink()  # no embedding cache to hide a full re-encode

    service = _service(corpus, index)
    page, _ = handlers.search(service, "焦炉关停", "semantic", ALL, ALL, None, None)
    assert "语义检索暂时不可用" in page  # visible to the user, not only on stderr
    page, _ = handlers.search(service, "焦炉关停", "keyword", ALL, ALL, None, None)
    assert "语义检索暂时不可用" not in page  # keyword search is not degraded
    history = handlers.chat(service, "4.3米焦炉什么时候关停？", [], ALL, "2026-01-01")
    assert "语义检索暂时不可用" in history[1]["content"]

    result = _cli_build(corpus, index)
    assert result.returncode == 0, result.stderr
    store = Store(index)
    new_passages = len(clause_passages(store, {NOTICE_ID})[0])
    store.close()
    match = re.search(r"dense index: (\d+) passages \((\d+) newly encoded", result.stderr)
    assert match, result.stderr
    total, encoded = map(int, match.groups())
    assert encoded == new_passages and total > 20 * encoded  # only what the index lacked
    assert read_manifest(index)["kind"] == "flat"  # the small index kind, updated in place too
    service.reload()
    page, ids = handlers.search(service, UNIQUE, "semantic", ALL, ALL, None, None)
    assert "语义检索暂时不可用" not in page and ids


def test_clause_rowids_are_never_reused(kb) -> None:
    """The dense index is updated in place by rowid, so a rowid must never come back with another text."""
    from policy_kb.pipeline import build_all

    corpus, index = kb
    (corpus / NOTICE_NAME).write_text(NOTICE, encoding="utf-8")
    build_all(corpus, index, progress=_quiet)
    store = Store(index)
    used = {r[0] for r in store.conn.execute("SELECT rowid FROM clauses")}
    store.close()
    (corpus / NOTICE_NAME).unlink()  # the document with the highest rowids goes …
    build_all(corpus, index, progress=_quiet)
    (corpus / "other.txt").write_text(NOTICE.replace("琥珀酸", "焦油"), encoding="utf-8")  # … another comes
    build_all(corpus, index, progress=_quiet)
    store = Store(index)
    fresh = {r[0] for r in store.conn.execute("SELECT rowid FROM clauses WHERE doc_id = 'other'")}
    store.close()
    assert fresh and not fresh & used


# ---- 3. page loads and exports do not fill the disk ------------------------------------------------------------------
def _page_load(base: str, fn_index: int) -> dict:
    """What a browser does on every page load: run the load event through the queue."""
    return queue_call(base, fn_index, [], timeout=120)


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_page_loads_write_nothing_new(kb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus, index = kb
    gradio_temp = tmp_path / "gradio-temp"
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(gradio_temp))
    demo = _launch(corpus, index, gradio_temp=gradio_temp)
    try:
        assert demo.service.reconciled.wait(120)
        load = next(k for k, fn in demo.fns.items() if fn.name == "_load")
        first = _page_load(demo.local_url, load)
        assert first["success"], first
        exports, temp = _files(index / "exports"), _files(gradio_temp)
        for _ in range(10):
            assert _page_load(demo.local_url, load)["success"]
        assert _files(index / "exports") == exports and len(exports) == 1  # one cached default export
        assert sorted(_files(gradio_temp)) == sorted(temp)  # Gradio reuses its copy (named by content)
        client = Client(demo.local_url, verbose=False)
        for place in ("山西省", "忻州市", "介休市"):  # other rows: other files, still one per request
            for _ in range(3):
                client.predict(place, ALL, "", "", "", ALL, "csv", api_name="/export_obligations")
        assert len(_files(index / "exports")) == 4
    finally:
        demo.close()


def test_export_cache_is_bounded(tmp_path: Path) -> None:
    cache = FileCache(tmp_path / "exports", Limits(max_bytes=10_000, max_files=5, max_age_s=3600, min_age_s=0))
    paths = [cache.get(f"key-{i}", "obligations", ".csv", lambda fh: fh.write("x" * 3000)) for i in range(20)]
    left = _files(tmp_path / "exports")
    assert paths[-1] in left and len(left) <= 3 and sum(p.stat().st_size for p in left) <= 10_000
    assert cache.get("key-19", "obligations", ".csv", lambda fh: fh.write("y")) == paths[-1]  # reused
    assert paths[-1].read_text() == "x" * 3000


def test_prune_by_age_spares_young_files(tmp_path: Path) -> None:
    old, young = tmp_path / "a" / "old.csv", tmp_path / "b" / "young.csv"
    for p in (old, young):
        p.parent.mkdir()
        p.write_text("x" * 100)
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    report = prune(tmp_path, Limits(max_bytes=1, max_files=0, max_age_s=3600, min_age_s=60))
    assert not old.exists() and not (tmp_path / "a").exists()  # empty folders go too
    assert young.exists() and report.removed == 1  # too young to go even over the limits (may be in flight)


# ---- 4. a refused upload leaves no trace ------------------------------------------------------------------------------
def test_refused_duplicate_upload_leaves_no_build_error(kb, tmp_path: Path) -> None:
    corpus, index = kb
    service = _service(corpus, index)
    copy = tmp_path / "copy-of-66.txt"
    shutil.copyfile(corpus / "sx-2019-66-coking-overcapacity.txt", copy)
    listing = sorted(p.name for p in corpus.iterdir())
    with pytest.raises(UserError, match="duplicate of sx-2019-66"):
        handlers.upload(service, str(copy), PASSWORD)
    assert sorted(p.name for p in corpus.iterdir()) == listing
    docs = subprocess.run(
        [sys.executable, "-m", "policy_kb.cli", "docs", "--index", str(index)],
        cwd=ROOT,
        env=dict(os.environ, POLICY_KB_EMBED_MODEL="fake"),
        capture_output=True,
        text=True,
    )
    assert docs.returncode == 0 and "error" not in docs.stderr and "copy-of-66" not in docs.stdout + docs.stderr
    store = Store(index)
    assert store.build_errors() == []
    store.close()


def test_upload_cannot_replace_a_document_by_its_id(kb, tmp_path: Path) -> None:
    """`sx 2019 66 coking overcapacity.txt` has the id of a stored document: refused, the stored one untouched."""
    corpus, index = kb
    src = tmp_path / "sx 2019 66 coking overcapacity.txt"
    src.write_text(NOTICE, encoding="utf-8")
    with pytest.raises(UserError, match="已存在同名文件"):
        handlers.upload(_service(corpus, index), str(src), PASSWORD)
    assert UNIQUE not in json.dumps(
        handlers.search(_service(corpus, index), UNIQUE, "keyword", ALL, ALL, None, None), ensure_ascii=False
    )


# ---- 5. errors never leak ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def web(template: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    base = tmp_path_factory.mktemp("reliability-web")
    shutil.copytree(template, base / "kb")
    demo = _launch(base / "kb" / "corpus", base / "kb" / "index")
    assert demo.service.reconciled.wait(120)
    demo.client = Client(demo.local_url, verbose=False)  # type: ignore[attr-defined]
    yield demo
    demo.close()


def _error(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(Exception) as info:
        call()
    message = str(info.value)
    assert not LEAK.search(message), message
    return message


@pytest.mark.parametrize("year", [1e300, "1e300", "-inf", "nan", -5, 2019.5, "二〇一九"])
def test_out_of_range_numbers_are_user_errors(web, year) -> None:  # type: ignore[no-untyped-def]
    message = _error(lambda: web.client.predict("补偿", "keyword", ALL, ALL, year, None, api_name="/search"))
    assert message.startswith("起始年份") and "年份" in message[4:] and len(message) < 200, message


@pytest.mark.parametrize(
    "name, args",
    [
        ("/search", ("补偿", 5, ALL, ALL, None, None)),
        ("/search", ("补偿", "keyword", ALL, ALL, [1], None)),
        ("/chat", ("补偿", "not a list", ALL, "2026-01-01")),
        ("/chat", ("补偿", [], ALL, 1e300)),
        ("/export_obligations", (ALL, ALL, "", "", "", ALL, "xml")),
        ("/clause_context", ({"x": 1},)),
    ],
)
def test_wrongly_typed_calls_get_a_chinese_message_and_nothing_else(web, name: str, args: tuple) -> None:
    message = _error(lambda: web.client.predict(*args, api_name=name))
    assert re.search(r"[\u4e00-\u9fff]", message) and " / " in message, message


def test_internal_errors_show_an_id_that_is_in_the_log(
    web, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise RuntimeError("cannot open /srv/secret/kb.sqlite: <Store object at 0x7f00>")

    monkeypatch.setattr(web.service, "answerer", broken)
    with caplog.at_level(logging.ERROR, logger="policy_kb.app"):
        message = _error(lambda: web.client.predict("补偿标准", [], ALL, "2026-01-01", api_name="/chat"))
    match = re.search(r"内部错误（编号 ([0-9a-f]{10})）", message)
    assert match, message
    logged = [r for r in caplog.records if match.group(1) in r.getMessage()]
    assert logged and logged[0].exc_info and "secret" in str(logged[0].exc_info[1])


def test_upload_and_export_answers_carry_no_server_path_of_the_app(web, tmp_path: Path) -> None:
    """The export is a Gradio file reference (its cache copy, the only way to serve it); never the app's own
    folders.  The upload message names the stored file, not where it is."""
    result = web.client.predict(ALL, ALL, "", "", "", ALL, "csv", api_name="/export_obligations")
    assert str(web.service.paths.index) not in json.dumps(result)
    src = tmp_path / "upload-path-check.txt"
    src.write_text(NOTICE.replace("琥珀酸", "粗苯"), encoding="utf-8")
    message = handlers.upload(web.service, str(src), PASSWORD)
    assert str(web.service.paths.corpus) not in message and not re.search(r"/(tmp|work|home|srv)/|\.staging", message)


# ---- 6. markup is kept as written and escaped on display ------------------------------------------------------------
def test_markup_in_documents_is_kept_and_escaped(tmp_path: Path) -> None:
    from policy_kb.pipeline import build_all

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "markup-page.html").write_text(
        "<html><body><h1>阳泉市关于储罐排查的通知</h1><p>一、工作目标</p>"
        "<p>2031年6月30日前完成排查，页面显示&lt;script&gt;alert(1)&lt;/script&gt;字样。</p>"
        "<script>var hidden = 1;</script></body></html>",
        encoding="utf-8",
    )
    (corpus / "markup-text.txt").write_text(
        "朔州市关于煤场整治的通知\n一、工作目标\n2031年3月31日前完成整治，<script>alert(2)</script>与<b>x</b>照录。\n",
        encoding="utf-8",
    )
    index = tmp_path / "index"
    assert not build_all(corpus, index, progress=_quiet).errors
    store = Store(index)
    texts = [r[0] for r in store.conn.execute("SELECT text FROM clauses")]
    store.close()
    assert any("页面显示<script>alert(1)</script>字样" in t for t in texts)  # as written, brackets too
    assert any("<script>alert(2)</script>与<b>x</b>照录" in t for t in texts)
    assert not any("hidden" in t for t in texts)  # a real <script> element is not visible text
    page, _ = handlers.search(_service(corpus, index), "照录", "keyword", ALL, ALL, None, None)
    assert "&lt;/script&gt;与&lt;b&gt;x&lt;/b&gt;" in page and "<script" not in page and "<b>x" not in page


# ---- 7. smaller: invisible characters, file names, login back-off, upload messages ----------------------------------
def test_zero_width_characters_do_not_defeat_search(web) -> None:
    plain = web.client.predict("补偿标准", "keyword", ALL, ALL, None, None, api_name="/search")
    for query in ("补\u200b偿标准", "补偿\u200d标\ufeff准", "\u202e补偿标准\u202c"):
        assert web.client.predict(query, "keyword", ALL, ALL, None, None, api_name="/search") == plain


def test_file_name_keeps_its_readable_parts_through_the_upload_box(kb, tmp_path: Path) -> None:
    from gradio.data_classes import FileData

    from policy_kb.app.upload_input import UploadBox

    corpus, index = kb
    cached = tmp_path / "b-id-whoami.txt"  # what Gradio's upload cache makes of the name
    cached.write_text(NOTICE, encoding="utf-8")
    value = UploadBox().preprocess(FileData(path=str(cached), orig_name="大同市关于<b>x</b>的通知$(id)whoami.txt"))
    assert value == str(cached)
    message = handlers.upload(_service(corpus, index), value, PASSWORD)
    assert (corpus / "大同市关于-b-x-b-的通知-id-whoami.txt").exists(), message


def test_login_back_off_doubles_per_client() -> None:
    now = [0.0]
    throttle = LoginThrottle(base_s=1, max_s=8, clock=lambda: now[0])
    waits = [throttle.failed("a") for _ in range(5)]
    assert waits == [1, 2, 4, 8, 8]
    with pytest.raises(TooManyAttempts):
        throttle.check("a")
    throttle.check("b")  # another client is not held back
    now[0] += 8
    throttle.check("a")
    throttle.succeeded("a")
    assert throttle.failed("a") == 1  # a right password starts over


def test_wrong_passwords_are_throttled_by_the_upload_handler(kb, tmp_path: Path) -> None:
    corpus, index = kb
    service = _service(corpus, index)
    src = tmp_path / NOTICE_NAME
    src.write_text(NOTICE, encoding="utf-8")
    started = time.perf_counter()
    refused_unchecked = 0
    for _ in range(30):
        with pytest.raises(UserError) as info:
            handlers.upload(service, str(src), "guess", client="10.0.0.9")
        refused_unchecked += "秒后再试" in str(info.value) and "过多" in str(info.value)
    assert refused_unchecked >= 29 and time.perf_counter() - started < 5  # one try checked, the rest refused
    with pytest.raises(UserError, match="过多"):  # even the right password waits out the back-off
        handlers.upload(service, str(src), PASSWORD, client="10.0.0.9")
    assert handlers.upload(service, str(src), PASSWORD, client="10.0.0.10").startswith("✅")


def test_oversize_upload_is_refused_with_the_apps_message() -> None:
    """The route limit (UploadLimit) answers in the app's words, for declared and for streamed bodies."""
    import asyncio

    from policy_kb.app.upload_input import UploadLimit

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"stored"})

    def run(headers: list, chunks: list[bytes]) -> tuple[int, bytes]:
        sent: list[dict] = []
        queue = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

        async def receive() -> dict:
            return queue.pop(0) if queue else {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/gradio_api/upload", "headers": headers}
        asyncio.run(UploadLimit(app, limit_bytes=1000)(scope, receive, send))
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])

    status, body = run([(b"content-length", b"5000")], [b"x" * 5000])
    assert status == 413 and "文件过大（上限" in body.decode()
    status, body = run([], [b"x" * 1500] * 3)  # chunked: no Content-Length
    assert status == 413 and "文件过大" in body.decode()
    assert run([(b"content-length", b"900")], [b"x" * 900]) == (200, b"stored")


def test_oversize_upload_over_http(web) -> None:
    req = urllib.request.Request(
        f"{web.local_url}gradio_api/upload",
        data=b"x" * (21 * 1024 * 1024),
        method="POST",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(req, timeout=60)
    assert info.value.code == 413 and "文件过大" in info.value.read().decode("utf-8")


def test_error_boundary_unit(caplog: pytest.LogCaptureFixture) -> None:
    """What leaves the boundary for each kind of exception (errors.public)."""
    import gradio as gr

    from policy_kb.app import errors

    assert (
        errors.public(UserError("文件无法读取 / cannot read <b>x</b>.txt")).message
        == "文件无法读取 / cannot read &lt;b&gt;x&lt;/b&gt;.txt"
    )  # Gradio shows error text as HTML
    try:
        try:
            raise UserError("管理员密码错误 / wrong admin password")
        except UserError as e:
            raise gr.Error(str(e)) from e  # what ui._user_errors raises
    except gr.Error as wrapped:
        assert errors.public(wrapped).message == "管理员密码错误 / wrong admin password"
    assert errors.public(errors._InvalidInput()).message == errors.INVALID_INPUT
    foreign = gr.Error("Value: <object at 0x7f> is not in the list of choices")  # a library's own gr.Error
    with caplog.at_level(logging.ERROR, logger="policy_kb.app"):
        for error in (foreign, KeyError("/srv/kb/kb.sqlite")):
            message = errors.public(error).message
            assert re.fullmatch(r"内部错误（编号 [0-9a-f]{10}）/ internal error \(id [0-9a-f]{10}\)", message)
            assert message[7:17] in caplog.text
