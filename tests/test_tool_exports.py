"""Survey-tool exports: the bundled survey in each tool's layout, drafted and loaded, is the bundled survey.

Reference: the bundled export itself (``analysis.survey.loader.load`` of data/raw/...synthetic.csv).
Each layout is written by ``analysis.survey.tool_exports`` as the tool writes it (header rows, metadata
columns with made-up personal data, answer codes or labels, ticks, one-cell multi-selects); the
mapping is drafted by ``mapping draft`` without edits; the loaded frame must equal the bundled frame
on every column the layout carries. What a layout cannot carry is declared in LAYOUTS[...].loses:
  - "multi": unticked options are written as empty cells, so a respondent who answered a
    multi-select question but ticked nothing reads as "not answered" (all options missing);
  - "respondent_id": the tool has no respondent id of ours; ids are generated from line numbers.
"""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.core.errors import SurveyDataError
from analysis.survey.layouts import PERSONAL_COLUMNS
from analysis.survey.mapping_draft import draft_mapping
from analysis.core.paths import PROJECT_ROOT
from analysis.survey.summary import problems_overview
from analysis.survey.examples import LAYOUTS
from analysis.survey.loader import load, load_with_log
from analysis.survey.mapping import Mapping
from analysis.protection.rules import Rules

from support import write_rows

EXAMPLES = PROJECT_ROOT / "data" / "examples"


def _expected(survey: pd.DataFrame, layout, codebook) -> pd.DataFrame:
    """The bundled frame as the layout can carry it."""
    want = survey.copy()
    if "multi" in layout.loses:
        for item in codebook.items:
            if item.type == "multi":
                none_ticked = (want[item.columns] == 0).all(axis=1)
                want.loc[none_ticked, item.columns] = np.nan
    if "respondent_id" in layout.loses:
        want = want.drop(columns="respondent_id")
    return want


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_bundled_survey_in_each_tool_layout_drafts_and_loads_to_the_bundled_frame(tmp_path, name, survey, codebook):
    layout = LAYOUTS[name]
    path = layout.write(survey, tmp_path / layout.filename)
    draft = draft_mapping(path)
    assert draft.todo == []  # headers are the codebook's question texts: the draft needs no edits
    (tmp_path / "mapping.yaml").write_text(draft.text, encoding="utf-8")
    frame, log = load_with_log(path, mapping=tmp_path / "mapping.yaml")
    assert log.detected["layout"].split(" ")[0] == layout.format
    want = _expected(survey, layout, codebook)
    got = frame.drop(columns="respondent_id") if "respondent_id" in layout.loses else frame
    pd.testing.assert_frame_equal(got, want)
    if "respondent_id" in layout.loses:
        assert frame["respondent_id"].is_unique and log.generated_ids
    # the tool's own columns (with personal data) never reach the frame
    assert not set(map(str.casefold, frame.columns)) & PERSONAL_COLUMNS
    text = frame.astype(str).to_string()
    assert "@example.org" not in text and "192.0.2." not in text


@pytest.mark.parametrize("name", ["qualtrics_choice_text", "surveymonkey_xlsx", "microsoft_forms"])
def test_layout_is_recognised_and_can_be_forced(tmp_path, name, survey):
    layout = LAYOUTS[name]
    path = layout.write(survey.iloc[:30].reset_index(drop=True), tmp_path / layout.filename)
    mapping = tmp_path / "m.yaml"
    mapping.write_text(draft_mapping(path).text, encoding="utf-8")
    auto = load(path, mapping=mapping)
    forced = load(path, mapping=mapping, format=layout.format)
    pd.testing.assert_frame_equal(auto, forced)
    with pytest.raises(SurveyDataError):  # read as a plain table, its header rows are no respondents
        load(path, mapping=mapping, format="plain")


@pytest.mark.parametrize("name, forced", [("google_forms", "qualtrics"), ("microsoft_forms", "surveymonkey"),
                                          ("limesurvey_codes", "qualtrics")])
