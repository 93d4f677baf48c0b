"""Real survey exports: every format gives the same frame; broken inputs give clear errors; nothing lost."""
from __future__ import annotations

import builtins
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat
import pytest

from analysis.core.errors import SurveyDataError
from analysis.core.paths import PROJECT_ROOT
from analysis.survey.loader import load, load_with_log
from analysis.survey.mapping import Mapping

from support import write_rows

EXAMPLES = PROJECT_ROOT / "data" / "examples"
DUTCH = "Één café in ’s-Hertogenbosch: naïef, geëvalueerd, overleg met de officier"


# --- writers: the same survey in each format a survey tool produces ----------------------------

def _number_or_text(cell: str):
    try:
        return int(cell)
    except ValueError:
        pass
    try:
        return float(cell)
    except ValueError:
        return cell if cell != "" else None


def write_xlsx(path: Path, rows: list[list[str]], sheet: str = "Export", extra_sheet_first: bool = False) -> Path:
    """An XLSX export as Excel stores it: numbers as numbers, text as text, empty cells empty."""
    book = openpyxl.Workbook()
    ws = book.active
    if extra_sheet_first:
        ws.title = "Toelichting"
        ws.append(["Deze werkmap bevat de export op het tweede tabblad"])
        ws = book.create_sheet(sheet)
    else:
        ws.title = sheet
    for r, row in enumerate(rows):
        ws.append([cell if r == 0 else _number_or_text(cell) for cell in row])
    book.save(path)
    return path


def write_sav(path: Path, rows: list[list[str]], codebook, labels: dict | None = None) -> Path:
    """An SPSS export: numeric codes with the codebook's (Dutch) value labels, text as strings."""
    header, body = rows[0], rows[1:]
    items = codebook.column_item()
    data = {}
    for k, col in enumerate(header):
        cells = [r[k] for r in body]
        if items[col].type in ("identifier", "open"):
            data[col] = cells
        else:
            data[col] = [float(c.replace(",", ".")) if c != "" else np.nan for c in cells]
    frame = pd.DataFrame(data)
    if labels is None:
        labels = {col: {float(c.code): c.labels["nl"] for c in items[col].codes}
                  for col in header if items[col].codes}
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def problems_of(path, **kwargs) -> list:
    with pytest.raises(SurveyDataError) as info:
        load(path, **kwargs)
    return info.value.problems


@pytest.fixture()
def rows_with_text(bundled_rows) -> list[list[str]]:
    """The bundled export with Dutch accented text in an open answer (to check no character is lost)."""
    rows = [list(r) for r in bundled_rows]
    rows[1][rows[0].index("opportunities_open")] = DUTCH
    return rows


@pytest.fixture()
def survey_with_text(tmp_path, rows_with_text):
    return load(write_rows(tmp_path / "reference.csv", rows_with_text))


# --- the same survey in every format ------------------------------------------------------------

def test_same_survey_in_every_format_gives_identical_frames(tmp_path, bundled_rows, survey, codebook):
    exports = {
        "utf8": write_rows(tmp_path / "utf8.csv", bundled_rows),
        "utf8-bom": write_rows(tmp_path / "bom.csv", bundled_rows, encoding="utf-8-sig"),
        "dutch-excel": write_rows(tmp_path / "excel_nl.csv", bundled_rows, encoding="cp1252", delimiter=";"),
        "xlsx": write_xlsx(tmp_path / "export.xlsx", bundled_rows),
        "sav": write_sav(tmp_path / "export.sav", bundled_rows, codebook),
    }
    for kind, path in exports.items():
        frame, log = load_with_log(path)
        pd.testing.assert_frame_equal(frame, survey, obj=kind)
        assert log.respondents == 420
    assert load_with_log(exports["dutch-excel"])[1].detected["encoding"] == "cp1252"
    assert load_with_log(exports["utf8-bom"])[1].detected["encoding"] == "utf-8-sig"
    assert load_with_log(exports["sav"])[1].detected["format"] == "sav"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_dutch_text_survives_every_encoding(tmp_path, rows_with_text, survey_with_text, encoding):
    path = write_rows(tmp_path / f"{encoding}.csv", rows_with_text, encoding=encoding, delimiter=";")
    frame, log = load_with_log(path)
    assert frame["opportunities_open"].iloc[0] == DUTCH
    assert log.detected["encoding"] == encoding
    pd.testing.assert_frame_equal(frame, survey_with_text)


