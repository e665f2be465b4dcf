"""Soak: the web app for a long stretch of mixed traffic — page loads, chats, searches, exports and two admin uploads —
with the server's memory and the disk it uses sampled throughout.  Issue 19: disk must not grow with page views,
memory must stay flat, and nothing may fail.

`make stress` runs it for 10 minutes; `python -m benchmarks.soak --minutes 1 --fake` is a quick check.

Method: a copy of the seed corpus is built (real embedding model unless --fake) into a scratch folder and `app.py`
is started on it as users start it (POLICY_KB_ADMIN_PASSWORD set, GRADIO_TEMP_DIR in the scratch folder so its
size can be measured).  Then, until the time is up: 4 chat clients (`/chat`, gold questions in turn), 1 search
client (`/search`, the three modes, and `/export_obligations` for a rotating place and format), 1 page-load client
(the page's load event through the queue, as a browser runs it, once a second), and two uploads through the same
route and event the browser uses, at 20 % and 60 % of the run.  The export cache and Gradio's temp folder are
limited to CACHE_MB each (instead of the defaults) so that the limits are reached and enforced during the run.
Every 10 s: the server's RSS and the size of the
knowledge-base folder (exports included), of the export folder, of Gradio's temp folder and of the corpus folder.
An error is any exception at a client, an event that did not complete successfully, or an `internal error` line in
the server log.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "gold" / "questions.jsonl"
ALL = "全部 / all"
PASSWORD = "soak-admin-password"
SAMPLE_S = 10.0
PAGE_LOAD_EVERY_S = 1.0
CHAT_CLIENTS = 4
CACHE_MB = 20  # export cache and Gradio temp limits during the soak (defaults: 200 and 500 MB)
PLACES = [ALL, "山西省", "忻州市", "介休市"]
UPLOADS = [  # (share of the run, file name, text)
    (
        0.2,
        "soak-upload-1.txt",
        "晋城市人民政府办公室关于焦化企业煤气柜检修的通知\n一、工作目标\n"
        "2031年6月30日前，全市焦化企业必须完成煤气柜检修。\n二、保障措施\n市应急局牵头。\n",
    ),
    (
        0.6,
        "soak-upload-2.txt",
        "长治市人民政府办公室关于焦化企业焦油罐区排查的通知\n一、工作目标\n"
        "2031年9月30日前，全市焦化企业必须完成焦油罐区排查。\n二、保障措施\n市生态环境局牵头。\n",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _du(path: Path) -> int:
    total = 0
    for p in path.rglob("*") if path.exists() else []:
        try:
            if p.is_file() and not p.is_symlink():
                total += p.stat().st_size
        except OSError:
            pass
    return total


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Sample:
    t_s: float
    rss_mb: float
    index_mb: float
    exports_mb: float
    gradio_temp_mb: float
    corpus_mb: float


@dataclass
class Counts:
    chats: int = 0
    searches: int = 0
    exports: int = 0
    page_loads: int = 0
    uploads: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, n: int = 1) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + n)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors.append(what[:300])


def queue_call(base: str, fn_index: int, data: list, timeout: float = 600) -> dict:
    """Run an event through the queue as the browser does; the process_completed message (also used by
    tests/test_reliability.py for page loads)."""
    session = uuid.uuid4().hex
    body = json.dumps(
        {"data": data, "fn_index": fn_index, "session_hash": session, "event_data": None, "trigger_id": None}
    ).encode()
    urllib.request.urlopen(
        urllib.request.Request(f"{base}gradio_api/queue/join", data=body, headers={"Content-Type": "application/json"}),
        timeout=60,
    ).read()
    with urllib.request.urlopen(f"{base}gradio_api/queue/data?session_hash={session}", timeout=timeout) as stream:
        for line in stream:
            text = line.decode("utf-8").strip()
            if text.startswith("data:") and "process_completed" in text:
                return json.loads(text[5:])
    raise RuntimeError("no process_completed message")


def _event_ids(base: str) -> tuple[int, int]:
    """fn_index of the page-load event and of the admin upload event, from the page's config."""
    config = json.load(urllib.request.urlopen(f"{base}config", timeout=30))
    labels = {c["id"]: (c.get("props") or {}).get("label") or "" for c in config["components"]}
    load = next(d["id"] for d in config["dependencies"] if any(t[1] == "load" for t in d["targets"]))
    upload = next(
        d["id"] for d in config["dependencies"] if any("管理员密码" in labels.get(i, "") for i in d["inputs"])
    )
    return load, upload


