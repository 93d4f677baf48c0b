"""The questionnaire generated from the codebook: the LimeSurvey survey file, its mapping, the
printable page (HTML, PDF), the report's questionnaire appendix, and the export of a real LimeSurvey
6.14 (recorded by scripts/limesurvey_roundtrip.py)."""
from __future__ import annotations

import csv
import dataclasses
import functools
import html as htmllib
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

import analysis
from analysis.core.errors import SurveyDataError
from analysis.survey.codebook import load_codebook
from analysis.survey.layouts import numbered
from analysis.survey.questionnaire import (HEADINGS, NOT_ASKED_TYPES, build_questionnaire, mapping, mapping_path,
                                           pdf, write_questionnaire)

ROOT = Path(__file__).resolve().parents[1]
RECORDED = ROOT / "data" / "examples" / "limesurvey"
BUNDLED = ROOT / "data" / "raw" / "politie20_survey_2026_synthetic.csv"
WAVE = "2026"
CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("questionnaire") / "wave.lss"
    write_questionnaire(WAVE, "lss", out)
    return out


def _codebook():
    return load_codebook().for_wave(WAVE)


def test_lss_is_well_formed_with_every_item_of_the_wave(written):
    root = ET.parse(written).getroot()
    assert root.findtext("LimeSurveyDocType") == "Survey"
    assert [e.text for e in root.find("languages")] == ["nl", "en"]
    assert root.find("surveys/rows/row/language").text == "nl"
    titles = {r.findtext("title") for r in root.findall("questions/rows/row")}
    subtitles = {r.findtext("title") for r in root.findall("subquestions/rows/row")}
    answers = {r.findtext("code") for r in root.findall("answers/rows/row")}
    assert all(CODE.match(c) and len(c) <= 20 for c in titles | subtitles)
    assert all(CODE.match(c) and len(c) <= 5 for c in answers)
    questionnaire = build_questionnaire(_codebook())
    asked = {i.id for i in _codebook().items if i.type not in NOT_ASKED_TYPES}
    assert {i.id for q in questionnaire.questions for i in q.items} == asked
    assert {q.code for q in questionnaire.questions} == titles
    groups = [r.findtext("group_name") for r in root.findall("group_l10ns/rows/row")
              if r.findtext("language") == "nl"]
    assert groups == [labels["nl"] for theme, labels in _codebook().themes if questionnaire.of_theme(theme)]


def test_question_types_follow_the_item_types():
    kinds = {q.items[0].id: q.type for q in build_questionnaire(_codebook()).questions}
    assert kinds["organisation"] == "!" and kinds["role"] == "L" and kinds["respondent_id"] == "S"
    assert kinds["opp_investigation"] == "F" and kinds["platforms"] == "M" and kinds["barriers_open"] == "T"
    platforms = next(q for q in build_questionnaire(_codebook()).questions if q.items[0].id == "platforms")
    assert platforms.other is not None and platforms.other.column == "platforms_other"
    grid = next(q for q in build_questionnaire(_codebook()).questions if q.items[0].id == "opp_investigation")
    assert [a.code for a in grid.answers] == ["A1", "A2", "A3", "A4", "A5", "A9"]


def test_generated_files_are_deterministic(written, tmp_path):
    again = tmp_path / "wave.lss"
    write_questionnaire(WAVE, "lss", again)
    assert again.read_bytes() == written.read_bytes()
    assert mapping_path(again).read_bytes() == mapping_path(written).read_bytes()


def test_bundled_survey_file_is_the_generated_one(written):
    """The committed survey file and mapping are what the generator writes today."""
    assert (RECORDED / "politie20_2026.lss").read_bytes() == written.read_bytes()
    assert (RECORDED / "politie20_2026_mapping.yaml").read_bytes() == mapping_path(written).read_bytes()


def test_mapping_file_reads_as_the_mapping_with_every_heading_once(written):
    """The hand-laid YAML (one commented block per heading style) reads back as :func:`mapping`."""
    from analysis.survey.mapping import Mapping

    expected = mapping(build_questionnaire(_codebook()))
    read = Mapping.read(mapping_path(written))
    assert read.columns == {h.strip(): col for h, col in expected["columns"].items()}
    assert set(read.values) == set(expected["values"]) and set(read.scales) == set(expected["scales"])


def test_mapping_refuses_a_heading_that_stands_for_two_columns():
    """A question whose Dutch text is another question's English text: a full-text heading would
    stand for two codebook columns, so no mapping is written."""
    questionnaire = build_questionnaire(_codebook())
    role, age = questionnaire.questions[3], questionnaire.questions[4]
    twin = dataclasses.replace(age, text={"nl": role.text["en"], "en": age.text["en"]})
    broken = dataclasses.replace(questionnaire, questions=questionnaire.questions[:4] + (twin,)
                                 + questionnaire.questions[5:])
    with pytest.raises(SurveyDataError, match="share the export heading"):
        mapping(broken)


NL_FIRST, EN_FIRST = "Bij welke organisatie werkt u?", "Which organisation do you work for?"