def test_latin1_export_reads_like_cp1252(tmp_path, rows_with_text):
    rows = [[cell.replace("’", "'") for cell in r] for r in rows_with_text]  # Latin-1 has no ’
    frame, log = load_with_log(write_rows(tmp_path / "latin1.csv", rows, encoding="latin-1", delimiter=";"))
    assert frame["opportunities_open"].iloc[0] == DUTCH.replace("’", "'")
    assert log.detected["encoding"] == "cp1252"  # the same bytes for every Dutch letter
    pd.testing.assert_frame_equal(frame, load(write_rows(tmp_path / "utf8.csv", rows)))


def test_xlsx_and_sav_keep_dutch_text(tmp_path, rows_with_text, codebook):
    xlsx = load(write_xlsx(tmp_path / "t.xlsx", rows_with_text))
    sav = load(write_sav(tmp_path / "t.sav", rows_with_text, codebook))
    assert xlsx["opportunities_open"].iloc[0] == DUTCH == sav["opportunities_open"].iloc[0]


def test_xlsx_named_sheet_is_read(tmp_path, bundled_rows, survey):
    path = write_xlsx(tmp_path / "two.xlsx", bundled_rows, sheet="Resultaten", extra_sheet_first=True)
    frame, log = load_with_log(path, sheet="Resultaten")
    pd.testing.assert_frame_equal(frame, survey)
    assert log.detected == {"format": "xlsx", "sheet": "Resultaten", "layout": "plain",
                            "layout_basis": "one header row with no survey-tool columns",
                            "wave": "2011 (from its columns)"}


def test_decimal_comma_weights_are_detected(tmp_path, bundled_rows):
    rows = [r[:3] + ["weight" if i == 0 else f"{1 + (i % 4) / 4:.2f}".replace(".", ",")] + r[3:]
            for i, r in enumerate(bundled_rows)]
    frame, log = load_with_log(write_rows(tmp_path / "w.csv", rows, encoding="cp1252", delimiter=";"))
    assert log.detected["decimal"] == ","
    assert frame["weight"].iloc[:4].tolist() == [1.25, 1.5, 1.75, 1.0]
    point = [r[:3] + ["weight" if i == 0 else f"{1 + (i % 4) / 4:.2f}"] + r[3:] for i, r in enumerate(bundled_rows)]
    frame_point, log_point = load_with_log(write_rows(tmp_path / "p.csv", point))
    assert log_point.detected["decimal"] == "."
    pd.testing.assert_series_equal(frame["weight"], frame_point["weight"])


def test_thousands_separator_in_a_weight_is_refused_not_misread(tmp_path, bundled_rows):
    rows = [r[:3] + ["weight" if i == 0 else "1"] + r[3:] for i, r in enumerate(bundled_rows)]
    rows[2][3] = "1.234,5"
    [p] = problems_of(write_rows(tmp_path / "t.csv", rows, delimiter=";"))
    assert p.column == "weight" and p.value == "1.234,5" and "positive number" in p.message


# --- encodings that cannot be determined are refused, never replaced ----------------------------

def test_undeterminable_encoding_is_refused(tmp_path, bundled_rows):
    data = write_rows(tmp_path / "cp.csv", bundled_rows, encoding="cp1252").read_bytes()
    (tmp_path / "u.csv").write_bytes(data.replace(b"S0005", b"S\x81\x8d05", 1))  # neither UTF-8 nor cp1252
    [p] = problems_of(tmp_path / "u.csv")
    assert "encoding cannot be determined" in p.message and p.line == 6


