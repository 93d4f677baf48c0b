"""Layout variants and "other"-text conventions of exports the survey tools really wrote.

Each test writes a small file of its own that imitates a real export (no third-party file is
committed); the real file is cited in the test's docstring. The strongest evidence, LimeSurvey 6.14's
own exports of this survey, is committed in data/examples/limesurvey/ (see PROVENANCE.md there).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from analysis.core.paths import PROJECT_ROOT
from analysis.survey.loader import load
from analysis.survey.mapping_draft import draft_mapping
from analysis.survey.multiselect import split_multi
from analysis.survey.reading import read_table

from support import write_rows

LIMESURVEY = PROJECT_ROOT / "data" / "examples" / "limesurvey"
ROLE = "Wat is uw functie of werkterrein?"
AGE = "Wat is uw leeftijd?"
LOCATION = ["LocationLatitude", "LocationLongitude", "LocationAccuracy"]
PLATFORMS = "Welke social media gebruikt u voor uw werk? (meerdere antwoorden mogelijk)"


# --- layout variants ------------------------------------------------------------------------------

def test_qualtrics_legacy_export_names_its_metadata_in_the_second_row(tmp_path):
    """Qualtrics "Legacy" export: V1..V10 in row 1, ResponseID ... Finished and the question texts in
    row 2, then respondents (ropensci/qualtRics, tests/testthat/files/sample_legacy.csv)."""
    path = write_rows(tmp_path / "legacy.csv", [
        [f"V{k}" for k in range(1, 11)] + ["Q1", "Q2", *LOCATION, ""],
        ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
         "StartDate", "EndDate", "Finished", ROLE, AGE, *LOCATION, ""],
        ["R_1", "Default Response Set", "Anonymous", "", "", "10.0.0.1", "0", "2011-06-01 10:00:00",
         "2011-06-01 10:09:00", "1", "3", "2", "52.1", "5.1", "-1", ""],
        ["R_2", "Default Response Set", "Anonymous", "", "", "10.0.0.2", "0", "2011-06-02 10:00:00",
         "2011-06-02 10:09:00", "1", "1", "4", "52.2", "5.2", "-1", ""],
    ])
    table = read_table(path)
    assert (table.layout, table.detected["header_rows"]) == ("qualtrics", "2")
    assert "Legacy" in table.detected["layout_basis"]
    assert [r[0] for r in table.rows] == ["R_1", "R_2"]  # no header row read as a respondent
    assert {"ResponseID", "EmailAddress", "Name", "IPAddress", "StartDate", "Finished", "LocationAccuracy"} <= set(
        table.metadata_columns)
    assert table.questions["Q1"] == ROLE
    draft = draft_mapping(path)
    assert draft.columns["Q1"] == "role" and draft.columns["Q2"] == "age_band"


def test_qualtrics_import_id_row_with_single_quotes(tmp_path):
    """Qualtrics 2016 ("Insights") exports write the ImportId row as ``{'ImportId': 'QID1'}``
    (ropensci/qualtRics, tests/testthat/test-readSurvey_reads_qualtrics_csv.R; the 'legacy' test in
    the MaxDiff parser quoted there checks for ``{'ImportId': 'QID``)."""
    path = write_rows(tmp_path / "q2016.csv", [
        ["ResponseID", "ResponseSet", "StartDate", "EndDate", "Finished", "Q1", "Q2"],
        ["ResponseID", "ResponseSet", "StartDate", "EndDate", "Finished", ROLE, AGE],
        ["{'ImportId': 'responseId'}", "{'ImportId': 'responseSetId'}", "{'ImportId': 'startDate'}",
         "{'ImportId': 'endDate'}", "{'ImportId': 'finished'}", "{'ImportId': 'QID1'}", "{'ImportId': 'QID2'}"],
        ["R_1", "Default Response Set", "2016-04-04 10:20:41", "2016-04-04 10:22:13", "1", "3", "2"],
    ])
    table = read_table(path)
    assert (table.layout, table.detected["header_rows"], len(table.rows)) == ("qualtrics", "3", 1)
    assert table.rows[0][0] == "R_1" and table.questions["Q1"] == ROLE


def test_surveymonkey_second_row_of_only_response_cells(tmp_path):
    """SurveyMonkey's second header row holds "Response" / "Open-Ended Response" under questions of
    one column; when every question is one column there is no empty cell in the first row
    (ajturner/dc-elections, src/utils/response.ts, quotes such a second row)."""
    path = write_rows(tmp_path / "sm.csv", [
        [ROLE, AGE, "Toelichting"],
        ["Response", "Response", "Open-Ended Response"],
        ["Wijkagent", "35-44 jaar", "geen"],
    ])
    table = read_table(path)
    assert (table.layout, table.detected["header_rows"], len(table.rows)) == ("surveymonkey", "2", 1)
    assert table.header == [ROLE, AGE, "Toelichting"]


LIMESURVEY_HEADINGS = {  # as LimeSurvey 6.14.0 writes them (locale/<lang>/<lang>.mo of its release tree)
    "nl": ["Respons-id", "Datum verzonden", "Laatste pagina", "Begin taal", "Plaats", "Startdatum",
           "Datum laatste actie"],
    "en": ["Response ID", "Date submitted", "Last page", "Start language", "Seed", "Date started",
           "Date last action"],
    "de": ["Antwort ID", "Datum Abgeschickt", "Letzte Seite", "Start-Sprache", "Zufallsstartwert",
           "Datum gestartet", "Datum letzte Aktivität"],
    "fr": ["ID de la réponse", "Date de soumission", "Dernière page", "Langue de départ", "Tête de série",
           "Date de lancement", "Date de la dernière action"],
}


@pytest.mark.parametrize("lang", sorted(LIMESURVEY_HEADINGS))
def test_limesurvey_metadata_headings_in_its_interface_language(tmp_path, lang):
    """LimeSurvey writes its metadata headings in its interface language: the Dutch ones are those of
    data/examples/limesurvey/responses_nl_full_short.csv, written by LimeSurvey 6.14 itself; the
    others are the same msgids ("Response ID", "Seed" ...) in its de/fr/en language files
    (dvdgp9/happy-ebone, first commit fc6e5382, locale/<lang>/<lang>.mo)."""
    headings = LIMESURVEY_HEADINGS[lang]
    path = write_rows(tmp_path / f"ls_{lang}.csv", [
        headings + ["Respondentnummer", ROLE],
        ["1", "2026-05-01 10:00:00", "3", lang, "123456", "2026-05-01 10:00:00", "2026-05-01 10:00:00", "S0001",
         "Wijkagent"],
    ], delimiter=";")
    table = read_table(path)
    assert table.layout == "limesurvey" and len(table.rows) == 1
    assert table.metadata_columns == headings


@pytest.mark.parametrize("name", ["responses_nl_full_short", "responses_nl_abbreviated_short",
                                  "responses_en_full_short", "responses_nl_code_short"])
def test_limesurvey_exports_written_by_limesurvey_are_recognised(name):
    """The committed LimeSurvey 6.14 exports of this survey: seven metadata columns, also when the
    headings are abbreviated ("Datum laatste a.. "); the survey's own respondent id is a question."""
    table = read_table(LIMESURVEY / f"{name}.csv")
    assert table.layout == "limesurvey" and len(table.rows) == 60
    assert len(table.metadata_columns) == 7 and table.header[:7] == table.metadata_columns


def test_qualtrics_written_sav_keeps_its_metadata_out_of_the_survey(tmp_path, bundled_path, survey):
    """SPSS files written by Qualtrics keep StartDate, ResponseId, Progress ... as variables, with
    ``Duration__in_seconds_`` for "Duration (in seconds)" (Roche/pyreadstat, tests/test_basic.py reads
    such a file, test_width.sav: StartDate A1024, ResponseId A18, Duration__in_seconds_ F40.2)."""
    frame = pd.read_csv(bundled_path, dtype=str, keep_default_na=False)
    data = {"StartDate": ["2011-06-01 10:00:00"] * len(frame), "EndDate": ["2011-06-01 10:09:00"] * len(frame),
            "Status": [0.0] * len(frame), "IPAddress": ["10.0.0.1"] * len(frame), "Progress": [100.0] * len(frame),
            "Duration__in_seconds_": [540.0] * len(frame), "Finished": [1.0] * len(frame),
            "RecordedDate": ["2011-06-01 10:09:00"] * len(frame),
            "ResponseId": [f"R_{k}" for k in range(len(frame))], "DistributionChannel": ["anonymous"] * len(frame),
            "UserLanguage": ["NL"] * len(frame)}
    for col in frame.columns:
        numbers = pd.to_numeric(frame[col].replace("", np.nan), errors="coerce")
        data[col] = numbers if numbers.notna().sum() == (frame[col] != "").sum() else frame[col]
    pyreadstat.write_sav(pd.DataFrame(data), str(tmp_path / "qualtrics.sav"))
    table = read_table(tmp_path / "qualtrics.sav")
    assert table.detected["layout"] == "spss (qualtrics)"
    assert {"StartDate", "ResponseId", "Progress", "Duration__in_seconds_", "IPAddress"} <= set(table.metadata_columns)
    loaded = load(tmp_path / "qualtrics.sav")
    pd.testing.assert_frame_equal(loaded, survey, check_dtype=False)


# --- "other" text ---------------------------------------------------------------------------------

def test_limesurvey_other_heading_goes_to_the_other_option_not_another_platform():
    """LimeSurvey full headings name the [other] column after its "Other" text, "[Overige]" in Dutch
    (data/examples/limesurvey/responses_nl_full_short.csv): the item's 'other' option, never Hyves."""
    draft = draft_mapping(LIMESURVEY / "responses_nl_full_short.csv")
    assert draft.columns[f"{PLATFORMS} [Overige]"] == "platforms_other"


def _qualtrics_rows(names: list[str], texts: list[str], answers: list[str]) -> list[list[str]]:
    ids = ['{"ImportId":"%s"}' % n for n in names]
    return [names, texts, ids, answers]


def test_qualtrics_text_column_is_the_other_text(tmp_path):
    """Qualtrics writes an "other" option's typed text as ``Q5_8_TEXT`` ("... - Anders - Text") next to
    the choice column (ropensci/qualtRics, tests/testthat/files/sample.csv: ``QID2_TEXT``)."""
    path = write_rows(tmp_path / "q.csv", _qualtrics_rows(
        ["Q4", "Q4_10_TEXT", "Q5_1", "Q5_8", "Q5_8_TEXT"],
        [ROLE, f"{ROLE} - Anders - Text", f"{PLATFORMS} - Selected Choice - Twitter",
         f"{PLATFORMS} - Selected Choice - Anders", f"{PLATFORMS} - Anders - Text"],
        ["10", "hondengeleider", "1", "1", "Mastodon"]))
    columns = draft_mapping(path).columns
    assert columns["Q4"] == "role" and columns["Q4_10_TEXT"] is None
    assert columns["Q5_8"] == "platforms_other" and columns["Q5_8_TEXT"] is None


@pytest.mark.parametrize("specify", ["Anders (geef op)", "Other (please specify)"])
def test_surveymonkey_specify_column_is_the_other_text(tmp_path, specify):
    """SurveyMonkey writes the typed "other" text in a column of its own, headed "Other (please specify)"
    ("Anders (geef op)" in Dutch) in the second header row (ajturner/dc-elections, src/utils/response.ts)."""
    path = write_rows(tmp_path / "sm.csv", [
        ["Respondent ID", "Collector ID", ROLE, "", PLATFORMS, "", ""],
        ["", "", "Response", specify, "Twitter", "Facebook", specify],
        ["1", "9", "Anders", "hondengeleider", "Twitter", "", "Mastodon"],
    ])
    columns = draft_mapping(path).columns
    assert columns[f"{ROLE} - {specify}"] is None
    assert columns[f"{PLATFORMS} - {specify}"] == "platforms_other"


@pytest.mark.parametrize("suffix", ["_tekst", "_TEXT", "_other"])
def test_spss_string_variable_of_other_text_is_not_the_item(tmp_path, suffix):
    """An SPSS file keeps the typed "other" text as a string variable next to the option (``v5_8_tekst``
    in Dutch files, Qualtrics-written ones ``Q5_8_TEXT``); it is never the multi-select item itself."""
    frame = pd.DataFrame({"v4": [1.0, 10.0], "v5_1": [1.0, 0.0], "v5_8": [0.0, 1.0], f"v5_8{suffix}": ["", "Mastodon"]})
    labels = {"v4": ROLE, "v5_1": f"{PLATFORMS} Twitter", "v5_8": f"{PLATFORMS} Anders",
              f"v5_8{suffix}": f"{PLATFORMS} Anders, namelijk"}
    pyreadstat.write_sav(frame, str(tmp_path / "o.sav"), column_labels=labels)
    columns = draft_mapping(tmp_path / "o.sav").columns
    assert columns.get(f"v5_8{suffix}") in (None, "platforms_other")
    assert "platforms" not in columns.values()
    assert list(columns.values()).count("platforms_other") <= 1


def test_forms_single_choice_typed_other_is_the_items_other_answer(tmp_path):
    """Google Forms writes the text typed after "Anders:" into the single-choice answer cell: a value
    that is no option of the question is its "other" answer (role 10 "Anders"; organisation 99, the
    code of its group "other")."""
    path = write_rows(tmp_path / "gf.csv", [
        ["Tijdstempel", ROLE, "Bij welke organisatie werkt u?"],
        ["1-6-2011 10:00:00", "Wijkagent", "Politie Zeeland"],
        ["1-6-2011 10:05:00", "hondengeleider", "Gemeente Utrecht"],
    ])
    values = yaml.safe_load(draft_mapping(path).text)["values"]
    assert values["role"] == {"hondengeleider": 10}
    assert values["organisation"] == {"Gemeente Utrecht": 99}


def test_forms_multi_select_keeps_what_is_left_after_the_options_as_other(codebook):
    """Google / Microsoft Forms write a multi-select in one cell, the typed "other" text after the
    ticked options: what is left after the known options ticks "other" and is kept as its text."""
    split = split_multi(codebook["platforms"], ["Twitter, Facebook, Mastodon", "LinkedIn"], None, {})
    assert split.options["platforms_other"] == ["1", "0"]
    assert split.options["platforms_twitter"] == ["1", "0"] and split.other_texts == ["Mastodon", ""]


@pytest.mark.parametrize("stamp, email", [("Horodateur", "Adresse e-mail"), ("Zeitstempel", None),
                                          ("Marca temporal", None)])
def test_forms_time_stamp_and_email_in_the_account_language_are_the_tools_own(tmp_path, stamp, email):
    """Google Forms names its time-stamp (and e-mail) column in the form owner's language: a French
    export starts "Horodateur,Adresse e-mail," (shoklah/Olympic-Warriors,
    server/olympic_warriors/tests/fixtures/registration_2026_sample.csv). Every time stamp that
    shows the layout is also dropped as the tool's own column, not left as an unknown question."""
    own = [stamp] + ([email] if email else [])
    path = write_rows(tmp_path / "gf.csv", [
        own + [ROLE, AGE],
        ["10/06/2011 09:00:00"] + (["a@example.org"] if email else []) + ["Wijkagent", "25-34"],
    ])
    table = read_table(path)
    assert table.layout == "forms" and table.metadata_columns == own
    columns = draft_mapping(path).text.split("\ncolumns:\n", 1)[1]
    assert not [c for c in own if f'"{c}"' in columns]
