"""`policy-kb ask` and `policy-kb eval answers` through `policy_kb.cli.main`: the JSON interface, batch mode (JSON
Lines, one object per input line in order), exit codes and one-line errors.  Uses the shared ``seed_index`` (fake
embedder) read-only; batch and gold files are written to tmp dirs.
"""

from __future__ import annotations

import io
import json
import os
from datetime import date
from pathlib import Path

import pytest
from conftest import CITATION_KEYS, INTERFACE_KEYS

from policy_kb.cli import main

AS_OF = "2026-11-23"
Q_JIEXIU = "我们厂在介休，4.3米焦炉最晚什么时候关？"
Q_EN = "When must 4.3 m coke ovens in Jiexiu be shut down?"
Q_BEIJING = "北京市焦化企业关停有什么规定？"
JIEXIU_CLOSURE = "jiexiu-2023-43m-oven-closure:二/（一）"
METRIC_KEYS = {
    "fact_recall",
    "citation_support",
    "unanswerable_accuracy",
    "answered_rate",
    "max_extra_citations",
    "over_two_extra",
    "citation_precision",
    "chars_per_citation",
    "refused_for_missing_word",
}
GOLD = Path(__file__).resolve().parent / "gold" / "questions.jsonl"


@pytest.fixture(autouse=True)
def _fake_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI loads the embedder named by $POLICY_KB_EMBED_MODEL; the seed index is built with the fake one."""
    if not os.environ.get("POLICY_KB_EMBED_MODEL"):
        monkeypatch.setenv("POLICY_KB_EMBED_MODEL", "fake")


def cli(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def error_line(err: str) -> str:
    """The one error line (jieba may log its dictionary loading to stderr before it)."""
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture(scope="module")
def direct(seed_index: Path):  # type: ignore[no-untyped-def]
    """The same answers computed in-process with Answerer, to compare with what the CLI prints."""
    from policy_kb.answer.compose import Answerer

    a = Answerer(seed_index, embedder_name=os.environ.get("POLICY_KB_EMBED_MODEL") or "fake")
    yield a
    a.store.close()


# ---- single question --------------------------------------------------------------------------------------------
def test_ask_json(capsys, seed_index: Path, direct) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(capsys, "ask", Q_JIEXIU, "--json", "--as-of", AS_OF, "--index", str(seed_index))
    assert code == 0
    assert out.endswith("}\n")
    d = json.loads(out)
    assert set(d) == INTERFACE_KEYS
    assert (d["question"], d["language"], d["intent"], d["jurisdiction"], d["status"], d["as_of"], d["warnings"]) == (
        Q_JIEXIU,
        "zh",
        "deadline",
        "介休市",
        "answered",
        AS_OF,
        [],
    )
    assert all(set(c) == CITATION_KEYS for c in d["citations"])
    first = d["citations"][0]
    assert (
        first["n"],
        first["clause_id"],
        first["doc_id"],
        first["doc_title"],
        first["doc_number"],
        first["jurisdiction"],
        first["path"],
    ) == (
        1,
        JIEXIU_CLOSURE,
        "jiexiu-2023-43m-oven-closure",
        "介休市全面关停炭化室高度4.3米焦炉工作方案",
        None,
        "介休市",
        ["二、", "（一）"],
    )
    assert first["text"].startswith("关停退出4.3米焦炉\n2023年10月31日前，全面关停退出")
    assert "2023年10月31日" in d["answer"] and "[1]〔截止 2023-10-31，已过期 1119 天〕" in d["answer"]
    assert f"{JIEXIU_CLOSURE}#1" in d["obligations"]
    assert "status:" not in err
    # exactly what the library returns
    assert d == direct.ask(Q_JIEXIU, None, date(2026, 11, 23)).to_dict()


def test_ask_json_with_jurisdiction(capsys, seed_index: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli(
        capsys,
        "ask",
        "我的4.3米焦炉什么时候必须关停？",
        "--jurisdiction",
        "忻州市",
        "--json",
        "--as-of",
        AS_OF,
        "--index",
        str(seed_index),
    )
    assert code == 0
    d = json.loads(out)
    assert (d["jurisdiction"], d["status"]) == ("忻州市", "answered")
    assert "2023年底前" in d["answer"]
    assert not any(c["doc_id"] == "jiexiu-2023-43m-oven-closure" for c in d["citations"])


def test_ask_nl_is_one_line(capsys, seed_index: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli(capsys, "ask", Q_EN, "--nl", "--as-of", AS_OF, "--index", str(seed_index))
    assert code == 0
    assert out.count("\n") == 1
    d = json.loads(out)
    assert (d["language"], d["status"], d["citations"][0]["clause_id"]) == ("en", "answered", JIEXIU_CLOSURE)
    assert "〔due 2023-10-31: passed 1119 days ago〕" in d["answer"]


def test_ask_text_output(capsys, seed_index: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(capsys, "ask", Q_JIEXIU, "--as-of", AS_OF, "--index", str(seed_index))
    assert code == 0
    answer, _, refs = out.rpartition("\n\n")  # the answer has blank lines of its own, before each place heading
    assert "[1]〔截止 2023-10-31，已过期 1119 天〕" in answer
    assert refs.splitlines()[0] == f"[1] 介休市全面关停炭化室高度4.3米焦炉工作方案 二、（一）  ({JIEXIU_CLOSURE})"
    assert "status:" not in err


def test_ask_text_not_found_status_on_stderr(capsys, seed_index: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(capsys, "ask", Q_BEIJING, "--as-of", AS_OF, "--index", str(seed_index))
    assert code == 0
    assert out.splitlines()[0] == "知识库中没有北京市的政策文件（现有文件覆盖：介休市、山西省、忻州市）。"
    assert "status: not_found" in err


def test_ask_as_of_changes_status(capsys, seed_index: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = cli(capsys, "ask", Q_JIEXIU, "--json", "--as-of", "2023-01-01", "--index", str(seed_index))
    assert code == 0
    d = json.loads(out)
    assert d["as_of"] == "2023-01-01"
    assert "[1]〔截止 2023-10-31，还剩 303 天〕" in d["answer"]


# ---- batch ------------------------------------------------------------------------------------------------------
BATCH = [Q_JIEXIU, "", Q_EN, Q_BEIJING, "晋政办发〔2022〕51号规定了哪些内容？"]


def _batch_file(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "questions.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ask_batch_one_object_per_line_in_order(capsys, seed_index: Path, tmp_path: Path, direct) -> None:  # type: ignore[no-untyped-def]
    path = _batch_file(tmp_path, BATCH)
    code, out, _ = cli(capsys, "ask", "--batch", str(path), "--nl", "--as-of", AS_OF, "--index", str(seed_index))
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == len(BATCH) == len(out.splitlines())
    assert [r["question"] for r in rows] == BATCH
    assert [r["status"] for r in rows] == ["answered", "not_found", "answered", "not_found", "not_found"]
    assert {k: rows[1][k] for k in ("question", "status", "answer", "citations")} == {
        "question": "",
        "status": "not_found",
        "answer": "",
        "citations": [],
    }
    for q, row in zip(BATCH, rows):
        if q:
            assert set(row) == INTERFACE_KEYS
            assert row == direct.ask(q, None, date(2026, 11, 23)).to_dict()
    assert rows[0]["citations"][0]["clause_id"] == JIEXIU_CLOSURE
    assert rows[2]["language"] == "en"
    assert "未收录" in rows[4]["answer"]


def test_ask_batch_empty_line_has_the_full_interface(capsys, seed_index: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _batch_file(tmp_path, ["", "   "])
    code, out, _ = cli(capsys, "ask", "--batch", str(path), "--nl", "--as-of", AS_OF, "--index", str(seed_index))
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["question"] for r in rows] == ["", "   "]
    for row in rows:
        assert set(row) == INTERFACE_KEYS
        assert row["as_of"] == AS_OF
        assert (row["status"], row["answer"], row["citations"], row["warnings"]) == (
            "not_found",
            "",
            [],
            ["empty question"],
        )


def test_ask_batch_blank_lines_keep_their_place(capsys, seed_index: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _batch_file(tmp_path, ["", "   ", Q_BEIJING, ""])
    code, out, _ = cli(capsys, "ask", "--batch", str(path), "--as-of", AS_OF, "--index", str(seed_index))
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["question"] for r in rows] == ["", "   ", Q_BEIJING, ""]
    assert all(r["status"] == "not_found" for r in rows)


def test_ask_batch_jurisdiction_applies_to_every_line(capsys, seed_index: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _batch_file(tmp_path, ["我的4.3米焦炉什么时候必须关停？", "4.3米焦炉啥时候关"])
    code, out, _ = cli(
        capsys, "ask", "--batch", str(path), "--jurisdiction", "忻州市", "--as-of", AS_OF, "--index", str(seed_index)
    )
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["jurisdiction"] for r in rows] == ["忻州市", "忻州市"]
    assert all("2023年底前" in r["answer"] for r in rows)


def test_ask_batch_from_stdin(capsys, monkeypatch: pytest.MonkeyPatch, seed_index: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{Q_JIEXIU}\n\n{Q_BEIJING}\n"))
    code, out, _ = cli(capsys, "ask", "--batch", "-", "--as-of", AS_OF, "--index", str(seed_index))
    assert code == 0
    assert [json.loads(line)["question"] for line in out.splitlines()] == [Q_JIEXIU, "", Q_BEIJING]


# ---- errors -----------------------------------------------------------------------------------------------------
def test_question_and_batch_together_is_an_error(capsys, seed_index: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _batch_file(tmp_path, [Q_JIEXIU])
    code, out, err = cli(capsys, "ask", Q_JIEXIU, "--batch", str(path), "--index", str(seed_index))
    assert code == 1
    assert out == ""
    assert (
        error_line(err)
        == "error: give either a QUESTION or --batch FILE (e.g. policy-kb ask 介休4.3米焦炉什么时候关停)"
    )


def test_neither_question_nor_batch_is_an_error(capsys, seed_index: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(capsys, "ask", "--index", str(seed_index))
    assert code == 1
    assert out == ""
    assert error_line(err).startswith("error: give either a QUESTION or --batch FILE")


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "2026/11/23", "23.11.2026"])
def test_bad_as_of_is_a_one_line_error(capsys, seed_index: Path, value: str) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(capsys, "ask", Q_JIEXIU, "--json", "--as-of", value, "--index", str(seed_index))
    assert code == 1
    assert out == ""
    assert err.strip().splitlines()[-1] == f"error: --as-of must be a date like 2026-01-31, got '{value}'"
    assert error_line(err)


def test_missing_batch_file_is_a_one_line_error(capsys, seed_index: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(capsys, "ask", "--batch", str(tmp_path / "none.txt"), "--index", str(seed_index))
    assert code == 1
    assert out == ""
    assert "none.txt" in error_line(err)


def test_missing_index_is_a_one_line_error(capsys, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out, err = cli(capsys, "ask", Q_JIEXIU, "--index", str(tmp_path / "no-kb"))
    assert code == 1
    assert out == ""
    assert error_line(err).startswith("error: no knowledge base at ")
    assert not (tmp_path / "no-kb").exists()  # asking never creates a knowledge base


# ---- eval answers -----------------------------------------------------------------------------------------------
@pytest.fixture
def small_gold(tmp_path: Path) -> tuple[Path, list[dict]]:
    keep = {"q001", "q004", "q039", "q102", "q105", "q107"}
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["id"] in keep]
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path, rows


def test_eval_answers_json(capsys, seed_index: Path, small_gold, direct) -> None:  # type: ignore[no-untyped-def]
    from policy_kb.evaluation.answers import evaluate

    path, rows = small_gold
    code, out, _ = cli(
        capsys, "eval", "answers", "--json", "--gold", str(path), "--as-of", AS_OF, "--index", str(seed_index)
    )
    assert code == 0
    metrics = json.loads(out)
    assert set(metrics) == METRIC_KEYS
    # 3 answerable questions, all facts found, all answers pass the check; 3 unanswerable, none answered
    assert (
        metrics["fact_recall"],
        metrics["citation_support"],
        metrics["unanswerable_accuracy"],
        metrics["answered_rate"],
    ) == (1.0, 1.0, 1.0, 1.0)
    assert isinstance(metrics["max_extra_citations"], int) and isinstance(metrics["over_two_extra"], int)
    report = evaluate(direct, rows, date(2026, 11, 23))
    assert metrics == {k: v for k, v in report.__dict__.items() if k not in ("failures", "causes")}


def test_eval_answers_table(capsys, seed_index: Path, small_gold) -> None:  # type: ignore[no-untyped-def]
    path, _ = small_gold
    code, out, _ = cli(
        capsys, "eval", "answers", "--gold", str(path), "--as-of", AS_OF, "-v", "--index", str(seed_index)
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "fact recall            1.000"
    assert lines[1] == "citation support       1.000"
    assert lines[2] == "unanswerable accuracy  1.000"
    assert lines[3] == "answered (answerable)  1.000"
    assert "failures:" in lines


def test_eval_answers_bad_as_of(capsys, seed_index: Path, small_gold) -> None:  # type: ignore[no-untyped-def]
    path, _ = small_gold
    code, out, err = cli(
        capsys, "eval", "answers", "--json", "--gold", str(path), "--as-of", "soon", "--index", str(seed_index)
    )
    assert code == 1
    assert out == ""
    assert error_line(err) == "error: --as-of must be a date like 2026-01-31, got 'soon'"


def test_ask_batch_conversation_lines(capsys, monkeypatch, seed_index: Path) -> None:  # type: ignore[no-untyped-def]
    import io

    lines = [
        Q_JIEXIU,
        json.dumps({"question": "那忻州呢？", "history": [Q_JIEXIU]}, ensure_ascii=False),
        json.dumps({"question": "那忻州呢？", "history": []}, ensure_ascii=False),
    ]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    code, out, _ = cli(capsys, "ask", "--batch", "-", "--as-of", AS_OF, "--index", str(seed_index))
    assert code == 0
    first, follow_up, alone = (json.loads(line) for line in out.splitlines())
    assert "2023年10月31日" in first["answer"]
    assert follow_up["question"] == "那忻州呢？" and follow_up["jurisdiction"] == "忻州市"
    assert follow_up["intent"] == "deadline" and "2023年底前" in follow_up["answer"]
    assert alone["intent"] != "deadline" or "2023年底前" not in alone["answer"]  # no history: nothing to inherit


def test_ask_batch_bad_json_line(capsys, monkeypatch, seed_index: Path) -> None:  # type: ignore[no-untyped-def]
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO('{"history": ["x"]}\n'))
    code, _, err = cli(capsys, "ask", "--batch", "-", "--index", str(seed_index))
    assert code == 1 and "'question' field" in err