def test_a_format_with_more_header_rows_than_the_file_is_refused_not_a_row_dropped(tmp_path, survey, name, forced):
    layout = LAYOUTS[name]
    path = layout.write(survey.iloc[:12].reset_index(drop=True), tmp_path / layout.filename)
    (tmp_path / "m.yaml").write_text(draft_mapping(path).text, encoding="utf-8")
    with pytest.raises(SurveyDataError) as info:
        load(path, mapping=tmp_path / "m.yaml", format=forced)
    [problem] = info.value.problems
    assert problem.line == 2 and f"--format {forced}" in problem.message and "respondent" in problem.message


def test_qualtrics_header_rows_are_not_respondents(tmp_path, survey):
    path = LAYOUTS["qualtrics_numeric"].write(survey.iloc[:12].reset_index(drop=True), tmp_path / "q.csv")
    (tmp_path / "m.yaml").write_text(draft_mapping(path).text, encoding="utf-8")
    frame, log = load_with_log(path, mapping=tmp_path / "m.yaml")
    assert len(frame) == 12 and log.detected["header_rows"] == "3"
    assert "IPAddress" in log.metadata_columns_dropped and "RecipientEmail" in log.metadata_columns_dropped


def test_surveymonkey_rows_longer_than_the_trimmed_header_are_read(tmp_path, survey):
    path = LAYOUTS["surveymonkey_csv"].write(survey.iloc[:10].reset_index(drop=True), tmp_path / "sm.csv")
    first, second = path.read_text(encoding="utf-8").splitlines()[:2]
    assert len(first.split(",")) < len(second.split(","))  # the trailing empty header cells are trimmed
    (tmp_path / "m.yaml").write_text(draft_mapping(path).text, encoding="utf-8")
    assert len(load(path, mapping=tmp_path / "m.yaml")) == 10


# --- one rule for empty multi-select cells -----------------------------------------------------------

def test_an_empty_option_next_to_a_tick_is_not_ticked_and_all_empty_is_not_answered(tmp_path, bundled_rows):
    rows = [list(r) for r in bundled_rows[:6]]
    cols = [k for k, c in enumerate(rows[0]) if c.startswith("enf_practice_")]
    for k in cols:
        rows[1][k] = ""          # respondent 1: nothing at all -> not answered
        rows[2][k] = ""          # respondent 2: one tick, the rest empty -> the rest not ticked
        rows[3][k] = ""          # respondent 3: an explicit 0, the rest empty -> answered, nothing ticked
    rows[2][cols[0]] = "1"
    rows[3][cols[1]] = "0"
    frame, log = load_with_log(write_rows(tmp_path / "e.csv", rows))
    names = [rows[0][k] for k in cols]
    assert frame.loc[0, names].isna().all()
    assert frame.loc[1, names].tolist() == [1.0] + [0.0] * (len(names) - 1)
    assert frame.loc[2, names].tolist() == [0.0] * len(names)
    assert log.options_not_ticked["enf_practice"] == 2 * (len(names) - 1)
    assert log.questions_not_answered["enf_practice"] == 1
    for c in names:  # the data log's missing cells are the frame's, decided cells no longer among them
        assert log.missing_reasons.get(c, {}).get("empty cell (not answered)", 0) == frame[c].isna().sum()


def test_the_enforcement_gap_counts_an_empty_option_next_to_a_tick_as_not_used(tmp_path, survey, codebook):
    """The finding the issue saw reversed: with Y/empty ticks, 'already used' must not become 100%."""
    from analysis.themes.base import Context
    from analysis.themes.enforcement import importance_practice_gap

    path = LAYOUTS["limesurvey_codes"].write(survey, tmp_path / "ls.csv")
    (tmp_path / "m.yaml").write_text(draft_mapping(path).text, encoding="utf-8")
    frame = load(path, mapping=tmp_path / "m.yaml")
    ctx = Context(lang="en", rules=Rules(k=5), level=0.95, weights=None, synthetic=True, codebook=codebook)
    gap_tool = importance_practice_gap(frame, ctx)
    expected = _expected(survey, LAYOUTS["limesurvey_codes"], codebook)
    gap_expected = importance_practice_gap(expected.assign(respondent_id=frame["respondent_id"]), ctx)
    pd.testing.assert_frame_equal(gap_tool, gap_expected)
    practice = [c for c in frame.columns if c.startswith("enf_practice_")]
    used = frame[practice].mean()
    assert (used < 1).all() and (used > 0).all()