def test_replacement_characters_already_in_the_file_are_refused(tmp_path, rows_with_text):
    rows = [list(r) for r in rows_with_text]
    rows[3][rows[0].index("barriers_open")] = "caf\ufffd met collega\ufffds"
    [p] = problems_of(write_rows(tmp_path / "r.csv", rows))
    assert "replacement characters" in p.message and p.line == 4


def test_mixed_encodings_in_one_file_are_refused(tmp_path, rows_with_text):
    utf8 = write_rows(tmp_path / "a.csv", rows_with_text[:100]).read_bytes()
    cp1252 = write_rows(tmp_path / "b.csv", rows_with_text[100:], encoding="cp1252").read_bytes()
    (tmp_path / "mixed.csv").write_bytes(utf8 + cp1252.replace(b"S0", b"S0", 1) + "X1;één\n".encode("cp1252"))
    [p] = problems_of(tmp_path / "mixed.csv")
    assert "mixed encodings" in p.message


# --- one test per kind of broken input -----------------------------------------------------------

def test_empty_file(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"\r\n  \n")
    [p] = problems_of(tmp_path / "empty.csv")
    assert "empty" in p.message and p.file.endswith("empty.csv")


def test_garbage_without_nul_bytes_is_refused(tmp_path):
    rng = np.random.default_rng(1)
    garbage = bytes(b for b in rng.integers(1, 256, 5000).astype(np.uint8).tobytes())
    (tmp_path / "g.csv").write_bytes(garbage)
    [p] = problems_of(tmp_path / "g.csv")
    assert "not a text table" in p.message or "encoding" in p.message


def test_binary_file_with_nul_bytes_late_in_the_file(tmp_path, bundled_path):
    (tmp_path / "b.csv").write_bytes(bundled_path.read_bytes()[:10000] + b"\x00\x01\x02" * 10)
    [p] = problems_of(tmp_path / "b.csv")
    assert "binary" in p.message


def test_xlsx_named_csv_is_read_as_a_workbook(tmp_path, bundled_rows, survey):
    path = write_xlsx(tmp_path / "export.xlsx", bundled_rows).rename(tmp_path / "export.csv")
    frame, log = load_with_log(path)
    pd.testing.assert_frame_equal(frame, survey)
    assert log.detected["format"] == "xlsx" and any("named .csv" in n for n in log.notes)


def test_sav_with_wrong_content(tmp_path, bundled_path):
    (tmp_path / "text.sav").write_bytes(bundled_path.read_bytes())
    (tmp_path / "broken.sav").write_bytes(b"$FL2" + b"\x07" * 300)
    [p] = problems_of(tmp_path / "text.sav")
    assert "not an SPSS data file" in p.message
    [p] = problems_of(tmp_path / "broken.sav")
    assert "not a readable SPSS .sav file" in p.message


def test_xlsx_with_wrong_content(tmp_path):
    (tmp_path / "t.xlsx").write_text("a,b\n1,2\n", encoding="utf-8")
    (tmp_path / "z.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    assert "not an XLSX workbook" in problems_of(tmp_path / "t.xlsx")[0].message
    assert "not a readable XLSX workbook" in problems_of(tmp_path / "z.xlsx")[0].message


def test_old_xls_workbook_is_refused_with_advice(tmp_path):
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500)
    [p] = problems_of(tmp_path / "old.xls")
    assert ".xls" in p.message and ".xlsx" in p.expected


def test_wrong_sheet_names_the_sheets_that_exist(tmp_path, bundled_rows):
    path = write_xlsx(tmp_path / "s.xlsx", bundled_rows, sheet="Resultaten")
    [p] = problems_of(path, sheet="Blad1")
    assert p.value == "Blad1" and "does not exist" in p.message and "Resultaten" in p.expected


def test_sheet_named_for_a_csv_file(tmp_path, bundled_path):
    [p] = problems_of(bundled_path, sheet="Blad1")
    assert "not a workbook" in p.message


