"""`policy-kb export obligations`: JSON / JSON Lines / CSV against the shipped schemas, and the filters.

All exports run through ``policy_kb.cli.main`` on the session's seed knowledge base (``seed_index`` from conftest).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path

import pytest

from policy_kb.cli import main
from policy_kb.export import SCHEMA_DIR, csv_fields

JIEXIU = "jiexiu-2023-43m-oven-closure"
XINZHOU = "xinzhou-2022-71-coking-hq"
OBLIGATION_SCHEMA = json.loads((SCHEMA_DIR / "obligation.schema.json").read_text(encoding="utf-8"))
PACKAGE = json.loads((SCHEMA_DIR / "datapackage.json").read_text(encoding="utf-8"))
TABLE_SCHEMA = PACKAGE["resources"][0]["schema"]


def export(index: Path, out: Path, fmt: str, *filters: str) -> int:
    return main(["export", "obligations", "--format", fmt, "-o", str(out), "--index", str(index), *filters])


def _no_constants(name: str):  # NaN / Infinity are not JSON
    raise ValueError(f"non-standard JSON constant {name}")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line, parse_constant=_no_constants) for line in path.read_text(encoding="utf-8").splitlines()]


def filtered(index: Path, tmp_path: Path, *filters: str) -> list[dict]:
    out = tmp_path / "filtered.jsonl"
    assert export(index, out, "jsonl", *filters) == 0
    return read_jsonl(out)


@pytest.fixture(scope="module")
def exports(seed_index: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The unfiltered export in each format, written once."""
    d = tmp_path_factory.mktemp("export")
    paths = {}
    for fmt in ("json", "jsonl", "csv"):
        paths[fmt] = d / f"obligations.{fmt}"
        assert export(seed_index, paths[fmt], fmt) == 0
    return paths


@pytest.fixture(scope="module")
def all_records(exports: dict[str, Path]) -> list[dict]:
    return json.loads(exports["json"].read_text(encoding="utf-8"), parse_constant=_no_constants)


# ---- JSON and JSON Lines -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def validator():
    jsonschema = pytest.importorskip("jsonschema")
    cls = jsonschema.Draft202012Validator
    cls.check_schema(OBLIGATION_SCHEMA)
    return cls(OBLIGATION_SCHEMA, format_checker=cls.FORMAT_CHECKER)


def _errors(validator, record: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(record)]


def test_json_export_validates_against_schema(all_records: list[dict], validator) -> None:
    assert isinstance(all_records, list) and len(all_records) > 300
    for r in all_records:
        assert _errors(validator, r) == [], r["id"]


def test_jsonl_export_validates_and_matches_json(exports: dict[str, Path], all_records: list[dict], validator) -> None:
    lines = read_jsonl(exports["jsonl"])
    for r in lines:
        assert _errors(validator, r) == [], r["id"]
    assert lines == all_records


def test_schema_rejects_a_broken_record(all_records: list[dict], validator) -> None:
    bad = dict(all_records[0], modality="should", id="no-hash")
    bad["deadline"] = {"text": "x", "date": "2023-02-30", "precision": "day", "kind": "by"}
    messages = " ".join(_errors(validator, bad))
    assert "modality" in messages and "id" in messages and "deadline" in messages


def test_json_record_values(all_records: list[dict]) -> None:
    by_id = {r["id"]: r for r in all_records}
    r = by_id[f"{JIEXIU}:二/（一）#1"]
    assert r["doc_file"] == "002_cde291389bb8d52b.txt" and r["doc_number"] is None and r["jurisdiction"] == "介休市"
    assert r["clause_path"] == ["二、", "（一）"]
    assert r["deadline"] == {"text": "2023年10月31日前", "date": "2023-10-31", "precision": "day", "kind": "by"}
    city = by_id["sx-2019-66-coking-overcapacity:三/（四）#1"]
    assert city["thresholds"][0] == {
        "metric": "压减",
        "comparator": "=",
        "value": 429,
        "unit": "万吨",
        "text": "429万吨",
        "scope": "太原市",
    }


