"""`policy-kb build / docs / clauses`: JSON shapes, document lookup, exit codes, one-line errors, $POLICY_KB_INDEX."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, REGULATION_TXT, ROOT, SEED_IDS

from policy_kb.cli import main

DOC_KEYS = {
    "id",
    "source_file",
    "title",
    "doc_number",
    "issuer",
    "issue_date",
    "jurisdiction",
    "level",
    "cites",
    "clause_count",
    "warnings",
    "effective_date",
    "history",
}
CLAUSE_KEYS = {
    "id",
    "doc_id",
    "parent_id",
    "level",
    "label",
    "path",
    "heading",
    "text",
    "kind",
    "start",
    "end",
    "warnings",
    "spans",
}
SCRIPT = Path(sys.executable).parent / "policy-kb"


@pytest.fixture(autouse=True)
def _fake_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    """`build` also maintains the dense index; these tests do not need the real model."""
    if not os.environ.get("POLICY_KB_EMBED_MODEL"):
        monkeypatch.setenv("POLICY_KB_EMBED_MODEL", "fake")


def cli(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def usage_error(capsys: pytest.CaptureFixture, *argv: str) -> str:
    with pytest.raises(SystemExit) as e:
        main(list(argv))
    assert e.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    return err


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("xinzhou-2022-71-coking-hq.txt", "xinzhou-2022-71-coking-hq.txt.meta.json"):
        shutil.copy(CORPUS / name, corpus / name)
    shutil.copy(REGULATION_TXT, corpus / REGULATION_TXT.name)
    return corpus


# ---- build ------------------------------------------------------------------------------------------------
def test_build_json_report(capsys, small_corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "idx"
    code, out, err = cli(capsys, "build", "--corpus", str(small_corpus), "--index", str(index), "--json")
    assert code == 0
    report = json.loads(out)
    assert set(report) == {
        *("added", "updated", "removed", "unchanged", "errors", "warnings", "seconds"),
        *("workers", "phases", "stage_seconds"),  # issue 18: how the build went
    }
    assert report["added"] == ["jincheng-2024-coking-env-rules", "xinzhou-2022-71-coking-hq"]
    assert report["errors"] == [] and isinstance(report["seconds"], (int, float))
    assert "processing" in err  # progress goes to stderr, never into the JSON
    assert (index / "kb.sqlite").is_file()

    code, out, _ = cli(capsys, "build", "--corpus", str(small_corpus), "--index", str(index), "--json")
    assert code == 0 and json.loads(out)["unchanged"] == ["jincheng-2024-coking-env-rules", "xinzhou-2022-71-coking-hq"]


def test_build_with_a_bad_file(capsys, small_corpus: Path, tmp_path: Path) -> None:
    (small_corpus / "broken.txt").write_bytes(b"\x00\x01\x02\x03" * 64)
    code, out, err = cli(capsys, "build", "--corpus", str(small_corpus), "--index", str(tmp_path / "idx"), "--json")
    assert code == 0
    report = json.loads(out)
    assert report["errors"] == [
        {
            "file": "broken.txt",
            "problem": "binary content in a text file",
            "hint": "convert it to .txt/.docx/.pdf text, or remove it",
        }
    ]
    assert "error: broken.txt: binary content in a text file" in err
    code, _, _ = cli(capsys, "build", "--corpus", str(small_corpus), "--index", str(tmp_path / "idx"), "--strict")
    assert code == 1


def test_build_missing_corpus(capsys, tmp_path: Path) -> None:
    code, out, err = cli(capsys, "build", "--corpus", str(tmp_path / "nope"), "--index", str(tmp_path / "idx"))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: corpus folder") and "does not exist" in err


# ---- docs ----------------------------------------------------------------------------------------------------
def test_docs_json(capsys, seed_index: Path) -> None:
    code, out, err = cli(capsys, "docs", "--json", "--index", str(seed_index))
    assert code == 0 and err == ""
    docs = json.loads(out)
    assert [d["id"] for d in docs] == SEED_IDS
    for d in docs:
        assert set(d) == DOC_KEYS
        assert d["issue_date"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", d["issue_date"])
        assert d["level"] in ("province", "city", "county")
        assert isinstance(d["clause_count"], int) and d["clause_count"] > 0
        assert isinstance(d["warnings"], list) and all(isinstance(w, str) for w in d["warnings"])
        for c in d["cites"]:
            assert set(c) == {"title", "doc_number", "in_corpus"} and isinstance(c["in_corpus"], bool)
    by_id = {d["id"]: d for d in docs}
    assert by_id["sx-2019-66-coking-overcapacity"]["doc_number"] == "晋政办发〔2019〕66号"
    assert by_id["sx-2019-66-coking-overcapacity"]["source_file"] == "000_204efd69bf078b52.txt"
    assert by_id["jiexiu-2023-43m-oven-closure"]["issue_date"] is None
    assert {
        "title": "山西省人民政府办公厅关于推动焦化行业高质量发展的意见",
        "doc_number": "晋政办发〔2022〕51号",
        "in_corpus": False,
    } in by_id["xinzhou-2022-71-coking-hq"]["cites"]


def test_docs_nl_is_the_same_as_json(capsys, seed_index: Path) -> None:
    _, out_json, _ = cli(capsys, "docs", "--json", "--index", str(seed_index))
    code, out_nl, _ = cli(capsys, "docs", "--nl", "--index", str(seed_index))
    assert code == 0
    assert [json.loads(line) for line in out_nl.splitlines()] == json.loads(out_json)


def test_docs_text(capsys, seed_index: Path) -> None:
    code, out, _ = cli(capsys, "docs", "--index", str(seed_index))
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 5
    assert lines[3].split("\t")[:4] == [
        "sx-2019-66-coking-overcapacity",
        "晋政办发〔2019〕66号",
        "2019-08-12",
        "山西省",
    ]
    assert lines[0].split("\t")[1:3] == ["-", "-"]


# ---- clauses -------------------------------------------------------------------------------------------------
def test_clauses_json(capsys, seed_index: Path) -> None:
    code, out, err = cli(capsys, "clauses", "sx-2019-66-coking-overcapacity", "--json", "--index", str(seed_index))
    assert code == 0 and err == ""
    clauses = json.loads(out)
    assert len(clauses) == 25
    assert all(set(c) == CLAUSE_KEYS for c in clauses)
    assert [c["start"] for c in clauses] == sorted(c["start"] for c in clauses)  # document order
    assert clauses[0]["id"] == "sx-2019-66-coking-overcapacity:title" and clauses[0]["kind"] == "title"
    c = next(c for c in clauses if c["id"] == "sx-2019-66-coking-overcapacity:三/（一）")
    assert c == {
        **c,
        "doc_id": "sx-2019-66-coking-overcapacity",
        "parent_id": "sx-2019-66-coking-overcapacity:三",
        "level": 2,
        "label": "（一）",
        "path": ["三、", "（一）"],
        "heading": "进一步夯实各项基础工作",
        "kind": "body",
        "warnings": [],
    }
    assert c["text"].startswith("进一步夯实各项基础工作。\n")
    assert {c["kind"] for c in clauses} == {"title", "preamble", "body", "cc"}
    assert {c["level"] for c in clauses if c["kind"] != "body"} == {0}


@pytest.mark.parametrize(
    "key", ["sx-2019-66-coking-overcapacity", "sx-2019-66-coking-overcapacity.txt", "000_204efd69bf078b52.txt"]
)
def test_clauses_by_id_corpus_file_or_original_name(capsys, seed_index: Path, key: str) -> None:
    code, out, _ = cli(capsys, "clauses", key, "--json", "--index", str(seed_index))
    assert code == 0
    assert {c["doc_id"] for c in json.loads(out)} == {"sx-2019-66-coking-overcapacity"}


def test_clauses_nl_and_text(capsys, seed_index: Path) -> None:
    code, out, _ = cli(capsys, "clauses", "jiexiu-2023-43m-oven-closure", "--nl", "--index", str(seed_index))
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 40 and rows[4]["id"] == "jiexiu-2023-43m-oven-closure:二/（一）"
    code, out, _ = cli(capsys, "clauses", "jiexiu-2023-43m-oven-closure", "--index", str(seed_index))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "[title] 介休市全面关停炭化室高度4.3米焦炉工作方案"
    assert "  二、（一） 关停退出4.3米焦炉 2023年10月31日前" in out
    assert len(lines) == 40


def test_clauses_unknown_document(capsys, seed_index: Path) -> None:
    code, out, err = cli(capsys, "clauses", "no-such-doc", "--json", "--index", str(seed_index))
    assert code == 1 and out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: no document 'no-such-doc'")
    assert "sx-2019-66-coking-overcapacity" in err  # the hint lists the known documents


# ---- usage errors: exit 2 ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["clauses"],
        ["docs", "--json", "--nl"],
        ["docs", "--bogus"],
        ["build", "--strict=yes"],
    ],
    ids=["no-command", "unknown-command", "clauses-without-doc", "json-and-nl", "unknown-option", "bad-flag-value"],
)
def test_usage_errors_exit_2(capsys, seed_index: Path, argv: list[str]) -> None:
    err = usage_error(capsys, *argv)
    last = err.strip().splitlines()[-1]
    assert last.startswith("policy-kb") and "error:" in last


def test_version(capsys) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.startswith("policy-kb ")


# ---- knowledge base missing or unreadable: exit 1, one line ------------------------------------------------------
def test_no_knowledge_base(capsys, tmp_path: Path) -> None:
    for argv in (["docs", "--json"], ["clauses", "x"]):
        code, out, err = cli(capsys, *argv, "--index", str(tmp_path / "empty"))
        assert code == 1 and out == ""
        assert err.count("\n") == 1 and err.startswith("error: no knowledge base at") and "policy-kb build" in err


def test_outdated_knowledge_base(capsys, small_corpus: Path, tmp_path: Path) -> None:
    index = tmp_path / "idx"
    assert cli(capsys, "build", "--corpus", str(small_corpus), "--index", str(index))[0] == 0
    conn = sqlite3.connect(index / "kb.sqlite")
    with conn:
        conn.execute("UPDATE meta SET value='0' WHERE key='schema_version'")
    conn.close()
    code, out, err = cli(capsys, "docs", "--json", "--index", str(index))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "schema" in err and "policy-kb build" in err


def test_unreadable_knowledge_base(capsys, tmp_path: Path) -> None:
    index = tmp_path / "idx"
    index.mkdir()
    (index / "kb.sqlite").write_bytes(b"this is not an sqlite database " * 10)
    code, out, err = cli(capsys, "docs", "--json", "--index", str(index))
    assert code == 1 and out == "" and err.count("\n") == 1 and err.startswith("error:")


# ---- $POLICY_KB_INDEX ----------------------------------------------------------------------------------------
def test_env_index_is_used_by_docs_and_clauses(capsys, seed_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_KB_INDEX", str(seed_index))
    code, out, _ = cli(capsys, "docs", "--json")
    assert code == 0 and [d["id"] for d in json.loads(out)] == SEED_IDS
    code, out, _ = cli(capsys, "clauses", "004_6aa54889348ae804.txt", "--json")
    assert code == 0 and len(json.loads(out)) == 62


def test_env_index_is_used_by_build(
    capsys, small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = tmp_path / "from-env"
    monkeypatch.setenv("POLICY_KB_INDEX", str(index))
    code, _, _ = cli(capsys, "build", "--corpus", str(small_corpus))
    assert code == 0 and (index / "kb.sqlite").is_file()


def test_index_option_beats_the_env(capsys, seed_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICY_KB_INDEX", str(tmp_path / "nothing-here"))
    code, out, _ = cli(capsys, "docs", "--json", "--index", str(seed_index))
    assert code == 0 and len(json.loads(out)) == 5


# ---- the installed console script, as a real process -------------------------------------------------------------
def _run(args: list[str], index: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "POLICY_KB_INDEX"}
    env.setdefault("POLICY_KB_EMBED_MODEL", "fake")
    if index is not None:
        env["POLICY_KB_INDEX"] = str(index)
    return subprocess.run(args, capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT, timeout=60)


def test_console_script(seed_index: Path) -> None:
    exe = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "policy_kb.cli"]
    done = _run([*exe, "docs", "--json"], index=seed_index)
    assert done.returncode == 0, done.stderr
    assert [d["id"] for d in json.loads(done.stdout)] == SEED_IDS

    done = _run([*exe, "clauses", "003_6f8313e9d6086578.txt", "--json", "--index", str(seed_index)])
    assert done.returncode == 0
    assert len(json.loads(done.stdout)) == 83

    done = _run([*exe, "clauses", "nope", "--index", str(seed_index)])
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: no document 'nope'")

    done = _run(exe)
    assert done.returncode == 2 and "error:" in done.stderr


def test_python_m_entry_point(seed_index: Path) -> None:
    done = _run([sys.executable, "-m", "policy_kb.cli", "docs", "--nl", "--index", str(seed_index)])
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 5
