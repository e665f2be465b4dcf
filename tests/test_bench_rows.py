"""The benchmark page's ratio column: a target is a ceiling for times, a floor for recall and throughput."""

from __future__ import annotations

import pytest

from benchmarks.common import Row

# fmt: off
MEETS_TARGET_CASES = [
    (Row("latency", 40.0, unit="ms", target=50.0), True),
    (Row("latency", 60.0, unit="ms", target=50.0), False),
    (Row("ANN recall", 0.998, unit="recall", target=0.95), True),   # shown as ✗ before issue 17
    (Row("ANN recall", 0.90, unit="recall", target=0.95), False),
    (Row("encoding", 140.0, unit="passages/s", target=130.0), True),
    (Row("speed-up", 2.1, unit="×", target=2.5), False),
    (Row("custom", 3.0, unit="points", target=2.0, higher_is_better=True), True),
    (Row("no target", 3.0, unit="ms"), None),
]
# fmt: on


@pytest.mark.parametrize("row, meets", MEETS_TARGET_CASES)
def test_meets_target(row: Row, meets: bool | None) -> None:
    assert row.meets_target is meets


def test_direction_survives_a_round_trip() -> None:
    row = Row("custom", 3.0, unit="points", target=2.0, higher_is_better=True)
    assert Row.from_dict(row.to_dict()).meets_target is True