def test_json_to_stdout(seed_index: Path, capsys: pytest.CaptureFixture[str], all_records: list[dict]) -> None:
    assert main(["export", "obligations", "--format", "json", "--index", str(seed_index), "--doc", JIEXIU]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out == [r for r in all_records if r["doc_id"] == JIEXIU]


def test_output_file_message_and_no_temp_left(
    seed_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "o.json"
    assert export(seed_index, out, "json", "--doc", JIEXIU) == 0
    err = capsys.readouterr().err
    assert err.strip() == f"wrote {len(json.loads(out.read_text(encoding='utf-8')))} obligations to {out}"
    assert [p.name for p in tmp_path.iterdir()] == ["o.json"]


# ---- CSV ----------------------------------------------------------------------------------------------------------
def validate_table(rows: list[dict[str, str]], schema: dict) -> list[str]:
    """A small Frictionless Table Schema check: required, enum, date format, unique and primary key."""
    errors: list[str] = []
    missing = set(schema.get("missingValues", [""]))
    seen: dict[str, set[str]] = {}
    for n, row in enumerate(rows, 2):
        for f in schema["fields"]:
            name, value, cons = f["name"], row.get(f["name"]), f.get("constraints", {})
            if value is None:
                errors.append(f"row {n}: column {name} missing")
                continue
            if value in missing:
                if cons.get("required"):
                    errors.append(f"row {n}: {name} is required")
                continue
            if "enum" in cons and value not in cons["enum"]:
                errors.append(f"row {n}: {name}={value!r} not in {cons['enum']}")
            if f["type"] == "date":
                fmt = f.get("format", "default")
                fmt = "%Y-%m-%d" if fmt in ("default", "any") else fmt
                try:
                    datetime.datetime.strptime(value, fmt)
                except ValueError:
                    errors.append(f"row {n}: {name}={value!r} is not a date ({fmt})")
            if cons.get("unique"):
                if value in seen.setdefault(name, set()):
                    errors.append(f"row {n}: {name}={value!r} not unique")
                seen[name].add(value)
        key = tuple(row.get(k) for k in schema.get("primaryKey", []))
        if key:
            if key in seen.setdefault("\0pk", set()):  # type: ignore[arg-type]
                errors.append(f"row {n}: primary key {key} not unique")
            seen["\0pk"].add(key)  # type: ignore[arg-type]
    return errors


def test_table_validator_catches_errors() -> None:
    schema = {
        "primaryKey": ["id"],
        "fields": [
            {"name": "id", "type": "string", "constraints": {"required": True, "unique": True}},
            {"name": "m", "type": "string", "constraints": {"enum": ["a", "b"]}},
            {"name": "d", "type": "date", "format": "%Y-%m-%d"},
        ],
    }
    rows = [
        {"id": "1", "m": "a", "d": "2023-01-31"},
        {"id": "1", "m": "c", "d": "2023-02-30"},
        {"id": "", "m": "", "d": ""},
    ]
    errors = validate_table(rows, schema)
    assert any("not unique" in e for e in errors) and any("not in" in e for e in errors)
    assert any("not a date" in e for e in errors) and any("required" in e for e in errors)
    assert validate_table(rows[:1], schema) == []


@pytest.fixture(scope="module")
def csv_rows(exports: dict[str, Path]) -> list[dict[str, str]]:
    with exports["csv"].open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_csv_starts_with_bom_and_header_is_the_datapackage(exports: dict[str, Path]) -> None:
    raw = exports["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert header == [f["name"] for f in TABLE_SCHEMA["fields"]] == csv_fields()
    assert PACKAGE["resources"][0]["encoding"] == "utf-8-sig"
    assert b"\r\n" in raw  # Excel-friendly line ends


def test_csv_rows_validate_against_table_schema(csv_rows: list[dict[str, str]], all_records: list[dict]) -> None:
    assert validate_table(csv_rows, TABLE_SCHEMA) == []
    assert [r["id"] for r in csv_rows] == [r["id"] for r in all_records]


def test_csv_reads_back_chinese(csv_rows: list[dict[str, str]]) -> None:
    by_id = {r["id"]: r for r in csv_rows}
    r = by_id[f"{JIEXIU}:六/2#1"]
    assert r["text"].startswith("负责制定气源、热源替代方案")
    assert r["departments_responsible"] == "市住房和城乡建设局"
    assert r["clause_path"] == "六、2."
    assert r["jurisdiction"] == "介休市" and r["deadline_date"] == "" and r["doc_number"] == ""
    b = by_id["sx-2019-39-blue-sky-2019:三/（一）/2#4"]
    assert (b["deadline_text"], b["deadline_date"], b["deadline_precision"], b["deadline_kind"]) == (
        "2019年6月底前",
        "2019-06-30",
        "month",
        "by",
    )
    assert b["departments_lead"] == "省工业和信息化厅"
    assert b["departments_cooperate"] == "省发展和改革委员会；省国有资产监督管理委员会；省能源局"
    assert b["departments_implement"] == "市县政府"
    assert b["doc_number"] == "晋政办发〔2019〕39号"
    city = by_id["sx-2019-66-coking-overcapacity:三/（四）#1"]["thresholds"].split("；")
    assert len(city) == 9 and city[0] == "压减 = 429 万吨（太原市）" and city[-1] == "压减 = 325 万吨（运城市）"
    price = by_id["sx-2019-66-coking-overcapacity:四/（一）#3"]["thresholds"]
    assert price == "= 30 元/吨"


def test_csv_opens_in_a_spreadsheet_reader(exports: dict[str, Path], all_records: list[dict]) -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.read_csv(exports["csv"], encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == csv_fields()
    assert len(frame) == len(all_records)
    assert frame["id"].is_unique
    assert frame.loc[frame["id"] == f"{JIEXIU}:二/（一）#1", "deadline_date"].item() == "2023-10-31"


# ---- filters -------------------------------------------------------------------------------------------------------
def test_filter_jurisdiction_includes_places_above(seed_index: Path, tmp_path: Path, all_records: list[dict]) -> None:
    rows = filtered(seed_index, tmp_path, "--jurisdiction", "介休市")
    assert {r["jurisdiction"] for r in rows} == {"介休市", "晋中市", "山西省"}
    expected = [r["id"] for r in all_records if r["jurisdiction"] in ("介休市", "晋中市", "山西省")]
    assert [r["id"] for r in rows] == expected
    assert not any(r["doc_id"] == XINZHOU for r in rows)


@pytest.mark.parametrize("key", [JIEXIU, "002_cde291389bb8d52b.txt", f"{JIEXIU}.txt"], ids=["id", "source", "corpus"])
def test_filter_doc(seed_index: Path, tmp_path: Path, all_records: list[dict], key: str) -> None:
    rows = filtered(seed_index, tmp_path, "--doc", key)
    assert rows and [r["id"] for r in rows] == [r["id"] for r in all_records if r["doc_id"] == JIEXIU]


def test_filter_department_abbreviation_matches_canonical(
    seed_index: Path, tmp_path: Path, all_records: list[dict]
) -> None:
    short = filtered(seed_index, tmp_path, "--department", "市工信局")
    canonical = filtered(seed_index, tmp_path, "--department", "市工业和信息化局")
    assert short == canonical
    ids = {r["id"] for r in short}
    assert {f"{JIEXIU}:六/1#1", f"{XINZHOU}:二/（一）#1"} <= ids
    for r in short:
        assert any("市工业和信息化局" in n for names in r["departments"].values() for n in names), r["id"]
    expected = {
        r["id"]
        for r in all_records
        if any("市工业和信息化局" in n for names in r["departments"].values() for n in names)
    }
    assert ids == expected


def test_filter_due_dates(seed_index: Path, tmp_path: Path, all_records: list[dict]) -> None:
    rows = filtered(seed_index, tmp_path, "--due-before", "2023-10-31", "--due-after", "2023-01-01")
    assert [r["id"] for r in rows] == [
        f"{JIEXIU}:二/（一）#1",
        f"{JIEXIU}:二/（二）#1",
        f"{JIEXIU}:二/（三）#1",
        f"{JIEXIU}:五/（二）#1",
        f"{JIEXIU}:五/（四）#2",
    ]
    assert all("2023-01-01" <= r["deadline"]["date"] <= "2023-10-31" for r in rows)
    expected = [
        r["id"]
        for r in all_records
        if r["deadline"] and r["deadline"]["date"] and "2023-01-01" <= r["deadline"]["date"] <= "2023-10-31"
    ]
    assert [r["id"] for r in rows] == expected


def test_filters_combine(seed_index: Path, tmp_path: Path) -> None:
    rows = filtered(seed_index, tmp_path, "--jurisdiction", "介休市", "--department", "市住建局", "--modality", "must")
    assert rows and all(r["jurisdiction"] == "介休市" and r["modality"] == "must" for r in rows)
    assert all("市住房和城乡建设局" in r["departments"]["responsible"] for r in rows)


def test_filter_modality(seed_index: Path, tmp_path: Path) -> None:
    rows = filtered(seed_index, tmp_path, "--modality", "must_not")
    assert rows and {r["modality"] for r in rows} == {"must_not"}


def test_filtered_csv_is_valid(seed_index: Path, tmp_path: Path) -> None:
    out = tmp_path / "jiexiu.csv"
    assert export(seed_index, out, "csv", "--jurisdiction", "介休市", "--due-after", "2023-01-01") == 0
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows and validate_table(rows, TABLE_SCHEMA) == []


# ---- errors --------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "flag, value",
    [("--due-before", "2023-13-01"), ("--due-after", "yesterday"), ("--due-before", "2023/10/31")],
    ids=["bad-month", "word", "slashes"],
)
def test_bad_date_is_a_one_line_error(
    seed_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, value: str
) -> None:
    out = tmp_path / "never.json"
    assert export(seed_index, out, "json", flag, value) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and flag in lines[0] and value in lines[0]
    assert not out.exists()


def test_unknown_document_is_an_error(seed_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert export(seed_index, tmp_path / "x.json", "json", "--doc", "no-such-doc") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no-such-doc" in err[0]


def test_unknown_format_is_a_usage_error(seed_index: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as e:
        export(seed_index, tmp_path / "x.xml", "xml")
    assert e.value.code == 2


def test_empty_result_still_has_header(seed_index: Path, tmp_path: Path) -> None:
    out = tmp_path / "none.csv"
    assert export(seed_index, out, "csv", "--due-before", "1900-01-01") == 0
    assert out.read_text(encoding="utf-8-sig").splitlines() == [",".join(csv_fields())]
    assert filtered(seed_index, tmp_path, "--due-before", "1900-01-01") == []
