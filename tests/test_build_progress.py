"""Progress of the long phases of a build: no phase of a large build is silent (issue 18)."""

from __future__ import annotations

from pathlib import Path

from conftest import CORPUS

from policy_kb.build import PROGRESS_EVERY, Ticker


def test_ticker_reports_at_most_every_interval_and_at_the_end() -> None:
    now = [0.0]
    lines: list[str] = []
    tick = Ticker(lines.append, "storing documents", 100, clock=lambda: now[0])
    for done in range(1, 101):
        now[0] += 0.5  # 2 documents a second: 50 s in all
        tick(done)
    assert len(lines) == int(50 / PROGRESS_EVERY)  # one line per interval, the last one at 100/100
    assert lines[0] == "storing documents: 10/100 (2.0/s, about 45 s left)"
    assert lines[-1] == "storing documents: 100/100 (2.0/s)"


def test_a_build_reports_every_phase_with_its_time(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from policy_kb.pipeline import build_all

    monkeypatch.setenv("POLICY_KB_EMBED_MODEL", "fake")
    lines: list[str] = []
    report = build_all(CORPUS, tmp_path / "index", progress=lines.append)
    assert not report.errors
    n = len(report.added)
    storing = [line for line in lines if line.startswith("parsing, extraction and storing")]
    assert storing and storing[-1].startswith(f"parsing, extraction and storing: {n}/{n} ")
    names = [p.name for p in report.phases]
    assert names == [
        "checking files",
        "parsing, extraction and storing",
        "commit",
        "loading the embedding model",
        "reading passages",
        "looking up cached vectors",
        "embedding passages",
        "building the dense index",
        "writing the dense index",
    ]
    assert all(p.seconds >= 0 for p in report.phases)
    assert report.phases[1].count == n and report.phases[0].count == n
    embedding = [line for line in lines if line.startswith("embedding passages")]
    assert embedding and "/" in embedding[-1]  # a count, not one line per batch
    assert not any(line.startswith("embedding clauses") for line in lines)


def test_a_slow_phase_without_a_count_still_reports(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """No phase is silent for more than PROGRESS_EVERY (+ the heartbeat's half interval): a phase that cannot
    count (training an index, a commit) gets a heartbeat line; a counted one whose item is slow repeats its count."""
    import itertools
    import time

    from policy_kb import progress

    monkeypatch.setattr(progress, "PROGRESS_EVERY", 0.2)
    stamped: list[tuple[float, str]] = []
    phases = progress.Phases(lambda m: stamped.append((time.monotonic(), m)), bars=False)
    start = time.monotonic()
    with phases.phase("training the index"):
        time.sleep(1.0)
    with phases.phase("encoding", 3) as tick:
        tick(1)
        time.sleep(1.0)  # one slow batch
        tick(3)
    beats = [m for _, m in stamped if m.startswith("training the index: running")]
    assert len(beats) >= 3
    counted = [m for _, m in stamped if m.startswith("encoding: ")]
    assert counted[-1].startswith("encoding: 3/3") and sum(m.startswith("encoding: 1/3") for m in counted) >= 3
    times = [start] + [t for t, _ in stamped] + [time.monotonic()]
    assert max(b - a for a, b in itertools.pairwise(times)) < 0.2 * 1.5 + 0.15
    assert [(p.name, p.count) for p in phases.timings] == [("training the index", None), ("encoding", 3)]
    assert phases.timings[0].seconds >= 1.0


def test_build_json_has_the_phases_and_workers(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import json
    import shutil

    from policy_kb.cli import main

    monkeypatch.setenv("POLICY_KB_EMBED_MODEL", "fake")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("jiexiu-2023-43m-oven-closure.txt", "jiexiu-2023-43m-oven-closure.txt.meta.json"):
        shutil.copy(CORPUS / name, corpus / name)
    code = main(["build", "--corpus", str(corpus), "--index", str(tmp_path / "idx"), "--json", "--workers", "3"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["added"] == ["jiexiu-2023-43m-oven-closure"] and out["workers"] == 3
    assert [p["name"] for p in out["phases"]][:3] == ["checking files", "parsing, extraction and storing", "commit"]
    assert out["phases"][1]["count"] == 1 and out["phases"][1]["seconds"] > 0
    assert set(out["stage_seconds"]) == {"load", "clean and clauses", "extraction", "keyword tokens", "store"}


def test_bars_on_a_terminal_lines_elsewhere(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import io

    from policy_kb import progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    err = Tty()
    monkeypatch.setattr(progress.sys, "stderr", err)
    phases = progress.Phases()  # messages to stderr, which is a terminal: a tqdm bar
    with phases.phase("storing", 4) as tick:
        phases.say("warning: x.txt: something")
        for i in range(1, 5):
            tick(i)
    shown = err.getvalue()
    assert "storing" in shown and "4/4" in shown and "warning: x.txt: something" in shown
    assert progress.Phases(lambda m: None).bars is False  # a callback (the web app, a log) gets plain lines


def test_short_phases_in_a_row_do_not_add_up_to_a_silence(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A commit, reading passages and a cache lookup, each shorter than the interval, back to back: the heartbeat
    counts from the last line of any phase (the real corpus had 13 s of silence this way)."""
    import itertools
    import time

    from policy_kb import progress

    monkeypatch.setattr(progress, "PROGRESS_EVERY", 0.2)
    stamped: list[float] = []
    phases = progress.Phases(lambda m: stamped.append(time.monotonic()), bars=False)
    start = time.monotonic()
    for name in ("commit", "reading passages", "looking up cached vectors", "building the index"):
        with phases.phase(name):
            time.sleep(0.15)
    times = [start, *stamped, time.monotonic()]
    assert len(stamped) >= 2
    assert max(b - a for a, b in itertools.pairwise(times)) < 0.2 + 0.05 + 0.1
