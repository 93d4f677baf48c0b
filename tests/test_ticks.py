"""Tick conventions of the survey tools, and empty responses (issue 20, parts 3 and 6).

Evidence (third-party files read, none committed; the exports below are written by these tests):
  - LimeSurvey 6.14 (public repository dvdgp9/happy-ebone, commit fc6e5382, the release tree run on
    this machine for data/examples/limesurvey/): application/helpers/admin/export/SurveyObj.php writes a
    multiple-choice option as gT('Yes') when ticked ('Y'), gT('No') when shown and not ticked (''), and
    gT('N/A') otherwise (NULL: not answered), in the export's language; an '[other]' column holds the typed
    text as it is. locale/<lang>/<lang>.mo: nl "Ja"/"Nee", de "Ja"/"Nein", fr "Oui"/"Non", en "Yes"/"No";
    "N/A" is untranslated in all 123 locales. Recorded: data/examples/limesurvey/responses_*_long.csv.
  - Qualtrics (davemosk/FinSL-signbank, docs/validation_result_model.md): a "Selected Choice" column
    holds the choice's text (or its number with numeric values) or is empty; metadata columns
    "Progress" and "Finished" show that responses in progress are exported with the finished ones.
  - Unfinished, empty responses: LimeSurvey exports them with completion status "all"
    (cloudyr/limer issue #64; LimeSurvey pull request #5087 "empty responses export cleanly").
"""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.core.errors import SurveyDataError
from analysis.report.assembly import methods_appendix
from analysis.survey.cells import tick_word
from analysis.survey.loader import load, load_with_log
from analysis.survey.mapping import Mapping
from analysis.survey.mapping_draft import draft_mapping
from support import write_rows

#: LimeSurvey 6.14's gT('Yes') / gT('No') per interface language (locale/<lang>/<lang>.mo).
LIMESURVEY_WORDS = {"nl": ("Ja", "Nee"), "en": ("Yes", "No"), "de": ("Ja", "Nein"), "fr": ("Oui", "Non")}


def _multi_columns(survey: pd.DataFrame, codebook) -> list[str]:
    return [c for i in codebook.items if i.type == "multi" for c in i.columns if c in survey.columns]


def _long_answers(bundled_rows, survey, codebook, yes: str, no: str) -> list[list[str]]:
    """The bundled export with LimeSurvey's long answers in the option columns: yes, no, and "N/A" in
    every option of a question not answered."""
    rows = [list(r) for r in bundled_rows]
    header = rows[0]
    for col in _multi_columns(survey, codebook):
        k = header.index(col)
        for r in rows[1:]:
            r[k] = {"1": yes, "0": no, "": "N/A"}[r[k]]
    return rows


@pytest.mark.parametrize("lang", list(LIMESURVEY_WORDS))
def test_limesurvey_long_answers_load_by_their_meaning_in_every_interface_language(
        tmp_path, bundled_rows, survey, codebook, lang):
    """Ja/Yes/Oui ticked, Nee/No/Nein/Non not ticked, N/A not answered: no mapping needed, the frame is
    the bundled one (Twitter is not over-counted as in the issue's 60 of 73 for 55 of 68)."""
    yes, no = LIMESURVEY_WORDS[lang]
    path = write_rows(tmp_path / f"long_{lang}.csv", _long_answers(bundled_rows, survey, codebook, yes, no))
    frame, log = load_with_log(path)
    cols = _multi_columns(survey, codebook)
    pd.testing.assert_frame_equal(frame[cols], survey[cols])
    assert sum(log.questions_not_answered.values()) > 0


