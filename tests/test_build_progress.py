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


def test_a_build_reports_the_storing_phase(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from policy_kb.pipeline import build_all

    monkeypatch.setenv("POLICY_KB_EMBED_MODEL", "fake")
    lines: list[str] = []
    report = build_all(CORPUS, tmp_path / "index", progress=lines.append)
    assert not report.errors
    storing = [line for line in lines if line.startswith("storing documents")]
    assert storing and storing[-1].startswith(
        f"storing documents (clauses, obligations, keyword index): {len(report.added)}/{len(report.added)} "
    )