def test_html_page_has_both_languages_dutch_first(tmp_path):
    page = write_questionnaire(WAVE, "html", tmp_path / "q.html")[0].read_text(encoding="utf-8")
    assert "<html lang='nl'>" in page and "Respondentnummer" not in page and "Respondent number" not in page
    assert 0 < page.index(f"<b>1.</b> {NL_FIRST}") < page.index(f"<b>1.</b> {EN_FIRST}")
    assert page.count("<b>1.</b>") == 2
    english = write_questionnaire(WAVE, "html", tmp_path / "en.html", langs=("en",))[0].read_text(encoding="utf-8")
    assert EN_FIRST in english and NL_FIRST not in english


def test_pdf_holds_the_numbered_questions_dutch_first_and_gives_the_same_bytes(tmp_path):
    """WeasyPrint lays the page out (it needs Pango, present here); pypdf (pinned) reads its text back."""
    from pypdf import PdfReader

    first = write_questionnaire(WAVE, "pdf", tmp_path / "q.pdf")[0]
    short = dataclasses.replace(build_questionnaire(_codebook()),
                                questions=build_questionnaire(_codebook()).questions[:4])
    assert pdf(short) == pdf(short)  # same bytes: no creation date, fonts stamped with a fixed date
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(first).pages]
    assert len(pages) >= 2
    text = " | ".join(pages)
    shown = [q for q in build_questionnaire(_codebook()).questions if not q.hidden]
    assert 0 <= text.index(f"1. {NL_FIRST}") < text.index(f"1. {EN_FIRST}")
    for lang in ("nl", "en"):  # every question, numbered, in both languages
        assert f"{len(shown)}. {shown[-1].text[lang]}" in text, lang
    assert pages[0].startswith(_codebook().title["nl"].split()[0])
    assert "Respondentnummer" not in text


@pytest.mark.parametrize("lang, heading, dont_know", [("nl", "Bijlage: vragenlijst", "Weet niet"),
                                                      ("en", "Appendix: questionnaire", "Don't know")])
def test_report_questionnaire_appendix_in_the_report_language(written, lang, heading, dont_know):
    """The appendix of the report (assembled without chapters, so no build): the reported wave's
    questions numbered as the printable questionnaire numbers them, their answers, and the routing
    sentence, which the generated survey file bears out (every question shown: relevance 1)."""
    from analysis.report.assembly import assemble

    context = {"source": "x.csv", "sha256": "0", "detected": "CSV", "n": 60, "codebook_version": "1",
               "level": "95", "alpha": "0.05", "k": 5, "profile": "standard", "hidden": 0, "primary": 0,
               "secondary": 0, "linked": 0, "derived": 0, "zero": 0, "respondents_hidden": 0, "showable": 0,
               "synthetic": True, "wave": WAVE}
    page = assemble([], lang, context)
    appendix = page[page.index('<section class="questionnaire"'):]
    assert f">{heading}</h2>" in appendix and f">{heading}</a>" in page  # and in the contents
    shown = [q for q in build_questionnaire(_codebook()).questions if not q.hidden]
    numbers = [int(n) for n in re.findall(r"<b>(\d+)\.</b>", appendix)]
    assert numbers == list(range(1, len(shown) + 1))
    for q in shown:
        assert htmllib.escape(q.text[lang]) in appendix, q.code
    assert f"<th scope='col'>{htmllib.escape(dont_know)}</th>" in appendix
    other = "nl" if lang == "en" else "en"
    assert htmllib.escape(shown[0].text[other]) not in appendix
    assert "platforms_instagram" in _codebook().columns()  # the 2026 wave: Instagram asked, Hyves not
    assert "Instagram" in appendix and "Hyves" not in appendix
    assert ("no routing" if lang == "en" else "geen routing") in appendix
    relevance = {r.findtext("relevance") for r in ET.parse(written).getroot().findall("questions/rows/row")}
    assert relevance == {"1"}


# --- the export of a real LimeSurvey 6.14.0 ------------------------------------------------------

def _same(a: pd.Series, b: pd.Series) -> bool:
    return a.astype(object).where(a.notna(), None).tolist() == b.astype(object).where(b.notna(), None).tolist()


@functools.lru_cache(maxsize=1)
def _bundled() -> pd.DataFrame:
    return analysis.load(BUNDLED, codebook=_codebook()).set_index("respondent_id")


def _bundled_rows(respondents: pd.Series) -> pd.DataFrame:
    return _bundled().loc[list(respondents)].reset_index()


def _ticked_none(frame: pd.DataFrame, column: str) -> pd.Series:
    """Respondents who answered the multiple choice of `column` and ticked none of its options."""
    item = _codebook().column_item()[column]
    options = frame[item.columns]
    return options.notna().all(axis=1) & (options == 0).all(axis=1)


#: Every export recorded from LimeSurvey 6.14.0 (data/examples/limesurvey/PROVENANCE.md).
RECORDED_EXPORTS = [f"responses_{lang}_{heading}_{answers}.csv" for lang in ("nl", "en")
                    for heading in HEADINGS for answers in ("short", "long")]
RECORDED_EXPORTS += [f"responses_{lang}_{kind}.xlsx" for lang in ("nl", "en") for kind in ("code_short", "full_long")]


