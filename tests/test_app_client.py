"""The web app over HTTP: the app launched in-process on a free port (fake-embedder KB in a tmp dir) and driven with
gradio_client through its stable API names, plus `python app.py` in a subprocess for GRADIO_SERVER_NAME/PORT."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import CORPUS, ROOT

Client = pytest.importorskip("gradio_client").Client

ALL = "全部 / all"
QUESTION = "我们厂在介休，4.3米焦炉最晚什么时候关？"
STABLE_API = {"/chat", "/search", "/export_obligations", "/clause_context"}
DATAPACKAGE = ROOT / "policy_kb" / "schemas" / "datapackage.json"
STARTUP_LIMIT_S = 20.0  # process start → first HTTP 200 (importing gradio alone takes ~4 s)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _quiet(_msg: str) -> None:
    pass


def _text(message: dict) -> str:
    """A chat message's text whether the content is a string or Gradio 6's list of parts."""
    content = message.get("content")
    if isinstance(content, str):
        return content
    return "".join(part.get("text") or "" for part in content or [] if isinstance(part, dict))


def _title(message: dict) -> str:
    return (message.get("metadata") or {}).get("title") or ""


@pytest.fixture(scope="module")
def _env():
    with pytest.MonkeyPatch.context() as mp:
        if not os.environ.get("POLICY_KB_EMBED_MODEL"):
            mp.setenv("POLICY_KB_EMBED_MODEL", "fake")
        mp.setenv("GRADIO_ANALYTICS_ENABLED", "False")
        yield


def _launch(index: Path, corpus: Path, exports: Path):
    from policy_kb.app.render import CSS
    from policy_kb.app.ui import build_app

    demo = build_app(index, corpus, exports)
    demo.queue(default_concurrency_limit=8).launch(
        server_name="127.0.0.1",
        server_port=free_port(),
        prevent_thread_lock=True,
        quiet=True,
        show_error=True,
        css=CSS,
        allowed_paths=[str(exports.resolve())],
    )
    return demo


@pytest.fixture(scope="module")
def app(_env, seed_index: Path, tmp_path_factory: pytest.TempPathFactory):
    """The app on the seed KB (read-only: nothing here uploads), exports and corpus copy in a tmp dir."""
    tmp = tmp_path_factory.mktemp("app-client")
    shutil.copytree(CORPUS, tmp / "corpus")
    started = time.perf_counter()
    demo = _launch(seed_index, tmp / "corpus", tmp / "exports")
    demo.launch_seconds = time.perf_counter() - started  # type: ignore[attr-defined]
    yield demo
    demo.close()


@pytest.fixture(scope="module")
def client(app, tmp_path_factory: pytest.TempPathFactory):
    return Client(app.local_url, verbose=False, download_files=str(tmp_path_factory.mktemp("downloads")))


def test_launch_is_quick(app) -> None:
    assert app.launch_seconds < 10, app.launch_seconds
    with urllib.request.urlopen(app.local_url, timeout=10) as r:
        assert r.status == 200
        assert "policy-kb" in r.read().decode("utf-8", "replace")


def test_view_api_lists_exactly_the_stable_names(client) -> None:
    info = client.view_api(return_format="dict", print_info=False)
    assert set(info["named_endpoints"]) == STABLE_API
    assert not info["unnamed_endpoints"]  # every other event is api_name=False
    labels = {name: [p["label"] for p in ep["parameters"]] for name, ep in info["named_endpoints"].items()}
    assert labels["/chat"] == [
        "问题 / question",
        "回答 / answers",
        "所在地区 / your jurisdiction",
        "截至日期 / as of (YYYY-MM-DD)",
    ]
    assert len(labels["/search"]) == 6 and labels["/search"][0] == "关键词或问题 / query"
    assert len(labels["/export_obligations"]) == 7 and labels["/export_obligations"][-1] == "下载格式 / format"
    assert len(labels["/clause_context"]) == 1


def test_chat_endpoint(client) -> None:
    history, box = client.predict(QUESTION, [], ALL, "2026-11-23", api_name="/chat")
    assert box == ""  # the question box is cleared
    assert history[0]["role"] == "user" and _text(history[0]) == QUESTION
    answer = history[1]
    assert answer["role"] == "assistant" and "2023年10月31日" in _text(answer)
    sources = [m for m in history if _title(m).startswith("来源")]
    assert sources and _title(sources[0]).startswith("来源 [1]")
    assert "<mark>" in _text(sources[0]) and quote("jiexiu-2023-43m-oven-closure:二/（一）", safe="") in _text(
        sources[0]
    )


def test_chat_endpoint_continues_a_conversation(client) -> None:
    first, _ = client.predict(QUESTION, [], ALL, "2026-11-23", api_name="/chat")
    second, _ = client.predict("北京市焦化企业关停有什么规定？", first, ALL, "2026-11-23", api_name="/chat")
    assert len(second) > len(first)
    assert [_text(m) for m in second[: len(first)]] == [_text(m) for m in first]
    assert _text(second[len(first)]) == "北京市焦化企业关停有什么规定？"
    reply = second[len(first) + 1]
    assert _text(reply).startswith("🔍 **文件中没有答案** — 知识库中没有北京市的政策文件") and _title(reply) == ""


def test_chat_endpoint_reads_a_follow_up_with_the_question_before(client) -> None:
    first, _ = client.predict(QUESTION, [], ALL, "2026-11-23", api_name="/chat")
    assert "2023年10月31日" in _text(first[1])
    second, _ = client.predict("那忻州呢？", first, ALL, "2026-11-23", api_name="/chat")
    reply = _text(second[len(first) + 1])
    assert "2023年底前" in reply and "**介休市**" not in reply


def test_chat_endpoint_question_place_wins_over_the_dropdown(client) -> None:
    history, _ = client.predict("忻州的4.3米焦炉什么时候关？", [], "介休市", "2026-11-23", api_name="/chat")
    reply = _text(history[1])
    assert "按问题中的地点忻州市回答，而不是所选地区介休市" in reply and "2023年底前" in reply


def test_chat_endpoint_user_errors_reach_the_client(client) -> None:
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        client.predict(QUESTION, [], ALL, "not-a-date", api_name="/chat")
    with pytest.raises(Exception, match="问题太长"):
        client.predict("焦" * 501, [], ALL, "2026-11-23", api_name="/chat")
    history, _ = client.predict("   ", [], ALL, "2026-11-23", api_name="/chat")
    assert history == []


def test_chat_endpoint_concurrent_requests(client) -> None:
    """Four chats at once (concurrency_limit=8): every worker thread gets its own SQLite connection."""
    jobs = [client.submit(QUESTION, [], ALL, "2026-11-23", api_name="/chat") for _ in range(4)]
    answers = [_text(job.result(timeout=120)[0][1]) for job in jobs]
    assert all("2023年10月31日" in a for a in answers)
    assert len(set(answers)) == 1


def test_search_endpoint(client) -> None:
    html, picked = client.predict("补偿", "hybrid", ALL, ALL, None, None, api_name="/search")
    assert "四、（一）" in html and "<mark>补偿</mark>" in html
    assert "sx-2019-66-coking-overcapacity:四/（一）" not in html and "score" not in html  # no internals on the page
    # the context picker gets the result ids as its choices, nothing selected
    assert picked["value"] is None
    assert picked["choices"][0] == ["1. 晋政办发〔2019〕66号 四、（一）", "sx-2019-66-coking-overcapacity:四/（一）"]
    html, _ = client.predict("4.3米焦炉关停", "keyword", "介休市", ALL, None, None, api_name="/search")
    assert "上级规定" in html and "<div class='clause-id'>忻州市 · " not in html


def _export(
    client,
    fmt: str,
    place: str = ALL,
    doc: str = ALL,
    dept: str = "",
    before: str = "",
    after: str = "",
    modality: str = ALL,
) -> Path:
    return Path(client.predict(place, doc, dept, before, after, modality, fmt, api_name="/export_obligations"))


def test_export_obligations_csv(client, app) -> None:
    from policy_kb.app import handlers

    path = _export(client, "csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese text correctly
    fields = [
        f["name"] for f in json.loads(DATAPACKAGE.read_text(encoding="utf-8"))["resources"][0]["schema"]["fields"]
    ]
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == ",".join(fields)
    assert lines[0].startswith("id,doc_id,")
    table = handlers.obligations_table(app.service)
    assert len([line for line in lines[1:] if line]) >= len(table)  # (quoted texts may hold line breaks)


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl"])
def test_export_obligations_filtered_rows(client, app, fmt: str) -> None:
    import csv
    import io

    from policy_kb.app import handlers

    path = _export(client, fmt, place="忻州市", modality="must", before="2024-12-31")
    assert path.suffix == f".{fmt}"
    text = path.read_bytes().decode("utf-8-sig")
    if fmt == "csv":
        ids = [r["id"] for r in csv.DictReader(io.StringIO(text, newline=""))]
    elif fmt == "json":
        ids = [r["id"] for r in json.loads(text)]
    else:
        ids = [json.loads(line)["id"] for line in text.splitlines()]
    expected = [o.id for o in handlers.obligation_records(app.service, "忻州市", ALL, "", "2024-12-31", "", "must")]
    assert ids == expected and ids


def test_clause_context_endpoint_after_search(app) -> None:
    c = Client(app.local_url, verbose=False)  # its own session
    _, picked = c.predict("补偿", "hybrid", ALL, ALL, None, None, api_name="/search")
    clause_id = picked["choices"][0][1]
    html = c.predict(clause_id, api_name="/clause_context")
    assert "<p class='current'><b>四、（一）</b>" in html and "<details>" in html


def test_clause_context_endpoint_for_a_cited_clause(app) -> None:
    c = Client(app.local_url, verbose=False)  # a fresh session: no search yet
    history, _ = c.predict(QUESTION, [], ALL, "2026-11-23", api_name="/chat")
    cited = "jiexiu-2023-43m-oven-closure:二/（一）"
    assert any(quote(cited, safe="") in _text(m) for m in history)
    html = c.predict(cited, api_name="/clause_context")
    assert "<p class='current'><b>二、（一）</b>" in html


# ---- after an upload ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def upload_app(_env, tmp_path_factory: pytest.TempPathFactory):
    """A small writable KB (one seed document) with uploads enabled."""
    from policy_kb.pipeline import build_all

    tmp = tmp_path_factory.mktemp("app-client-upload")
    (tmp / "corpus").mkdir()
    shutil.copy(CORPUS / "jiexiu-2023-43m-oven-closure.txt", tmp / "corpus")
    assert not build_all(tmp / "corpus", tmp / "index", progress=_quiet).errors
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLICY_KB_ADMIN_PASSWORD", "pw")
        demo = _launch(tmp / "index", tmp / "corpus", tmp / "exports")
        yield demo
        demo.close()


def test_uploaded_document_is_searchable_over_the_api(upload_app, tmp_path: Path) -> None:
    from policy_kb.app import handlers

    src = tmp_path / "阳泉通知.txt"
    src.write_text(
        "阳泉市人民政府办公室关于开展焦化企业琥珀酸泄漏排查的通知\n阳政办发〔2025〕3号\n各县（区）人民政府：\n"
        "一、工作目标\n2027年12月31日前，全市焦化企业必须完成琥珀酸储罐泄漏排查。\n",
        encoding="utf-8",
    )
    assert handlers.upload(upload_app.service, str(src), "pw").startswith("✅")
    c = Client(upload_app.local_url, verbose=False)
    html, _ = c.predict("琥珀酸", "keyword", ALL, ALL, None, None, api_name="/search")
    assert "<mark>琥珀酸</mark>" in html and "阳政办发〔2025〕3号" in html


def test_uploaded_document_can_be_used_as_a_filter(upload_app, tmp_path: Path) -> None:
    from policy_kb.app import handlers

    src = tmp_path / "大同通知.txt"
    src.write_text(
        "大同市人民政府办公室关于开展焦化企业氦气回收试点的通知\n同政办发〔2025〕5号\n各县（区）人民政府：\n"
        "一、工作目标\n2028年6月30日前，全市焦化企业必须完成氦气回收试点。\n",
        encoding="utf-8",
    )
    handlers.upload(upload_app.service, str(src), "pw")
    doc_id = next(v for label, v in handlers.document_choices(upload_app.service) if "同政办发〔2025〕5号" in label)
    c = Client(upload_app.local_url, verbose=False)
    html, _ = c.predict("氦气", "keyword", "大同市", doc_id, None, None, api_name="/search")
    assert "<mark>氦气</mark>" in html


# ---- `python app.py` --------------------------------------------------------------------------------------------
def _loopback_alias() -> str | None:
    """127.0.0.2 (any 127/8 address is loopback on Linux) when it can be bound, to tell a honoured
    GRADIO_SERVER_NAME apart from the 127.0.0.1 default."""
    try:
        with socket.socket() as s:
            s.bind(("127.0.0.2", 0))
        return "127.0.0.2"
    except OSError:
        return None


def _get(url: str, timeout: float = 2.0) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode("utf-8", "replace")


def test_main_honours_gradio_server_name_and_port(_env, seed_index: Path, tmp_path: Path) -> None:
    host = _loopback_alias() or "127.0.0.1"
    port = free_port(host)
    shutil.copytree(CORPUS, tmp_path / "corpus")
    env = dict(
        os.environ,
        GRADIO_SERVER_NAME=host,
        GRADIO_SERVER_PORT=str(port),
        POLICY_KB_INDEX=str(seed_index),
        POLICY_KB_CORPUS=str(tmp_path / "corpus"),
        POLICY_KB_EMBED_MODEL=os.environ["POLICY_KB_EMBED_MODEL"],
        GRADIO_ANALYTICS_ENABLED="False",
        PYTHONUNBUFFERED="1",
    )
    env.pop("POLICY_KB_ADMIN_PASSWORD", None)
    log = tmp_path / "app.log"
    started = time.perf_counter()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")], cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        status, page, elapsed = None, "", None
        while time.perf_counter() - started < 60:
            if proc.poll() is not None:
                pytest.fail(f"app.py exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
            try:
                status, page = _get(f"http://{host}:{port}/")
                elapsed = time.perf_counter() - started
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                time.sleep(0.1)
        assert status == 200, log.read_text(errors="replace")
        print(f"\napp.py: first page after {elapsed:.1f}s on {host}:{port}")
        assert elapsed < STARTUP_LIMIT_S, f"first page after {elapsed:.1f}s"
        assert "policy-kb" in page
        assert f"http://{host}:{port}" in log.read_text(errors="replace")
        if host != "127.0.0.1":  # bound to the name given, not to every interface or the default
            with pytest.raises(OSError):
                _get(f"http://127.0.0.1:{port}/", timeout=1.0)
        # the app is usable right away, through the stable API
        html, _ = Client(f"http://{host}:{port}/", verbose=False).predict(
            "补偿", "keyword", ALL, ALL, None, None, api_name="/search"
        )
        assert "四、（一）" in html
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