@pytest.mark.parametrize("entry", [{"*": 1}, {"N/A": 1, "Nee": "ja"}], ids=["wildcard", "explicit"])
def test_a_mapping_that_ticks_no_or_not_answered_is_refused_naming_file_line_column_value(
        tmp_path, bundled_rows, survey, codebook, entry):
    """The issue's draft wrote `"*": 1`, so "Nee" and "N/A" counted as ticked: such a mapping (or an
    explicit entry doing the same) is refused, each problem naming file, line, column and value."""
    path = write_rows(tmp_path / "long.csv", _long_answers(bundled_rows, survey, codebook, "Ja", "Nee"))
    (tmp_path / "m.yaml").write_text(yaml.safe_dump({"scales": {"ticks": {"columns": ["platforms"],
                                                                           "values": entry}}}), encoding="utf-8")
    with pytest.raises(SurveyDataError) as caught:
        load(path, mapping=tmp_path / "m.yaml")
    refused = [p for p in caught.value.problems if "counts a value that means" in p.message]
    assert {p.value for p in refused} == {"Nee", "N/A"}
    assert {p.column for p in refused} <= set(codebook["platforms"].columns)
    assert all(p.file == str(path) and p.line and p.column for p in refused)
    twitter = [p for p in refused if p.column == "platforms_twitter"]
    assert len(twitter) == int((survey["platforms_twitter"] != 1).sum())  # every such cell named


def test_na_typed_in_an_other_text_column_is_never_a_tick(tmp_path, bundled_rows, survey):
    """LimeSurvey writes the '[other]' column as typed (SurveyObj.php): "N/A" typed there is refused under
    the generated mapping's `"*": 1`, and reads as not ticked once the mapping says so."""
    rows = [list(r) for r in bundled_rows]
    k = rows[0].index("platforms_other")
    rows[0][k] = "platforms[other]"
    for r in rows[1:]:
        r[k] = {"1": "Wijkapp", "0": ""}.get(r[k], r[k])
    rows[1][k] = "N/A"
    path = write_rows(tmp_path / "other.csv", rows)
    (tmp_path / "m.yaml").write_text('columns:\n  "platforms[other]": platforms_other\n'
                                     'values:\n  platforms_other: {"*": 1}\n', encoding="utf-8")
    with pytest.raises(SurveyDataError) as caught:
        load(path, mapping=tmp_path / "m.yaml")
    (problem,) = caught.value.problems
    assert (problem.line, problem.column, problem.value) == (2, "platforms[other]", "N/A")
    (tmp_path / "m.yaml").write_text('columns:\n  "platforms[other]": platforms_other\n'
                                     'values:\n  platforms_other: {"*": 1, "N/A": 0}\n', encoding="utf-8")
    frame = load(path, mapping=tmp_path / "m.yaml")
    assert frame.loc[0, "platforms_other"] == 0
    assert frame["platforms_other"].sum() == survey["platforms_other"].iloc[1:].sum()


def test_tick_words():
    """The words of LimeSurvey's locales for nl, en, de and fr; Qualtrics' 1; empty and N/A are missing."""
    for yes, no in LIMESURVEY_WORDS.values():
        assert (tick_word(yes), tick_word(no)) == (1.0, 0.0)
    assert np.isnan(tick_word("N/A")) and np.isnan(tick_word("")) and tick_word("1") == 1.0
    assert tick_word("Twitter") is None


def test_draft_decides_each_tick_value_instead_of_a_wildcard(tmp_path, bundled_rows, survey, codebook):
    """The draft lists the values it saw in the tick columns and decides each: tick words once (Ja 1,
    Nee 0, N/A null), the option's own text per column (Qualtrics choice text), anything else TODO."""
    rows = _long_answers(bundled_rows, survey, codebook, "Ja", "Nee")
    header = rows[0]
    k = header.index("resistance_work_floor")
    label = codebook["resistance"].options[0].labels["nl"]
    for r in rows[1:]:
        r[k] = {"Ja": label, "Nee": ""}.get(r[k], r[k])
    first = next(n for n, r in enumerate(rows) if r[k] == label)
    rows[first][k] = "misschien"
    draft = draft_mapping(write_rows(tmp_path / "d.csv", rows))
    text = draft.text
    assert '"*": 1' not in text.replace('"*": 1  # typed', "")
    assert '"Ja": 1' in text and '"Nee": 0' in text and '"N/A": null' in text
    assert draft.todo == ["resistance_work_floor: misschien"]
    rows[first][k] = label
    draft = draft_mapping(write_rows(tmp_path / "d.csv", rows))
    assert json.dumps(label) + ": 1  # the option's own text" in draft.text
    frame = load(tmp_path / "d.csv", mapping=Mapping.from_dict(yaml.safe_load(draft.text)))
    cols = _multi_columns(survey, codebook)
    pd.testing.assert_frame_equal(frame[cols], survey[cols])


