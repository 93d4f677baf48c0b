"""The questionnaire of one wave as a survey tool asks it, built from the codebook.

One question group per theme; per item type a question type of LimeSurvey (a hidden short text for
the respondent number and the synthetic flag, a list or a dropdown for a single choice, an array
for a rating grid, a multiple choice with LimeSurvey's own "other" where the codebook's options end
in ``other``, a long free text for an open question). Codes follow one deterministic scheme that
LimeSurvey accepts (letters and digits, a letter first):

- question: the item id (or grid name) without its non-alphanumeric characters, cut to 17, plus
  the question's number in the survey (two digits): ``organisation04``, ``opportunitydomain10``;
- subquestion (an array's statement, a multiple choice's option): ``SQ001``, ``SQ002`` ...;
- answer: ``A`` plus the codebook code: ``A1`` ... ``A5``, ``A9`` (don't know), ``A99``.

The same model writes the mapping YAML that turns the tool's exports back into codebook columns and
codes (:func:`mapping_yaml`) under every heading style LimeSurvey writes (question code, full question
text, abbreviated question text; Dutch and English) and for answer codes or labels, the printable questionnaire
(:func:`html`, :func:`pdf`; its questions are also the report's appendix, :func:`questions_html`) and,
in :mod:`~analysis.survey.limesurvey_lss`, the LimeSurvey survey file.
"""
from __future__ import annotations

import html as htmllib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from analysis.core.errors import Problem, SurveyDataError
from analysis.core.files import fixed_source_date
from analysis.survey.codebook import Codebook, Item, load_codebook
from analysis.survey.layouts import numbered
from analysis.survey.limesurvey_lss import lss
from analysis.survey.matching import header_key
from analysis.survey.tool_exports import questions

#: Item types never asked: the weight is computed after fielding.
NOT_ASKED_TYPES = ("weight",)
#: Item types asked as a hidden short text (filled from the invitation link, never shown).
HIDDEN_TYPES = ("identifier", "flag")
#: A single choice with more answers than this is a dropdown instead of a radio list.
DROPDOWN_FROM = 15
#: The question of a grid whose statements carry no "stem: statement" colon.
STATEMENTS_STEM = {"nl": "In hoeverre bent u het eens met de volgende stellingen?",
                   "en": "To what extent do you agree with the following statements?"}
#: LimeSurvey's column suffix of the typed "other" answer of a multiple choice.
OTHER = "other"
#: LimeSurvey's heading of a multiple choice's "other" option: its own word in the export language
#: (``gT("Other")`` in the field map of LimeSurvey 6.14.0's application/helpers/common_helper.php, as
#: written in data/examples/limesurvey/responses_<lang>_full_short.csv).
OTHER_HEADING = {"nl": "Overige", "en": "Other"}
#: LimeSurvey's heading styles: question code, full question text, abbreviated question text.
HEADINGS = ("code", "full", "abbreviated")
#: An abbreviated heading keeps a text of at most this many characters plus 3 and cuts a longer one to
#: this many followed by '.. ' (``ellipsize`` in application/helpers/common_helper.php and
#: ``getAbbreviatedHeading`` in application/helpers/admin/export/Writer.php of LimeSurvey 6.14.0).
ABBREVIATED_LENGTH = 15
_CODE_CHARS = re.compile(r"[^A-Za-z0-9]")
_LANGS = ("nl", "en")


@dataclass(frozen=True)
class Answer:
    """One answer of a list or array: its tool code, the codebook code, labels (nl, en)."""

    code: str
    value: Any
    labels: dict[str, str]


@dataclass(frozen=True)
class Row:
    """One subquestion (an array's statement, a multiple choice's option) and its codebook column."""

    code: str
    column: str
    labels: dict[str, str]