def test_every_recorded_export_is_listed():
    assert sorted(RECORDED_EXPORTS) == sorted(p.name for p in RECORDED.glob("responses_*"))


@pytest.mark.parametrize("name", RECORDED_EXPORTS)
def test_recorded_export_loads_with_the_generated_mapping(name):
    """Every heading style (question code, full or abbreviated question text, Dutch or English) and
    both answer styles load with the generated mapping and nothing else, as the bundled rows of the
    same respondents, column by column. LimeSurvey's long answers write "Ja"/"Yes" (ticked),
    "Nee"/"No" (shown, not ticked) and "N/A" in every option of a multiple choice left unanswered
    (application/helpers/admin/export/SurveyObj.php of LimeSurvey 6.14). The one exception is its
    short answers: a multiple choice answered with nothing ticked is exported empty, like an
    unanswered one, so it loads as not answered."""
    loaded = analysis.load(RECORDED / name, mapping=RECORDED / "politie20_2026_mapping.yaml", codebook=_codebook())
    bundled = _bundled_rows(loaded["respondent_id"])
    assert len(loaded) == 60 and list(loaded.columns) == list(bundled.columns)
    short = "_short." in name
    for column in bundled.columns:
        if short and _codebook().column_item()[column].type == "multi":
            none = _ticked_none(bundled, column).to_numpy()
            assert loaded.loc[none, column].isna().all(), column
            assert _same(loaded.loc[~none, column], bundled.loc[~none, column]), column
        else:
            assert _same(loaded[column], bundled[column]), column


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("style", HEADINGS)
def test_recorded_export_has_the_generated_headings(style, lang):
    """The headings the questionnaire predicts for each heading style are the ones LimeSurvey wrote,
    in order (incl. its own word for "other", its cut of abbreviated texts after 15 characters when
    longer than 18, and the loader's numbering of repeated abbreviated headings)."""
    with open(RECORDED / f"responses_{lang}_{style}_short.csv", encoding="utf-8-sig", newline="") as f:
        head = next(csv.reader(f, delimiter=";"))
    predicted = list(build_questionnaire(_codebook()).headings(style, lang))
    assert [h.strip() for h in numbered(head)][7:] == [h.strip() for h in predicted]


# --- a recorded export against 2011 (--compare) ---------------------------------------------------

@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    """One chapter built against the 2011 wave twice: from a recorded LimeSurvey export with the
    generated mapping, and from the bundled 2026 CSV cut to the same respondents."""
    from analysis.pipeline.build import build
    from analysis.pipeline.parameters import BuildParameters

    root = tmp_path_factory.mktemp("compare")
    recorded, mapping = RECORDED / "responses_nl_code_long.csv", RECORDED / "politie20_2026_mapping.yaml"
    ids = set(analysis.load(recorded, mapping=mapping, codebook=_codebook())["respondent_id"])
    bundled = pd.read_csv(BUNDLED, dtype=str, keep_default_na=False)
    bundled[bundled["respondent_id"].isin(ids)].to_csv(root / "same_respondents.csv", index=False)
    earlier = ROOT / "data" / "raw" / "politie20_survey_2011_synthetic.csv"
    outs = {}
    for name, data, data_mapping in (("recorded", recorded, mapping), ("bundled", root / "same_respondents.csv", None)):
        outs[name] = root / name
        status = build(BuildParameters(data_path=data, mapping=data_mapping, output_dir=outs[name], compare=earlier),
                       only=["participants"])
        assert status == 0, name
    return outs


def test_recorded_export_compared_with_2011_gives_the_bundled_change(compared):
    """`build --data <recorded export> --mapping <generated> --compare <2011>`: the "Change since 2011"
    tables are those of the same respondents taken from the bundled 2026 CSV, byte for byte."""
    tables = sorted(p.name for p in (compared["recorded"] / "participants").glob("change_*.csv"))
    assert {"change_categories.csv", "change_ordinal.csv", "change_platforms.csv"} <= set(tables)
    for name in tables:
        assert ((compared["recorded"] / "participants" / name).read_bytes()
                == (compared["bundled"] / "participants" / name).read_bytes()), name
    platforms = pd.read_csv(compared["recorded"] / "participants" / "change_platforms.csv", dtype=str)
    assert set(platforms["n_new"]) != {"0"} and "Change since 2011" in (compared["recorded"] / "report.html").read_text(
        encoding="utf-8")



def test_questionnaire_command_refuses_an_unknown_wave_with_exit_2(tmp_path, capsys):
    from analysis.pipeline.cli import main

    with pytest.raises(SystemExit) as caught:                   # was a KeyError traceback
        main(["questionnaire", "--wave", "2030", "--format", "html", "--out", str(tmp_path / "q.html")])
    assert caught.value.code == 2 and "--wave" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_questionnaire_command_refuses_a_folder_as_out_with_exit_2(tmp_path, capsys):
    # was an IsADirectoryError traceback
    from analysis.pipeline.cli import main

    status = main(["questionnaire", "--wave", "2026", "--format", "html", "--out", str(tmp_path)])
    assert status == 2 and f"{tmp_path}: this is a folder, not a file" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
