"""Loading and validation: the bundled export passes; broken exports fail with located problems."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from analysis.core.errors import SurveyDataError
from analysis.core.paths import SYNTHETIC_EXPORT, SYNTHETIC_WAVES
from analysis.survey.codebook import load_codebook
from analysis.survey.loader import load, load_with_log
from analysis.survey.reading import read_table
from analysis.survey.validation import validate_table

from support import write_rows


def _problems(path) -> list:
    with pytest.raises(SurveyDataError) as info:
        load(path)
    return info.value.problems


def test_survey_frame_has_codebook_categories_in_order(survey, codebook):
    assert list(survey["opp_investigation"].cat.categories) == [1, 2, 3, 4, 5, 9]
    assert survey["opp_investigation"].cat.ordered
    assert not survey["organisation"].cat.ordered
    assert set(survey["platforms_twitter"].dropna().unique()) <= {0.0, 1.0}
    assert list(survey.columns) == [c for c in codebook.columns() if c in survey.columns]


def test_empty_file(tmp_path):
    (tmp_path / "e.csv").write_bytes(b"")
    [p] = _problems(tmp_path / "e.csv")
    assert "empty" in p.message


def test_binary_file(tmp_path):
    (tmp_path / "b.csv").write_bytes(bytes(range(256)) * 4)
    [p] = _problems(tmp_path / "b.csv")
    assert "binary" in p.message and p.file.endswith("b.csv")


def test_non_tabular_text(tmp_path):
    (tmp_path / "t.csv").write_text("Dit is een brief, geen tabel\n", encoding="utf-8")
    (tmp_path / "t2.csv").write_text("just one line of prose\nand another\n", encoding="utf-8")
    assert "not a table" in _problems(tmp_path / "t2.csv")[0].message
    assert _problems(tmp_path / "t.csv")


def test_header_only(tmp_path, bundled_rows):
    [p] = _problems(write_rows(tmp_path / "h.csv", bundled_rows[:1]))
    assert "no respondents" in p.message


def test_missing_and_unknown_columns_are_named(tmp_path, bundled_rows):
    rows = [r[:3] + r[4:] for r in bundled_rows]  # drop 'role'
    rows[0] = rows[0] + ["extra"]
    rows[1:] = [r + ["x"] for r in rows[1:]]
    problems = _problems(write_rows(tmp_path / "m.csv", rows))
    assert {(p.column, "missing" in p.message) for p in problems if p.column in ("role", "extra")} == {
        ("role", True), ("extra", False)}


def test_code_outside_codebook_names_row_column_value_and_expectation(tmp_path, bundled_rows):
    rows = [list(r) for r in bundled_rows]
    col = rows[0].index("opp_investigation")
    rows[5][col] = "7"
    [p] = _problems(write_rows(tmp_path / "c.csv", rows))
    assert (p.line, p.respondent, p.column, p.value) == (6, rows[5][0], "opp_investigation", "7")
    assert "outside the codebook" in p.message and "1, 2, 3, 4, 5, 9" in p.expected


def test_text_in_a_numeric_item(tmp_path, bundled_rows):
    rows = [list(r) for r in bundled_rows]
    rows[3][rows[0].index("use_frequency")] = "vaak"
    [p] = _problems(write_rows(tmp_path / "x.csv", rows))
    assert "text where an answer code" in p.message and p.value == "vaak"


def test_duplicate_respondent_ids(tmp_path, bundled_rows):
    rows = [list(r) for r in bundled_rows]
    rows[10][0] = rows[2][0]
    [p] = _problems(write_rows(tmp_path / "d.csv", rows))
    assert "duplicate respondent id" in p.message and p.line == 11 and "line 3" in p.message


def test_duplicate_column_names(tmp_path, bundled_rows):
    rows = [list(r) for r in bundled_rows]
    rows[0][4] = rows[0][3]
    problems = _problems(write_rows(tmp_path / "dc.csv", rows))
    assert any("appears 2 times" in p.message and p.column == rows[0][3] for p in problems)


def test_rows_with_too_many_or_too_few_fields(tmp_path, bundled_rows):
    rows = [list(r) for r in bundled_rows]
    rows[2] = rows[2] + ["extra"]
    rows[4] = rows[4][:-3]
    problems = _problems(write_rows(tmp_path / "f.csv", rows))
    assert sorted(p.line for p in problems) == [3, 5]


def test_all_problems_are_reported_at_once(tmp_path, bundled_rows):
    rows = [list(r) for r in bundled_rows]
    rows[1][rows[0].index("role")] = "42"
    rows[2][rows[0].index("knowledge")] = "veel"
    rows[3][rows[0].index("platforms_twitter")] = "2"
    assert len(_problems(write_rows(tmp_path / "a.csv", rows))) == 3


def test_mixed_encodings_are_refused(tmp_path, bundled_rows):
    good = write_rows(tmp_path / "u.csv", bundled_rows).read_bytes()
    mixed = good + "X999,1,9,1,2,3,een café\n".encode("cp1252")
    (tmp_path / "mixed.csv").write_bytes(mixed)
    [p] = _problems(tmp_path / "mixed.csv")
    assert "mixed encodings" in p.message


def test_dutch_excel_csv_reads_the_same(tmp_path, bundled_rows, survey):
    path = write_rows(tmp_path / "nl.csv", bundled_rows, encoding="cp1252", delimiter=";")
    frame, log = load_with_log(path)
    assert log.detected["encoding"] == "cp1252" and log.detected["delimiter"] == ";"
    pd.testing.assert_frame_equal(frame, survey)


def test_answer_labels_are_accepted_in_either_language(tmp_path, bundled_rows):
    rows = [list(r) for r in bundled_rows]
    col = rows[0].index("opp_investigation")
    rows[1][col], rows[2][col] = "Zeer groot", "very small"
    frame, log = load_with_log(write_rows(tmp_path / "l.csv", rows))
    assert frame["opp_investigation"].iloc[0] == 5 and frame["opp_investigation"].iloc[1] == 1
    assert log.labels_recoded == {"opp_investigation": 2}


def test_validate_cli_exit_codes_and_no_traceback(tmp_path, bundled_path, bundled_rows):
    ok = subprocess.run([sys.executable, "-m", "analysis", "validate", str(bundled_path)],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "respondents: 420" in ok.stdout and "SYNTHETIC" in ok.stdout
    rows = [list(r) for r in bundled_rows]
    rows[7][rows[0].index("organisation")] = "77"
    bad = subprocess.run([sys.executable, "-m", "analysis", "validate", str(write_rows(tmp_path / "b.csv", rows))],
                         capture_output=True, text=True)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
    assert "line 8" in bad.stderr and "column 'organisation'" in bad.stderr and "'77'" in bad.stderr


def test_missing_file_is_a_clear_error(tmp_path):
    [p] = _problems(tmp_path / "nope.csv")
    assert "does not exist" in p.message


def test_validate_accepts_the_2026_export(capsys):
    from analysis.pipeline.cli import main

    assert main(["validate", str(SYNTHETIC_WAVES["2026"][2])]) == 0
    assert "'2026 (from its columns)'" in capsys.readouterr().out


def test_load_detects_the_wave_of_an_export():
    frame, log = load_with_log(SYNTHETIC_WAVES["2026"][2])
    assert frame.attrs["wave"] == "2026" and log.detected["wave"] == "2026 (from its columns)"
    assert load(SYNTHETIC_EXPORT).attrs["wave"] == "2011"
    assert load_with_log(SYNTHETIC_EXPORT, wave="2011")[1].detected["wave"] == "2011"


def test_an_export_of_no_wave_fails_with_the_same_clear_message(tmp_path, bundled_rows, capsys):
    from analysis.pipeline.cli import main

    path = write_rows(tmp_path / "m.csv", [r[:3] + r[4:] for r in bundled_rows])  # 'role' dropped: no wave
    with pytest.raises(SurveyDataError) as first_wave:
        validate_table(read_table(path), load_codebook())
    problems = _problems(path)
    assert [(p.message, p.column) for p in problems] == [(p.message, p.column) for p in first_wave.value.problems]
    assert [p.column for p in problems if "required column is missing" in p.message] == ["role"]
    assert main(["validate", str(path)]) == 2
    assert "required column is missing" in capsys.readouterr().err