@dataclass(frozen=True)
class Question:
    """One question as LimeSurvey asks it."""

    code: str
    type: str                      # LimeSurvey question type: S L ! F M T
    theme: str
    text: dict[str, str]
    items: tuple[Item, ...]
    rows: tuple[Row, ...] = ()
    answers: tuple[Answer, ...] = ()
    other: Row | None = None       # a multiple choice's "other" option (LimeSurvey's [other] text)
    mandatory: bool = False
    hidden: bool = False
    help: dict[str, str] | None = None

    def headings(self, style: str, lang: str) -> list[tuple[str, str]]:
        """(column heading, codebook column) of the tool's export with headings `style` (code, full,
        abbreviated) in export language `lang`: the question text, then ' [subquestion text]'."""
        if style == "code":
            return list(self.columns.items())
        cut = style == "abbreviated"
        head = heading_text(self.text[lang], cut)
        if not self.rows:
            return [(head, self.items[0].id)]
        rows = [(r.labels[lang], r.column) for r in self.rows]
        if self.other is not None:
            rows.append((OTHER_HEADING[lang], self.other.column))
        return [(f"{head} [{heading_text(label, cut)}]", column) for label, column in rows]

    @property
    def columns(self) -> dict[str, str]:
        """Column heading of the tool's code export -> codebook column."""
        if not self.rows:
            return {self.code: self.items[0].id}
        out = {f"{self.code}[{r.code}]": r.column for r in self.rows}
        if self.other is not None:
            out[f"{self.code}[{OTHER}]"] = self.other.column
        return out


@dataclass(frozen=True)
class Questionnaire:
    """The questions of one wave, grouped by theme in report order."""

    wave: str
    title: dict[str, str]
    themes: tuple[tuple[str, dict[str, str]], ...]
    questions: tuple[Question, ...]

    def of_theme(self, theme: str) -> list[Question]:
        return [q for q in self.questions if q.theme == theme]

    def columns(self) -> dict[str, str]:
        """Every column heading of the code export -> codebook column, in questionnaire order."""
        return {head: col for q in self.questions for head, col in q.columns.items()}

    def headings(self, style: str, lang: str) -> dict[str, str]:
        """Every column heading of the export with headings `style` in `lang` -> codebook column, in
        questionnaire order; a repeated heading (abbreviated texts that begin alike) is numbered as
        the loader numbers it (:func:`~analysis.survey.layouts.numbered`)."""
        pairs = [pair for q in self.questions for pair in q.headings(style, lang)]
        return dict(zip(numbered([h for h, _ in pairs]), (col for _, col in pairs)))


def heading_text(text: str, abbreviated: bool) -> str:
    """A question or subquestion text as LimeSurvey writes it in a heading: on one line, and in an
    abbreviated heading cut after :data:`ABBREVIATED_LENGTH` characters with '.. ' when longer."""
    flat = " ".join(text.split())
    if not abbreviated or len(flat) <= ABBREVIATED_LENGTH + 3:
        return flat
    return flat[:ABBREVIATED_LENGTH] + ".. "


def question_code(source: str, number: int) -> str:
    """The LimeSurvey code of the `number`-th question, made from an item id or grid name."""
    letters = _CODE_CHARS.sub("", source)[:17]
    if not letters or not letters[0].isalpha():
        letters = "Q" + letters[:16]
    return f"{letters}{number:02d}"


def answer_code(value: Any) -> str:
    """The LimeSurvey answer code of a codebook answer code."""
    return "A" + _CODE_CHARS.sub("", str(value))


def _answers(item: Item) -> tuple[Answer, ...]:
    return tuple(Answer(answer_code(c.code), c.code, dict(c.labels)) for c in item.codes)


def _grid_text(item: Item, lang: str) -> tuple[str, str]:
    """(the grid's question, the item's statement) in `lang`: the text around the first colon."""
    text = item.text[lang]
    if ": " in text:
        stem, statement = text.split(": ", 1)
        return stem + ":", statement
    return STATEMENTS_STEM[lang], text


def _grid_question(items: list[Item], code: str) -> Question:
    rows = tuple(Row(f"SQ{k:03d}", it.id, {lang: _grid_text(it, lang)[1] for lang in _LANGS})
                 for k, it in enumerate(items, start=1))
    first = items[0]
    return Question(code, "F", first.theme, {lang: _grid_text(first, lang)[0] for lang in _LANGS},
                    tuple(items), rows, _answers(first), **_settings(first))


