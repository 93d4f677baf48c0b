"""Ticks in any language: a wildcard never decides a column holding two answers, the 'other' column's
"N/A", every recorded LimeSurvey export, and abbreviated 'other' headings (issue 20, part 3).

Evidence (third-party files read, none committed; the exports below are written by these tests):
  - LimeSurvey 6.14 (public repository dvdgp9/happy-ebone, commit fc6e5382, the release run on this
    machine for data/examples/limesurvey/): locale/<lang>/<lang>.mo translate "Yes" / "No" as da and sv
    "Ja" / "Nej", pl "Tak" / "Nie", pt "Sim" / "Não", es "Sí" / "No", it "Sì" / "No" ("N/A" untranslated),
    and "Other" as nl "Overige", en "Other", de "Sonstiges", fr "Autre".
    application/helpers/common_helper.php names the 'other' column of a multiple choice gT('Other') (the
    heading's "[Overige]"); application/helpers/admin/export/SurveyObj.php writes that column's answer code
    as it is (the typed text, empty when not ticked), never "N/A".
  - Qualtrics writes a "Selected Choice" column as the choice's text or its number, else empty
    (davemosk/FinSL-signbank, docs/validation_result_model.md); SurveyMonkey writes the option's text under
    the option's column, else empty (ajturner/dc-elections, src/utils/response.ts); Google Forms writes the
    ticked options of a checkbox question in one cell joined by ", " (kunalgorithm/surveycovid19,
    data/data.js, rows of source "Google2"), which the loader splits into 1 / 0 per option.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

import analysis
from analysis.core.errors import SurveyDataError
from analysis.core.paths import PROJECT_ROOT
from analysis.pipeline import cli
from analysis.survey.codebook import load_codebook
from analysis.survey.cells import MARKED_NOT_ANSWERED, tick_word
from analysis.survey.loader import load, load_with_log
from analysis.survey.mapping import Mapping
from analysis.survey.mapping_draft import draft_mapping
from analysis.survey.reading import read_table
from analysis.survey.summary import problems_overview
from support import write_rows
from test_ticks import _long_answers, _multi_columns

RECORDED = PROJECT_ROOT / "data" / "examples" / "limesurvey"
#: LimeSurvey 6.14's gT('Yes') / gT('No') in interface languages the loader has no word list for.
UNLISTED = {"da": ("Ja", "Nej"), "sv": ("Ja", "Nej"), "pl": ("Tak", "Nie"), "pt": ("Sim", "Não")}
WILDCARD_MESSAGE = "the mapping's wildcard"


def _export(tmp_path, bundled_rows, survey, codebook, yes: str, no: str, name: str = "long.csv"):
    """The bundled export with LimeSurvey's long answers in `yes` / `no`, and its 'other' column as
    LimeSurvey writes it: the typed text when ticked, else empty."""
    rows = _long_answers(bundled_rows, survey, codebook, yes, no)
    k = rows[0].index("platforms_other")
    for r in rows[1:]:
        r[k] = {yes: "Wijkapp"}.get(r[k], "")
    return write_rows(tmp_path / name, rows)


def _mapping(tmp_path, codebook, values: dict, items: list[str] | None = None) -> str:
    """A mapping deciding the tick values of `items` (every multi-select item) by `values`."""
    items = items or [i.id for i in codebook.items if i.type == "multi"]
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump({"scales": {"ticks": {"columns": items, "values": values}}}, allow_unicode=True),
                    encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("lang", list(UNLISTED))
def test_a_wildcard_over_a_column_with_two_answers_is_refused_in_any_language(
        tmp_path, bundled_rows, survey, codebook, lang, capsys):
    """`"*": 1` over Danish "Ja" / "Nej" (no word list knows "Nej") would count every "no" as ticked: it is
    refused by principle, one problem per option column naming file, line, column, both answers and what to
    write instead; `validate` exits 2. The 'other' text column, which holds typed texts, is not refused."""
    yes, no = UNLISTED[lang]
    path = _export(tmp_path, bundled_rows, survey, codebook, yes, no)
    mapping = _mapping(tmp_path, codebook, {"*": 1})
    with pytest.raises(SurveyDataError) as caught:
        load(path, mapping=mapping, wave="2011")  # the wave named: refused, the export fits no wave
    refused = {p.column: p for p in caught.value.problems if p.message.startswith(WILDCARD_MESSAGE)}
    options = [c for c in _multi_columns(survey, codebook) if c != "platforms_other" and (survey[c] == 0).any()]
    assert sorted(refused) == sorted(options)
    twitter = refused["platforms_twitter"]
    decided = survey["platforms_twitter"].eq(0) | (survey["platforms_twitter"].eq(1) & (tick_word(yes) is None))
    assert (twitter.file, twitter.line) == (str(path), 2 + int(np.flatnonzero(decided)[0]))
    assert no in twitter.value and yes in twitter.value and twitter.count == int(decided.sum())
    assert "values: platforms_twitter" in twitter.expected and f'"{no}": ?' in twitter.expected
    assert cli.main(["validate", str(path), "--mapping", mapping, "--wave", "2011"]) == 2
    assert WILDCARD_MESSAGE in capsys.readouterr().err
    mapping = _mapping(tmp_path, codebook, {"*": 1, no: 0, "N/A": None})  # the wildcard now stands for one answer
    frame = load(path, mapping=mapping)
    cols = _multi_columns(survey, codebook)
    pd.testing.assert_frame_equal(frame[cols], survey[cols])


@pytest.mark.parametrize("tick", ["label", "1"])
def test_a_wildcard_over_one_answer_still_ticks(tmp_path, bundled_rows, survey, codebook, tick):
    """Qualtrics (choice text, or its number) and SurveyMonkey (the option's text) write one answer per
    option column, else empty: `"*": 1` stands for that one answer and loads the bundled ticks."""
    rows = [list(r) for r in bundled_rows]
    for option, col in zip(codebook["platforms"].options, codebook["platforms"].columns):
        k = rows[0].index(col)
        for r in rows[1:]:
            r[k] = (option.labels["nl"] if tick == "label" else "1") if r[k] == "1" else ""
    frame = load(write_rows(tmp_path / "one.csv", rows), mapping=_mapping(tmp_path, codebook, {"*": 1}, ["platforms"]))
    cols = codebook["platforms"].columns
    answered = survey[cols].eq(1).any(axis=1)  # nothing ticked is written as not answered
    pd.testing.assert_frame_equal(frame.loc[answered, cols], survey.loc[answered, cols])


@pytest.mark.parametrize("word", ["Nee", "N/A"])
def test_a_column_where_everyone_answered_no_is_never_a_tick(tmp_path, bundled_rows, survey, codebook, word):
    """One distinct answer that means "no" or "not answered" (every respondent said no) is not what a
    wildcard stands for: `"*": 1` is refused naming it, and the draft decides it by its meaning."""
    rows = _long_answers(bundled_rows, survey, codebook, "Ja", "Nee")
    k = rows[0].index("platforms_youtube")
    for r in rows[1:]:
        r[k] = word
    path = write_rows(tmp_path / "no.csv", rows)
    with pytest.raises(SurveyDataError) as caught:
        load(path, mapping=_mapping(tmp_path, codebook, {"*": 1}), wave="2011")
    youtube = [p for p in caught.value.problems if p.column == "platforms_youtube"]
    assert len(youtube) == len(rows) - 1 and {p.value for p in youtube} == {word}
    draft = draft_mapping(path)
    assert not [t for t in draft.todo if t.startswith("platforms_youtube")]
    frame = load(path, mapping=Mapping.from_dict(yaml.safe_load(draft.text)))
    assert (frame["platforms_youtube"] == 0).all() if word == "Nee" else frame["platforms_youtube"].isna().all()


def test_the_draft_leaves_an_unknown_no_word_as_todo_in_every_option_column(tmp_path, bundled_rows, survey, codebook):
    """A Danish LimeSurvey export: the draft writes "Ja": 1 and "N/A": null (words it knows), never `"*": 1`
    over an option column, and leaves "Nej" a TODO in each option column; the 'other' column's typed texts
    are the only wildcard."""
    draft = draft_mapping(_export(tmp_path, bundled_rows, survey, codebook, "Ja", "Nej"))
    assert '"Ja": 1' in draft.text and '"N/A": null' in draft.text
    assert draft.text.count('"*": 1') == 1 and "platforms_other:" in draft.text
    options = [c for c in _multi_columns(survey, codebook) if c != "platforms_other" and (survey[c] == 0).any()]
    assert sorted(draft.todo) == sorted(f"{c}: Nej" for c in options)


def test_na_in_the_other_column_of_an_answered_question_is_not_ticked(tmp_path, bundled_rows, survey, codebook):
    """The draft's mapping ("N/A": null for the item, `"*": 1` for the typed 'other' text): "N/A" in the
    'other' column of a respondent who answered the question counts as 'other' not ticked (0); for one who
    did not answer it (every option "N/A") it stays missing."""
    rows = _long_answers(bundled_rows, survey, codebook, "Ja", "Nee")
    k = rows[0].index("platforms_other")
    for r in rows[1:]:
        r[k] = {"Ja": "Wijkapp"}.get(r[k], "")
    answered = next(n for n, r in enumerate(rows[1:], 1) if r[k] == "")
    rows[answered][k] = "N/A"
    skipped = next(n for n, r in enumerate(rows[1:], 1) if n != answered and r[k] == "")
    for col in codebook["platforms"].columns:
        rows[skipped][rows[0].index(col)] = "N/A"
    path = write_rows(tmp_path / "other.csv", rows)
    frame, log = load_with_log(path, mapping=Mapping.from_dict(yaml.safe_load(draft_mapping(path).text)))
    assert frame.loc[answered - 1, "platforms_other"] == 0
    assert frame.loc[skipped - 1, codebook["platforms"].columns].isna().all()
    expected = survey["platforms_other"].copy()
    expected[skipped - 1] = float("nan")
    pd.testing.assert_series_equal(frame["platforms_other"], expected)
    assert log.missing_reasons["platforms_other"][MARKED_NOT_ANSWERED] == 1  # the respondent who skipped it


RECORDED_FILES = sorted(p.name for p in RECORDED.glob("responses_*.csv")) + [
    "responses_nl_full_long.xlsx", "responses_en_full_long.xlsx"]


@pytest.fixture(scope="module")
def bundled_2026() -> pd.DataFrame:
    path = PROJECT_ROOT / "data" / "raw" / "politie20_survey_2026_synthetic.csv"
    return analysis.load(path).set_index("respondent_id")


@pytest.mark.parametrize("name", RECORDED_FILES)
def test_every_recorded_export_loads_the_bundled_ticks(name, bundled_2026):
    """Each export LimeSurvey 6.14 wrote of this survey (headings code / full / abbreviated, answers short /
    long, nl and en; see PROVENANCE.md) loads its multi-select columns, the 'other' column included, as the
    bundled rows of the same respondents (S0001-S0060). The generated mapping is used with each file's own
    headings (same column order). Short answers cannot tell nothing ticked from not answered: those load as
    not answered."""
    codebook = load_codebook().for_wave("2026")
    generated = yaml.safe_load((RECORDED / "politie20_2026_mapping.yaml").read_text(encoding="utf-8"))
    codes = read_table(RECORDED / "responses_nl_code_short.csv").header
    headings = dict(zip(read_table(RECORDED / name).header, codes))
    columns = {h: generated["columns"][c] for h, c in headings.items() if c in generated["columns"]}
    loaded = analysis.load(RECORDED / name, mapping=Mapping.from_dict({**generated, "columns": columns}),
                           codebook=codebook)
    bundled = bundled_2026.loc[loaded["respondent_id"]].reset_index()
    assert len(loaded) == 60
    for item in [i for i in codebook.items if i.type == "multi"]:
        cols = item.columns
        expected = bundled[cols].copy()
        if "_short" in name:
            expected.loc[(expected == 0).all(axis=1)] = float("nan")
        pd.testing.assert_frame_equal(loaded[cols], expected, check_dtype=False)
    assert loaded["platforms_other"].sum() == 6


@pytest.mark.parametrize("word", ["Overige", "Other", "Sonstiges", "Autre"])
def test_abbreviated_other_heading_is_drafted_to_the_items_other_column(tmp_path, word):
    """LimeSurvey's abbreviated headings name the 'other' column gT('Other') in the interface language
    ("Welke social me..  [Overige]", data/examples/limesurvey/responses_nl_abbreviated_long.csv): the draft
    maps it to platforms_other in nl, en, de and fr."""
    text = (RECORDED / "responses_nl_abbreviated_long.csv").read_text(encoding="utf-8-sig")
    assert "[Overige]" in text
    path = tmp_path / "abbreviated.csv"
    path.write_text(text.replace("[Overige]", f"[{word}]"), encoding="utf-8")
    draft = draft_mapping(path, wave="2026")
    assert draft.columns[f"Welke social me..  [{word}]"] == "platforms_other"
    assert "platforms_other" not in draft.todo


def test_validate_hints_never_guess_a_tick_for_an_unknown_word(tmp_path, bundled_rows, survey, codebook):
    """Without a mapping, the Danish "Nej" is no 0/1 answer the loader knows: the lines `validate` offers to
    paste leave it to decide (null with a TODO), never "Nej": 1."""
    path = _export(tmp_path, bundled_rows, survey, codebook, "Ja", "Nej")
    with pytest.raises(SurveyDataError) as caught:
        load(path, wave="2011")
    overview = problems_overview(caught.value, wave="2011")
    assert '    "Nej": null  # ' in overview and "TODO decide" in overview
    assert '"Nej": 1' not in overview