def test_missing_sheet_content_empty_first_sheet(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Leeg"
    book.save(tmp_path / "e.xlsx")
    [p] = problems_of(tmp_path / "e.xlsx")
    assert "sheet 'Leeg' is empty" in p.message


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_header_only(tmp_path, bundled_rows, kind):
    path = (write_rows(tmp_path / "h.csv", bundled_rows[:1]) if kind == "csv"
            else write_xlsx(tmp_path / "h.xlsx", bundled_rows[:1]))
    [p] = problems_of(path)
    assert "no respondents" in p.message


def test_duplicate_column_names(tmp_path, bundled_rows):
    rows = [r + [r[5]] for r in bundled_rows]
    problems = problems_of(write_xlsx(tmp_path / "d.xlsx", rows))
    [p] = problems
    assert p.column == bundled_rows[0][5] and "appears 2 times" in p.message


def test_duplicate_respondent_ids(tmp_path, bundled_rows, codebook):
    rows = [list(r) for r in bundled_rows]
    rows[30][0] = rows[20][0]
    [p] = problems_of(write_sav(tmp_path / "d.sav", rows, codebook))
    assert "duplicate respondent id" in p.message and p.respondent == rows[20][0] and p.line == 30


def test_unknown_columns_suggest_a_close_name(tmp_path, bundled_rows):
    rows = [list(r) for r in bundled_rows]
    rows[0][rows[0].index("knowledge")] = "knowlegde"
    problems = problems_of(write_rows(tmp_path / "u.csv", rows))
    unknown = [p for p in problems if p.column == "knowlegde"]
    missing = [p for p in problems if p.column == "knowledge"]
    assert unknown and "did you mean 'knowledge'" in unknown[0].expected
    assert missing and "required column is missing" in missing[0].message


def test_missing_required_columns(tmp_path, bundled_rows):
    keep = [k for k, c in enumerate(bundled_rows[0]) if not c.startswith("opp_")]
    rows = [[r[k] for k in keep] for r in bundled_rows]
    problems = problems_of(write_rows(tmp_path / "m.csv", rows))
    assert {p.column for p in problems} == {c for c in bundled_rows[0] if c.startswith("opp_")}
    assert all(p.message == "required column is missing" for p in problems)


def test_codes_outside_the_codebook(tmp_path, bundled_rows):
    rows = [list(r) for r in bundled_rows]
    col = rows[0].index("bar_culture")
    rows[8][col], rows[9][col] = "6", "3.5"
    problems = problems_of(write_xlsx(tmp_path / "c.xlsx", rows))
    assert [(p.line, p.value, p.message) for p in problems] == [
        (9, "6", "code outside the codebook"), (10, "3.5", "code outside the codebook")]
    assert "mapping under values: bar_culture" in problems[0].expected


def test_text_in_a_numeric_item(tmp_path, bundled_rows):
    rows = [r[:3] + ["weight" if i == 0 else "1"] + r[3:] for i, r in enumerate(bundled_rows)]
    rows[4][3] = "hoog"
    rows[5][rows[0].index("st_growth")] = "eens?"
    problems = problems_of(write_rows(tmp_path / "t.csv", rows))
    assert {(p.column, p.value) for p in problems} == {("weight", "hoog"), ("st_growth", "eens?")}


def test_rows_with_too_many_or_too_few_fields_in_xlsx(tmp_path, bundled_rows):
    rows = [list(r) for r in bundled_rows]
    rows[3] = rows[3] + ["", "extra"]
    rows[6] = rows[6][:-5]  # a short spreadsheet row is a row with empty answers, not an error
    problems = problems_of(write_xlsx(tmp_path / "f.xlsx", rows))
    assert [(p.line, p.respondent) for p in problems] == [(4, rows[3][0])]
    assert "100 fields" in problems[0].message  # trailing empty cells of a sheet are not fields


def test_unreadable_file_is_a_clear_error(tmp_path, bundled_path, monkeypatch):
    path = tmp_path / "locked.csv"
    path.write_bytes(bundled_path.read_bytes())
    real_open = builtins.open

    def locked(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", locked)
    [p] = problems_of(path)
    assert "cannot be read" in p.message and "Permission denied" in p.message
    [p] = problems_of(tmp_path)
    assert "folder" in p.message


def test_every_problem_names_file_row_column_value_and_expectation(tmp_path, bundled_rows):
    rows = [list(r) for r in bundled_rows]
    rows[2][rows[0].index("role")] = "42"
    rows[3][rows[0].index("platforms_blogs")] = "misschien"
    rows[4][0] = rows[3][0]
    problems = problems_of(write_rows(tmp_path / "all.csv", rows))
    assert len(problems) == 3
    for p in problems:
        assert p.file.endswith("all.csv") and p.line and p.respondent and p.column and p.value and p.expected


# --- SPSS value labels ----------------------------------------------------------------------------

def test_sav_labels_in_english_are_accepted(tmp_path, bundled_rows, codebook, survey):
    items = codebook.column_item()
    labels = {c: {float(x.code): x.labels["en"] for x in items[c].codes} for c in bundled_rows[0] if items[c].codes}
    frame, log = load_with_log(write_sav(tmp_path / "en.sav", bundled_rows, codebook, labels))
    pd.testing.assert_frame_equal(frame, survey)
    assert log.spss_labels_recoded == {}


def test_sav_codes_are_recoded_by_their_labels(tmp_path, bundled_rows, codebook, survey):
    items = codebook.column_item()
    labels = {c: {float(x.code): x.labels["nl"] for x in items[c].codes} for c in bundled_rows[0] if items[c].codes}
    # the tool stored the size scale reversed (1 = Zeer groot ... 5 = Zeer klein); the labels say so
    rows = [list(r) for r in bundled_rows]
    col = rows[0].index("opp_events")
    for r in rows[1:]:
        r[col] = {"1": "5", "2": "4", "4": "2", "5": "1"}.get(r[col], r[col])
    labels["opp_events"] = {1.0: "Zeer groot", 2.0: "Groot", 3.0: "Niet klein, niet groot", 4.0: "Klein",
                            5.0: "Zeer klein", 9.0: "Weet niet"}
    frame, log = load_with_log(write_sav(tmp_path / "rev.sav", rows, codebook, labels))
    pd.testing.assert_frame_equal(frame, survey)
    assert log.spss_labels_recoded["opp_events"]["1 (Zeer groot)"] == 5


def test_sav_labels_that_disagree_are_reported_item_by_item(tmp_path, bundled_rows, codebook):
    items = codebook.column_item()
    labels = {c: {float(x.code): x.labels["nl"] for x in items[c].codes} for c in bundled_rows[0] if items[c].codes}
    labels["knowledge"][3.0] = "Middelmatig"
    labels["bar_skills"][4.0] = "Behoorlijk"
    problems = problems_of(write_sav(tmp_path / "dis.sav", bundled_rows, codebook, labels))
    assert {(p.column, p.value) for p in problems} == {("knowledge", "3 = 'Middelmatig'"),
                                                       ("bar_skills", "4 = 'Behoorlijk'")}
    assert all("disagrees with the codebook" in p.message for p in problems)
    # the mapping resolves it
    mapping = Mapping(values={"knowledge": {"middelmatig": 3}, "bar_skills": {"4": 4}})
    frame = load(tmp_path / "dis.sav", mapping=mapping)
    assert (frame["knowledge"] == 3).sum() == sum(r[bundled_rows[0].index("knowledge")] == "3" for r in bundled_rows)


def test_sav_user_missing_dont_know_is_kept_as_its_code(tmp_path, bundled_rows, codebook, survey):
    path = write_sav(tmp_path / "um.sav", bundled_rows, codebook)
    frame_in, meta = pyreadstat.read_sav(str(path))
    pyreadstat.write_sav(frame_in, str(path), variable_value_labels=meta.variable_value_labels,
                         missing_ranges={"opp_investigation": [9.0]})
    frame, log = load_with_log(path)
    assert (frame["opp_investigation"] == 9).sum() == (survey["opp_investigation"] == 9).sum() > 0
    assert any("user-missing" in n for n in log.notes)


# --- column mapping --------------------------------------------------------------------------------

def test_example_export_validates_with_the_example_mapping():
    before = sha256(EXAMPLES / "export_example.csv")
    run = subprocess.run([sys.executable, "-m", "analysis", "validate", str(EXAMPLES / "export_example.csv"),
                          "--mapping", str(EXAMPLES / "mapping_example.yaml")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "respondents: 6" in run.stdout and "encoding 'cp1252'" in run.stdout and "delimiter ';'" in run.stdout
    assert "columns ignored (null in the mapping): Starttijd" in run.stdout
    assert sha256(EXAMPLES / "export_example.csv") == before


def test_example_mapping_recodes_labels_and_tool_values():
    frame, log = load_with_log(EXAMPLES / "export_example.csv", mapping=EXAMPLES / "mapping_example.yaml")
    assert frame["opp_investigation"].iloc[:3].tolist() == [5, 1, 9]
    assert frame["organisation"].iloc[4] == 9 and frame["use_frequency"].iloc[3] == 5
    assert pd.isna(frame["knowledge"].iloc[5])
    assert log.missing_reasons["knowledge"] == {"set to missing by the mapping": 1}
    assert log.labels_recoded == {"opp_investigation": 2}
    assert log.renamed_columns["Bij welke organisatie werkt u?"] == "organisation"


def test_example_export_without_mapping_lists_unmapped_columns(tmp_path):
    run = subprocess.run([sys.executable, "-m", "analysis", "validate", str(EXAMPLES / "export_example.csv")],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "unmapped columns (100)" in run.stderr
    assert '"Bij welke organisatie werkt u?": organisation' in run.stderr


def test_unmapped_values_are_listed_for_the_mapping(tmp_path, bundled_rows):
    rows = [list(r) for r in bundled_rows]
    col = rows[0].index("use_frequency")
    for r in rows[1:4]:
        r[col] = "Elke dag"
    path = write_rows(tmp_path / "v.csv", rows)
    (tmp_path / "map.yaml").write_text("values:\n  use_frequency:\n    Elke week: 4\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "analysis", "validate", str(path), "--mapping",
                          str(tmp_path / "map.yaml")], capture_output=True, text=True)
    assert run.returncode == 2
    assert "add it to the mapping under values: use_frequency" in run.stderr
    assert "unmapped values" in run.stderr and '"Elke dag": ' in run.stderr and "3 respondents" in run.stderr


def test_mapping_entries_for_unknown_codebook_columns_are_reported(tmp_path, bundled_path):
    (tmp_path / "m.yaml").write_text(
        "columns:\n  Leeftijd: age_bnd\nvalues:\n  use_freq: {vaak: 4}\n  knowledge: {goed genoeg: 7}\n",
        encoding="utf-8")
    problems = problems_of(bundled_path, mapping=tmp_path / "m.yaml")
    assert [(p.column, p.value) for p in problems] == [
        ("Leeftijd", "age_bnd"), ("use_freq", None), ("knowledge", "goed genoeg -> 7")]
    assert "did you mean 'age_band'" in problems[0].expected
    assert all(p.file.endswith("m.yaml") for p in problems)


def test_mapping_file_that_is_not_yaml_or_has_the_wrong_shape(tmp_path, bundled_path):
    (tmp_path / "bad.yaml").write_text("columns: [unclosed\n", encoding="utf-8")
    (tmp_path / "shape.yaml").write_text("kolommen:\n  a: b\n", encoding="utf-8")
    assert "cannot be read" in problems_of(bundled_path, mapping=tmp_path / "bad.yaml")[0].message
    assert "unexpected shape" in problems_of(bundled_path, mapping=tmp_path / "shape.yaml")[0].message
    assert "cannot be read" in problems_of(bundled_path, mapping=tmp_path / "absent.yaml")[0].message


def test_two_export_columns_mapped_to_one_codebook_column(tmp_path, bundled_rows):
    rows = [list(r) for r in bundled_rows]
    rows[0][rows[0].index("role")] = "Functie"
    rows[0][rows[0].index("age_band")] = "Leeftijd"
    mapping = Mapping(columns={"Functie": "role", "Leeftijd": "role"})
    problems = problems_of(write_rows(tmp_path / "two.csv", rows), mapping=mapping)
    assert any(p.column == "role" and "'Functie', 'Leeftijd'" in p.message for p in problems)


# --- nothing lost: the load log ------------------------------------------------------------------

def test_load_log_is_json_and_records_what_was_done(tmp_path):
    frame, log = load_with_log(EXAMPLES / "export_example.csv", mapping=EXAMPLES / "mapping_example.yaml")
    record = json.loads(json.dumps(log.as_dict()))
    assert record["sha256"] == sha256(EXAMPLES / "export_example.csv")
    assert record["mapping_sha256"] == sha256(EXAMPLES / "mapping_example.yaml")
    assert record["detected"]["encoding"] == "cp1252" and record["detected"]["delimiter"] == ";"
    assert record["mapped_values"] == {"organisation": 1, "use_frequency": 1, "knowledge": 1, "opp_investigation": 1}
    assert record["missing_cells"]["knowledge"] == 1
    assert sum(record["missing_cells"].values()) == int(frame.isna().sum().sum())
    assert record["respondents"] == 6


def test_blank_rows_and_missing_final_line_break_are_logged(tmp_path, bundled_rows):
    text = write_rows(tmp_path / "x.csv", bundled_rows[:5]).read_text(encoding="utf-8")
    lines = text.splitlines()
    (tmp_path / "gaps.csv").write_text("\n".join(lines[:3] + [",,,", ""] + lines[3:]), encoding="utf-8")
    frame, log = load_with_log(tmp_path / "gaps.csv")
    assert len(frame) == 4 and log.blank_rows_skipped == 2
    assert any("does not end with a line break" in n for n in log.notes)


@pytest.mark.parametrize("kind", ["csv", "xlsx", "sav", "broken"])
def test_validation_never_modifies_the_input(tmp_path, bundled_rows, codebook, kind):
    rows = [list(r) for r in bundled_rows]
    if kind == "broken":
        rows[3][5] = "77"
    path = {"csv": lambda: write_rows(tmp_path / "a.csv", rows, encoding="cp1252", delimiter=";"),
            "broken": lambda: write_rows(tmp_path / "b.csv", rows),
            "xlsx": lambda: write_xlsx(tmp_path / "a.xlsx", rows),
            "sav": lambda: write_sav(tmp_path / "a.sav", rows, codebook)}[kind]()
    before, mtime = sha256(path), path.stat().st_mtime_ns
    subprocess.run([sys.executable, "-m", "analysis", "validate", str(path)], capture_output=True, text=True)
    try:
        load(path)
    except SurveyDataError:
        pass
    assert sha256(path) == before and path.stat().st_mtime_ns == mtime


# --- command line ------------------------------------------------------------------------------------

def test_validate_cli_shows_a_traceback_only_with_debug(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    plain = subprocess.run([sys.executable, "-m", "analysis", "validate", str(tmp_path / "e.csv")],
                           capture_output=True, text=True)
    debug = subprocess.run([sys.executable, "-m", "analysis", "validate", str(tmp_path / "e.csv"), "--debug"],
                           capture_output=True, text=True)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr and "the file is empty" in plain.stderr
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_validate_cli_reports_what_was_detected(tmp_path, bundled_rows):
    path = write_rows(tmp_path / "nl.csv", bundled_rows, encoding="cp1252", delimiter=";")
    run = subprocess.run([sys.executable, "-m", "analysis", "validate", str(path)], capture_output=True, text=True)
    assert run.returncode == 0
    assert "encoding 'cp1252'" in run.stdout and "delimiter ';'" in run.stdout and "decimal ','" in run.stdout