def _multi_question(item: Item, code: str) -> Question:
    options = [o for o in item.options if str(o.code) != OTHER]
    rows = tuple(Row(f"SQ{k:03d}", f"{item.id}_{o.code}", dict(o.labels)) for k, o in enumerate(options, start=1))
    other = next((Row(OTHER, f"{item.id}_{o.code}", dict(o.labels)) for o in item.options if str(o.code) == OTHER),
                 None)
    return Question(code, "M", item.theme, dict(item.text), (item,), rows, other=other, **_settings(item))


def _single_question(item: Item, code: str) -> Question:
    if item.type in HIDDEN_TYPES:
        return Question(code, "S", item.theme, dict(item.text), (item,), hidden=True)
    if item.type == "open":
        return Question(code, "T", item.theme, dict(item.text), (item,), **_settings(item))
    kind = "!" if len(item.codes) > DROPDOWN_FROM else "L"
    return Question(code, kind, item.theme, dict(item.text), (item,), answers=_answers(item), **_settings(item))


def _settings(item: Item) -> dict[str, Any]:
    """Mandatory and help text as the codebook declares them (``mandatory: true``, ``help: {nl, en}``)."""
    help_text = item.attrs.get("help")
    return {"mandatory": bool(item.attrs.get("mandatory", False)),
            "help": {lang: str(help_text[lang]) for lang in _LANGS} if help_text else None}


def build_questionnaire(codebook: Codebook) -> Questionnaire:
    """The questionnaire of the codebook's wave (``codebook.for_wave(...)``), in questionnaire order."""
    out: list[Question] = []
    for number, grouped in enumerate((q for q in questions(codebook)
                                      if q.items[0].type not in NOT_ASKED_TYPES), start=1):
        item = grouped.items[0]
        code = question_code(item.grid if grouped.kind == "grid" else item.id, number)
        if grouped.kind == "grid":
            out.append(_grid_question(list(grouped.items), code))
        elif grouped.kind == "multi":
            out.append(_multi_question(item, code))
        else:
            out.append(_single_question(item, code))
    return Questionnaire(str(codebook.wave), dict(codebook.title), codebook.themes, tuple(out))


# --- the mapping of the tool's exports ------------------------------------------------------------

def column_sections(questionnaire: Questionnaire) -> list[tuple[str, dict[str, str]]]:
    """(heading style and language, heading -> codebook column) for every export LimeSurvey writes,
    each heading once (a heading already listed for the same column is left out). Raises
    :class:`SurveyDataError` when one heading would stand for two codebook columns."""
    names = {"code": "Question code", "full": "Full question text", "abbreviated": "Abbreviated question text"}
    sections = [(f"headings '{names['code']}'", questionnaire.headings("code", ""))]
    sections += [(f"headings '{names[style]}', export language {lang}", questionnaire.headings(style, lang))
                 for style in HEADINGS[1:] for lang in _LANGS]
    written: dict[str, str] = {}
    out: list[tuple[str, dict[str, str]]] = []
    for title, headings in sections:
        fresh = {}
        for heading, column in headings.items():
            key = header_key(heading)
            if key not in written:
                written[key] = fresh[heading] = column
            elif written[key] != column:
                raise SurveyDataError([Problem("questionnaire", f"two questions share the export heading ({title})",
                                               column=heading, value=f"{written[key]} and {column}",
                                               expected="question and option texts that differ in each language")])
        out.append((title, fresh))
    return out


def mapping(questionnaire: Questionnaire) -> dict[str, Any]:
    """The project's mapping (``columns``, ``scales``, ``values``) for the survey's exports: every
    heading style's headings to codebook columns (:func:`column_sections`), answer codes
    ``A<code>`` to codebook codes (answer labels are the codebook's own), any typed "other" answer
    as ticked."""
    scales: dict[str, dict[str, Any]] = {}
    values: dict[str, dict[str, Any]] = {}
    for q in questionnaire.questions:
        if not q.answers:
            continue
        codes = {a.code: a.value for a in q.answers}
        if q.items[0].scale:
            scales.setdefault(q.items[0].scale, codes)
        else:
            values[q.items[0].id] = codes
    others = [q.other.column for q in questionnaire.questions if q.other is not None]
    if others:
        scales["ticks"] = {"columns": others, "values": {"*": 1}}
    columns = {h: col for _, section in column_sections(questionnaire) for h, col in section.items()}
    return {"columns": columns, "scales": scales, "values": values}