# --- one-cell multi-selects, scales, wildcard ----------------------------------------------------------

def _one_cell_export(tmp_path, bundled_rows, cells: list[str]):
    header = bundled_rows[0]
    cols = [k for k, c in enumerate(header) if c.startswith("platforms_")]
    rows = [[c for k, c in enumerate(r) if k not in cols[1:]] for r in bundled_rows[:len(cells) + 1]]
    rows[0][cols[0]] = "Welke social media gebruikt u voor uw werk?"
    for r, cell in zip(rows[1:], cells):
        r[cols[0]] = cell
    return write_rows(tmp_path / "one.csv", rows)


def test_one_cell_multi_select_is_split_with_the_separator_detected_or_given(tmp_path, bundled_rows):
    cells = ["Twitter, Facebook", "Fora / communities (zoals Politie 2.0)", "", "LinkedIn, Instagram"]
    path = _one_cell_export(tmp_path, bundled_rows, cells)
    mapping = Mapping(columns={"Welke social media gebruikt u voor uw werk?": "platforms"})
    frame, log = load_with_log(path, mapping=mapping)
    assert log.split_columns["Welke social media gebruikt u voor uw werk?"]["separator"] == ", "
    assert frame.loc[0, ["platforms_twitter", "platforms_facebook", "platforms_hyves"]].tolist() == [1.0, 1.0, 0.0]
    assert frame.loc[1, "platforms_forums"] == 1.0 and frame.loc[1, "platforms_twitter"] == 0.0
    assert frame.loc[2, [c for c in frame.columns if c.startswith("platforms_")]].isna().all()
    assert frame.loc[3, "platforms_other"] == 1.0 and log.other_answers == {"platforms": 1}
    (tmp_path / "split.yaml").write_text(
        'columns:\n  "Welke social media gebruikt u voor uw werk?": {item: platforms, split: "|"}\n', encoding="utf-8")
    path = _one_cell_export(tmp_path, bundled_rows, ["Twitter|Blogs", "", "YouTube", "Hyves"])
    frame = load(path, mapping=tmp_path / "split.yaml")
    assert frame.loc[0, ["platforms_twitter", "platforms_blogs", "platforms_youtube"]].tolist() == [1.0, 1.0, 0.0]


def test_scales_map_values_once_per_scale_grid_or_list_and_the_wildcard_ticks(tmp_path, bundled_rows, survey):
    rows = [list(r) for r in bundled_rows]
    header = rows[0]
    size = [k for k, c in enumerate(header) if c.startswith(("opp_", "thr_"))]
    ticks = [k for k, c in enumerate(header) if c.startswith("resistance_")]
    for r in rows[1:]:
        for k in size:
            r[k] = {"9": "WN"}.get(r[k], r[k])
        for k in ticks:
            r[k] = {"1": "gekozen", "0": ""}.get(r[k], r[k])
    (tmp_path / "m.yaml").write_text(
        'scales:\n  size: {"WN": 9}\n  weerstand:\n    columns: [resistance]\n    values: {"*": 1}\n', encoding="utf-8")
    frame = load(write_rows(tmp_path / "s.csv", rows), mapping=tmp_path / "m.yaml")
    cols = [header[k] for k in size]
    pd.testing.assert_frame_equal(frame[cols], survey[cols])
    res = [header[k] for k in ticks]
    answered_none = (survey[res] == 0).all(axis=1)
    pd.testing.assert_frame_equal(frame.loc[~answered_none, res], survey.loc[~answered_none, res])


# --- mapping errors --------------------------------------------------------------------------------

def test_duplicate_keys_in_the_mapping_are_refused_with_their_lines(tmp_path, bundled_path):
    (tmp_path / "dup.yaml").write_text("values:\n  knowledge:\n    goed: 4\n    Goed: 4\n    goed: 3\n"
                                       "columns:\n  a: null\ncolumns:\n  b: null\n", encoding="utf-8")
    with pytest.raises(SurveyDataError) as info:
        load(bundled_path, mapping=tmp_path / "dup.yaml")
    found = {(p.value, p.line) for p in info.value.problems}
    assert found == {("goed", 5), ("columns", 8)}
    assert "first on line 3" in info.value.problems[0].message or "first on line 6" in info.value.problems[0].message