# --- empty responses -------------------------------------------------------------------------------

def _with_empty_rows(bundled_rows, after: tuple[int, ...] = (3, 10, 20, 30, 40)) -> list[list[str]]:
    """The bundled rows with an unfinished empty response (an id, nothing answered) after each row in `after`;
    the 'synthetic' flag is set, as a tool's own columns would be."""
    header = bundled_rows[0]
    out = [list(header)]
    for k, row in enumerate(bundled_rows[1:]):
        out.append(list(row))
        if k in after:
            empty = [""] * len(header)
            empty[header.index("respondent_id")] = f"E{k}"
            empty[header.index("synthetic")] = "1"
            out.append(empty)
    return out


def test_empty_responses_are_left_out_and_named_in_the_data_log(tmp_path, bundled_rows, survey):
    """Five empty responses among the real ones: the respondent count excludes them, the load log names
    each (line and id) and the frame is the bundled one."""
    path = write_rows(tmp_path / "empty.csv", _with_empty_rows(bundled_rows))
    frame, log = load_with_log(path)
    assert len(frame) == log.respondents == len(survey)
    pd.testing.assert_frame_equal(frame, survey, check_like=False)
    assert [e["respondent"] for e in log.empty_responses] == ["E3", "E10", "E20", "E30", "E40"]
    assert [e["line"] for e in log.empty_responses] == [6, 14, 25, 36, 47]
    assert "5 empty response(s) left out" in " ".join(log.notes)
    assert json.loads(json.dumps(log.as_dict()))["empty_responses"][0] == {"line": 6, "respondent": "E3"}


def test_empty_responses_with_empty_ids_and_na_options_are_left_out(tmp_path, bundled_rows, survey, codebook):
    """A LimeSurvey long-answer export of this survey: the respondent id is a question (empty when unfinished)
    and every option of an unanswered multiple choice is "N/A"."""
    rows = _with_empty_rows(_long_answers(bundled_rows, survey, codebook, "Yes", "No"), after=(0, 5))
    header = rows[0]
    for r in rows[1:]:
        if r[header.index("respondent_id")].startswith("E"):
            r[header.index("respondent_id")] = ""
            for col in _multi_columns(survey, codebook):
                r[header.index(col)] = "N/A"
    frame, log = load_with_log(write_rows(tmp_path / "empty.csv", rows))
    assert len(frame) == len(survey)
    assert log.empty_responses == [{"line": 3, "respondent": None}, {"line": 9, "respondent": None}]


def test_a_response_with_one_answer_is_not_empty(tmp_path, bundled_rows):
    rows = _with_empty_rows(bundled_rows, after=(0,))
    rows[2][rows[0].index("knowledge")] = "3"
    frame, log = load_with_log(write_rows(tmp_path / "one.csv", rows))
    assert len(frame) == len(bundled_rows) and log.empty_responses == []


def test_an_export_of_only_empty_responses_is_refused(tmp_path, bundled_rows):
    rows = _with_empty_rows(bundled_rows, after=(0, 1))
    rows = [rows[0], rows[2], rows[4]]
    with pytest.raises(SurveyDataError, match="every response is empty"):
        load(write_rows(tmp_path / "none.csv", rows))


def test_methods_appendix_names_the_empty_responses():
    context = {"source": "x.csv", "sha256": "0", "detected": "CSV", "n": 68, "codebook_version": "1",
               "level": "95", "alpha": "0.05", "k": 5, "profile": "standard", "hidden": 0, "primary": 0,
               "secondary": 0, "linked": 0, "derived": 0, "zero": 0, "respondents_hidden": 0, "showable": 0,
               "synthetic": True}
    assert "Empty responses" not in methods_appendix("en", context)
    text = methods_appendix("en", {**context, "empty_responses": 5})
    assert "Empty responses left out (no answer to any question" in text and "): 5; they are not among the 68" in text
    assert "Lege responsen weggelaten" in methods_appendix("nl", {**context, "empty_responses": 5})