def mapping_yaml(questionnaire: Questionnaire) -> str:
    """The mapping as YAML text, with a header saying what it is for and one commented block of
    ``columns`` per heading style and language (one heading a line, however long)."""
    head = (f"# Mapping of the LimeSurvey export of the survey file beside it (wave {questionnaire.wave}), written by\n"
            f"# `python -m analysis questionnaire --wave {questionnaire.wave} --format lss`: do not edit, regenerate.\n"
            "# For every CSV and Excel export of the survey: headings 'Question code', 'Full question text' or\n"
            "# 'Abbreviated question text' (Dutch or English), responses 'Answer codes' (short) or 'Full answers'.\n"
            "# A file has the headings of one block; the others are unused. Abbreviated headings that repeat\n"
            "# are numbered ' (2)', ' (3)' in file order, as the loader numbers them. Survey-tool columns\n"
            "# (id, submitdate, ... or their headings) are dropped at load; 'Y' (or the label 'Ja'/'Yes') ticks an\n"
            "# option; any text typed as 'other' ticks the option 'other'.\n")
    lines = [head, "columns:\n"]
    for title, section in column_sections(questionnaire):
        lines.append(f"  # {title}\n")
        lines += [f"  {json.dumps(h, ensure_ascii=False)}: {_yaml_scalar(col)}\n" for h, col in section.items()]
    rest = {k: v for k, v in mapping(questionnaire).items() if k != "columns"}
    return "".join(lines) + yaml.safe_dump(rest, allow_unicode=True, sort_keys=False, width=120)


def _yaml_scalar(value: str) -> str:
    """`value` as a YAML scalar on one line (quoted where YAML would read it as something else)."""
    return yaml.safe_dump(value, allow_unicode=True, width=10_000).splitlines()[0]


# --- the printable questionnaire ------------------------------------------------------------------

_HTML_LABELS = {"nl": {"wave": "Meting", "mandatory": "verplicht"}, "en": {"wave": "Wave", "mandatory": "required"}}
#: The printable page's style; each language after the first starts a new printed page.
PAGE_STYLE = ("body{font-family:'DejaVu Sans',sans-serif;max-width:60em;margin:2em auto}"
              "section.language+section.language{break-before:page}")
#: The questions' style, in the printable page and in the report's appendix.
QUESTION_STYLE = (".q{margin:1.2em 0;break-inside:avoid}.q table{border-collapse:collapse}"
                  ".q td,.q th{border:1px solid #999;padding:.2em .4em;font-size:90%}.q td{text-align:center}"
                  ".q caption{text-align:left;caption-side:top;margin-bottom:.3em}"
                  ".q ul{list-style:none}.q ul.dropdown{columns:2;font-size:90%}"
                  ".q .box{border:1px solid #999;height:5em}"
                  ".q .help{font-style:italic}.q .req{color:#900;font-size:85%}")


def _esc(text: Any) -> str:
    return htmllib.escape(str(text))


def _grid_html(q: Question, head: str, lang: str) -> str:
    """A rating grid as a table: its question as the caption, a statement per row, an answer per column."""
    heads = "".join(f"<th scope='col'>{_esc(a.labels[lang])}</th>" for a in q.answers)
    cells = "".join("<td>&#9675;</td>" for _ in q.answers)
    body = "".join(f"<tr><th scope='row'>{_esc(r.labels[lang])}</th>{cells}</tr>" for r in q.rows)
    return f"<table><caption>{head}</caption><tr><td></td>{heads}</tr>{body}</table>"