def test_keys_that_differ_only_in_case_or_spaces_and_disagree_are_refused(tmp_path, bundled_path):
    """Matching ignores case and runs of spaces, so "Goed: 4" and "goed: 3" are one key saying two
    things; the same key saying the same thing twice is harmless and accepted."""
    (tmp_path / "case.yaml").write_text(
        "columns:\n  Leeftijd: age_band\n  'leeftijd ': role\n"
        "values:\n  knowledge:\n    Goed: 4\n    goed: 3\n    Slecht: 1\n    slecht: 1\n"
        "scales:\n  size: {'Weet niet': 9, 'weet niet': 8}\n", encoding="utf-8")
    with pytest.raises(SurveyDataError) as info:
        load(bundled_path, mapping=tmp_path / "case.yaml")
    found = sorted((p.column, p.value) for p in info.value.problems)
    assert found == [("columns", "leeftijd "), ("scales of size", "weet niet"), ("values of knowledge", "goed")]
    assert all("case" in p.message for p in info.value.problems)


def test_every_suggestion_works_when_pasted_into_the_mapping_and_counts_respondents(tmp_path, bundled_rows, codebook):
    rows = [list(r) for r in bundled_rows]
    col = rows[0].index("use_frequency")
    for r in rows[1:16]:
        r[col] = "Elke dag"
    rows[0][rows[0].index("knowledge")] = "Hoe schat u uw eigen kennis van social media in?"  # as the draft matches it
    path = write_rows(tmp_path / "v.csv", rows)
    with pytest.raises(SurveyDataError) as info:
        load(path)
    overview = problems_overview(info.value)
    assert "15 respondents" in overview
    pasted = "\n".join(line for line in overview.splitlines() if not line.startswith(("unmapped", "#")))
    (tmp_path / "pasted.yaml").write_text(pasted + "\n", encoding="utf-8")
    frame = load(path, mapping=tmp_path / "pasted.yaml")  # validates as pasted
    assert len(frame) == len(rows) - 1


def test_sav_label_disagreement_suggestion_is_pasteable_and_counts_respondents(tmp_path, bundled_rows, codebook):
    from test_exports import write_sav

    items = codebook.column_item()
    labels = {c: {float(x.code): x.labels["nl"] for x in items[c].codes} for c in bundled_rows[0] if items[c].codes}
    labels["opp_events"][9.0] = "Weet ik niet"
    path = write_sav(tmp_path / "d.sav", bundled_rows, codebook, labels)
    with pytest.raises(SurveyDataError) as info:
        load(path)
    overview = problems_overview(info.value)
    n = sum(r[bundled_rows[0].index("opp_events")] == "9" for r in bundled_rows[1:])
    assert f"{n} respondents" in overview and "(1x)" not in overview
    pasted = "\n".join(line for line in overview.splitlines() if not line.startswith(("unmapped", "#")))
    mapping = yaml.safe_load(pasted)
    assert mapping["values"]["opp_events"] == {"9": 9}
    (tmp_path / "p.yaml").write_text(pasted + "\n", encoding="utf-8")
    assert (load(path, mapping=tmp_path / "p.yaml")["opp_events"] == 9).sum() == n


# --- command line and the committed examples -------------------------------------------------------------

def test_mapping_draft_cli_writes_a_mapping_that_validates(tmp_path):
    out = tmp_path / "draft.yaml"
    run = subprocess.run([sys.executable, "-m", "analysis", "mapping", "draft", str(EXAMPLES / "google_forms.csv"),
                          "--out", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "score" in out.read_text(encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "analysis", "validate", str(EXAMPLES / "google_forms.csv"),
                          "--mapping", str(out), "--format", "forms"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "layout 'forms (google)'" in run.stdout and "respondent ids: generated" in run.stdout


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_committed_examples_load_with_their_committed_drafts(name):
    layout = LAYOUTS[name]
    frame = load(EXAMPLES / layout.filename, mapping=EXAMPLES / f"{name}_mapping.yaml")
    assert len(frame) == 40 and frame.attrs["synthetic"]