def _upload(base: str, fn_index: int, name: str, text: str) -> dict:
    boundary = "----soak" + uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + text.encode("utf-8")
        + f"\r\n--{boundary}--\r\n".encode()
    )
    req = urllib.request.Request(
        f"{base}gradio_api/upload",
        data=body,
        method="POST",
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    (path,) = json.load(urllib.request.urlopen(req, timeout=60))
    file = {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}
    return queue_call(base, fn_index, [file, PASSWORD])


# Complexity over 15 on purpose: a driver that interleaves six kinds of request and samples every 10 s; its
# steps share the clock and the counters
def run(minutes: float, fake: bool, workdir: Path) -> dict:  # noqa: C901 (reason above)
    from gradio_client import Client

    corpus, index, gradio_temp = workdir / "corpus", workdir / "index", workdir / "gradio-temp"
    shutil.copytree(ROOT / "corpus", corpus)
    env = dict(os.environ, GRADIO_ANALYTICS_ENABLED="False", PYTHONUNBUFFERED="1")
    if fake:
        env["POLICY_KB_EMBED_MODEL"] = "fake"
    print("building the knowledge base …", file=sys.stderr, flush=True)
    subprocess.run(
        [sys.executable, "-m", "policy_kb.cli", "build", "--corpus", str(corpus), "--index", str(index)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    log_path = workdir / "app.log"
    server_env = dict(
        env,
        POLICY_KB_INDEX=str(index),
        POLICY_KB_CORPUS=str(corpus),
        GRADIO_SERVER_PORT=str(port),
        GRADIO_SERVER_NAME="127.0.0.1",
        POLICY_KB_ADMIN_PASSWORD=PASSWORD,
        GRADIO_TEMP_DIR=str(gradio_temp),
        # caches small enough that their bounds are reached and enforced within the run
        POLICY_KB_EXPORT_CACHE_MB=str(CACHE_MB),
        POLICY_KB_GRADIO_TEMP_MB=str(CACHE_MB),
    )
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")], cwd=workdir, env=server_env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base, timeout=2).read()
                break
            except OSError:
                time.sleep(0.5)
        load_fn, upload_fn = _event_ids(base)
        questions = [json.loads(x)["question"] for x in QUESTIONS.read_text(encoding="utf-8").splitlines() if x.strip()]
        Client(base, verbose=False).predict(questions[0], [], ALL, "2026-12-06", api_name="/chat")  # warm-up
        counts = Counts()
        samples: list[Sample] = []
        started = time.monotonic()
        deadline = started + minutes * 60
        stop = threading.Event()

        def sample() -> None:
            samples.append(
                Sample(
                    round(time.monotonic() - started, 1),
                    round(_rss_mb(proc.pid), 1),
                    round(_du(index) / 2**20, 2),
                    round(_du(index / "exports") / 2**20, 2),
                    round(_du(gradio_temp) / 2**20, 2),
                    round(_du(corpus) / 2**20, 2),
                )
            )

        def guarded(name: str, fn) -> None:  # type: ignore[no-untyped-def]
            while not stop.is_set():
                try:
                    fn()
                except Exception as e:  # counted, and the client goes on
                    counts.error(f"{name}: {type(e).__name__}: {e}")
                    time.sleep(1)

        def chatter(i: int) -> None:
            client = Client(base, verbose=False)
            n = [i * 7]

            def once() -> None:
                q = questions[n[0] % len(questions)]
                n[0] += 1
                history, _ = client.predict(q, [], ALL, "2026-12-06", api_name="/chat")
                if len(history) < 2:
                    raise RuntimeError(f"no answer to {q}")
                counts.add("chats")

            guarded(f"chat{i}", once)

        def searcher() -> None:
            client = Client(base, verbose=False)
            n = [0]

            def once() -> None:
                k = n[0]
                n[0] += 1
                client.predict(
                    questions[k % len(questions)][:30],
                    ["hybrid", "keyword", "semantic"][k % 3],
                    ALL,
                    ALL,
                    None,
                    None,
                    api_name="/search",
                )
                counts.add("searches")
                client.predict(
                    PLACES[k % len(PLACES)],
                    ALL,
                    "",
                    "",
                    "",
                    ALL,
                    ["csv", "json", "jsonl"][k % 3],
                    api_name="/export_obligations",
                )
                counts.add("exports")

            guarded("search", once)

        def page_loader() -> None:
            def once() -> None:
                result = queue_call(base, load_fn, [])
                if not result.get("success"):
                    raise RuntimeError(f"page load failed: {result.get('output')}")
                counts.add("page_loads")
                time.sleep(PAGE_LOAD_EVERY_S)

            guarded("page", once)

        def uploader() -> None:
            for share, name, text in UPLOADS:
                while time.monotonic() < started + share * minutes * 60 and not stop.is_set():
                    time.sleep(0.5)
                try:
                    result = _upload(base, upload_fn, name, text)
                    message = json.dumps(result.get("output"), ensure_ascii=False)
                    if not result.get("success") or "已入库" not in message:
                        raise RuntimeError(message[:300])
                    counts.add("uploads")
                except Exception as e:
                    counts.error(f"upload {name}: {type(e).__name__}: {e}")

        threads = [threading.Thread(target=chatter, args=(i,), daemon=True) for i in range(CHAT_CLIENTS)]
        threads += [threading.Thread(target=f, daemon=True) for f in (searcher, page_loader, uploader)]
        sample()
        for t in threads:
            t.start()
        while time.monotonic() < deadline:
            time.sleep(min(SAMPLE_S, max(0.0, deadline - time.monotonic())))
            sample()
        stop.set()
        for t in threads:
            t.join(timeout=120)
        internal = [ln for ln in log_path.read_text("utf-8", "replace").splitlines() if "internal error" in ln]
        return {
            "minutes": minutes,
            "model": "fake" if fake else "default",
            "counts": {k: getattr(counts, k) for k in ("chats", "searches", "exports", "page_loads", "uploads")},
            "errors": counts.errors,
            "internal_errors_logged": internal,
            "samples": [asdict(s) for s in samples],
        }
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def summary(result: dict) -> str:
    s = result["samples"]
    first, after_warm, last = s[0], s[min(len(s) - 1, 6)], s[-1]  # after_warm: one minute in
    peak = {k: max(x[k] for x in s) for k in ("rss_mb", "exports_mb", "gradio_temp_mb", "index_mb")}
    c = result["counts"]
    return "\n".join(
        [
            f"soak: {result['minutes']:g} min, model {result['model']}",
            f"requests: {c['chats']} chats, {c['searches']} searches, {c['exports']} exports, {c['page_loads']} page "
            f"loads, {c['uploads']} uploads; errors {len(result['errors'])}, internal errors logged "
            f"{len(result['internal_errors_logged'])}",
            f"server RSS MB: start {first['rss_mb']}, at 1 min {after_warm['rss_mb']}, end {last['rss_mb']}, "
            f"peak {peak['rss_mb']}",
            f"knowledge-base folder MB: start {first['index_mb']}, end {last['index_mb']}, peak {peak['index_mb']}",
            f"exports MB: start {first['exports_mb']}, end {last['exports_mb']}, peak {peak['exports_mb']}",
            f"Gradio temp MB: start {first['gradio_temp_mb']}, end {last['gradio_temp_mb']}, "
            f"peak {peak['gradio_temp_mb']}",
            f"corpus MB: start {first['corpus_mb']}, end {last['corpus_mb']}",
            *(f"error: {e}" for e in result["errors"][:10]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--fake", action="store_true", help="hashing embedder instead of the real model")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "soak.json")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="policy-kb-soak-"))
    try:
        result = run(args.minutes, args.fake, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(summary(result))
    sys.exit(1 if result["errors"] or result["internal_errors_logged"] else 0)


if __name__ == "__main__":
    main()