def _html_question(q: Question, number: int, lang: str) -> list[str]:
    star = f' <span class="req">({_HTML_LABELS[lang]["mandatory"]})</span>' if q.mandatory else ""
    head = f"<b>{number}.</b> {_esc(q.text[lang])}{star}"
    help_text = f'<p class="help">{_esc(q.help[lang])}</p>' if q.help else ""
    if q.type == "F":
        return [f'<div class="q">{help_text}{_grid_html(q, head, lang)}</div>']
    out = [f'<div class="q"><p class="text">{head}</p>{help_text}']
    if q.type == "M":
        options = list(q.rows) + ([q.other] if q.other else [])
        out.append("<ul class='multi'>" + "".join(f"<li>&#9744; {_esc(r.labels[lang])}"
                                                   + (" ______" if r is q.other else "") + "</li>"
                                                   for r in options) + "</ul>")
    elif q.type in ("L", "!"):
        kind = "dropdown" if q.type == "!" else "single"
        out.append(f"<ul class='{kind}'>" + "".join(f"<li>&#9675; {_esc(a.labels[lang])}</li>" for a in q.answers)
                   + "</ul>")
    else:
        out.append("<div class='box'></div>")
    return out + ["</div>"]


def questions_html(questionnaire: Questionnaire, lang: str, level: int = 2) -> str:
    """The asked questions in `lang`, numbered from 1, one part per theme headed at `level` (``h2``...),
    each with its answers (hidden questions, filled from the invitation link, are left out): the body of
    the printable questionnaire and of the report's questionnaire appendix."""
    number, body = 0, []
    for theme, labels in questionnaire.themes:
        shown = [q for q in questionnaire.of_theme(theme) if not q.hidden]
        if not shown:
            continue
        body.append(f"<h{level}>{_esc(labels[lang])}</h{level}>")
        for q in shown:
            number += 1
            body += _html_question(q, number, lang)
    return "\n".join(body)


def html(questionnaire: Questionnaire, langs: tuple[str, ...] = _LANGS) -> str:
    """The printable questionnaire: one part per language of `langs` (Dutch first by default), each with
    the survey's title, the wave and the numbered questions."""
    parts = [f"<section class='language' lang='{lang}'><h1>{_esc(questionnaire.title[lang])}</h1>"
             f"<p class='wave'>{_HTML_LABELS[lang]['wave']} {_esc(questionnaire.wave)}</p>\n"
             f"{questions_html(questionnaire, lang)}</section>" for lang in langs]
    return (f"<!DOCTYPE html>\n<html lang='{langs[0]}'><head><meta charset='utf-8'>"
            f"<title>{_esc(questionnaire.title[langs[0]])}</title><style>{PAGE_STYLE}{QUESTION_STYLE}</style>"
            "</head><body>\n" + "\n".join(parts) + "\n</body></html>\n")


def pdf(questionnaire: Questionnaire, langs: tuple[str, ...] = _LANGS) -> bytes:
    """The printable questionnaire as a PDF (A4), laid out by WeasyPrint from :func:`html`; with a fixed
    document identifier, no creation date and fonts stamped with a fixed date, the same questionnaire gives
    the same bytes."""
    from weasyprint import HTML

    with fixed_source_date():
        return HTML(string=html(questionnaire, langs)).write_pdf(
            pdf_identifier=f"politie20-questionnaire-{questionnaire.wave}".encode("ascii", "replace"))


# --- writing the files ----------------------------------------------------------------------------

FORMATS = ("lss", "html", "pdf")


def mapping_path(survey_file: Path) -> Path:
    """Where the mapping of a survey file is written: beside it, ``<name>_mapping.yaml``."""
    return survey_file.with_name(f"{survey_file.stem}_mapping.yaml")


def write_questionnaire(wave: str, format: str, out: Path, langs: tuple[str, ...] = _LANGS,
                        codebook: Codebook | None = None) -> list[Path]:
    """Write the questionnaire of `wave`: a LimeSurvey survey file and its mapping (``lss``), or the
    printable questionnaire in `langs`, Dutch first by default (``html``, ``pdf``). Returns the files
    written."""
    if format not in FORMATS:
        raise ValueError(f"format {format!r}: one of {FORMATS}")
    questionnaire = build_questionnaire((codebook or load_codebook()).for_wave(wave))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if format == "html":
        out.write_text(html(questionnaire, langs), encoding="utf-8")
        return [out]
    if format == "pdf":
        out.write_bytes(pdf(questionnaire, langs))
        return [out]
    out.write_bytes(lss(questionnaire))
    mapping_file = mapping_path(out)
    mapping_file.write_text(mapping_yaml(questionnaire), encoding="utf-8")
    return [out, mapping_file]
