"""A LimeSurvey 6 survey structure file (.lss) from a :class:`~analysis.survey.questionnaire.Questionnaire`.

The file has the shape LimeSurvey's own "exportstructurexml" writes (checked against the 6.14.0
release's sample surveys and its importer ``XMLImportSurvey``): a ``<document>`` with the database
version, the languages (Dutch the base language, English the second), and one section per table
(``answers``, ``answer_l10ns``, ``groups``, ``group_l10ns``, ``questions``, ``subquestions``,
``question_l10ns``, ``question_attributes``, ``surveys``, ``surveys_languagesettings``), each with
its ``fields`` and ``rows``. Ids are numbered from 1 in questionnaire order: the same codebook
gives the same file, byte for byte.
"""
from __future__ import annotations

import zlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the questionnaire module writes its survey file with this one
    from analysis.survey.questionnaire import Question, Questionnaire

#: The database version of LimeSurvey 6.14.0 (its ``application/config/version.php``).
DB_VERSION = 630
LANGUAGES = ("nl", "en")
#: LimeSurvey's question theme per question type.
QUESTION_THEMES = {"S": "shortfreetext", "T": "longfreetext", "L": "listradio", "!": "list_dropdown",
                   "F": "arrays/array", "M": "multiplechoice"}
_QUESTION_FIELDS = ("qid", "parent_qid", "sid", "gid", "type", "title", "preg", "other", "mandatory",
                    "question_order", "scale_id", "same_default", "relevance", "modulename", "encrypted",
                    "question_theme_name", "same_script")
_FIELDS = {
    "answers": ("aid", "qid", "code", "sortorder", "assessment_value", "scale_id"),
    "answer_l10ns": ("id", "aid", "answer", "language"),
    "groups": ("gid", "sid", "group_order", "randomization_group", "grelevance"),
    "group_l10ns": ("id", "gid", "group_name", "description", "language", "sid", "group_order",
                    "randomization_group", "grelevance"),
    "questions": _QUESTION_FIELDS,
    "subquestions": _QUESTION_FIELDS,
    "question_l10ns": ("id", "qid", "question", "help", "language", "script"),
    "question_attributes": ("qid", "attribute", "value", "language"),
    "surveys": ("sid", "gsid", "admin", "adminemail", "anonymized", "format", "savetimings", "template",
                "language", "additional_languages", "datestamp", "usecookie", "allowregister", "allowsave",
                "autonumber_start", "autoredirect", "allowprev", "printanswers", "ipaddr", "refurl",
                "showsurveypolicynotice", "publicstatistics", "publicgraphs", "listpublic", "htmlemail",
                "sendconfirmation", "tokenanswerspersistence", "assessments", "usecaptcha", "usetokens",
                "tokenlength", "showxquestions", "showgroupinfo", "shownoanswer", "showqnumcode", "showwelcome",
                "showprogress", "questionindex", "navigationdelay", "nokeyboard", "alloweditaftercompletion",
                "ipanonymize"),
    "surveys_languagesettings": ("surveyls_survey_id", "surveyls_language", "surveyls_title",
                                 "surveyls_description", "surveyls_welcometext", "surveyls_endtext",
                                 "surveyls_dateformat", "surveyls_numberformat"),
}
#: Survey settings: responses dated, no IP address or referrer kept, group by group, no tokens.
_SURVEY_SETTINGS = {
    "gsid": 1, "admin": "", "adminemail": "", "anonymized": "N", "format": "G", "savetimings": "N",
    "template": "fruity_twentythree", "datestamp": "Y", "usecookie": "N", "allowregister": "N", "allowsave": "N",
    "autonumber_start": 0, "autoredirect": "N", "allowprev": "Y", "printanswers": "N", "ipaddr": "N",
    "refurl": "N", "showsurveypolicynotice": 0, "publicstatistics": "N", "publicgraphs": "N", "listpublic": "N",
    "htmlemail": "Y", "sendconfirmation": "N", "tokenanswerspersistence": "N", "assessments": "N",
    "usecaptcha": "N", "usetokens": "N", "tokenlength": 15, "showxquestions": "Y", "showgroupinfo": "B",
    "shownoanswer": "Y", "showqnumcode": "X", "showwelcome": "Y", "showprogress": "Y", "questionindex": 0,
    "navigationdelay": 0, "nokeyboard": "N", "alloweditaftercompletion": "N", "ipanonymize": "Y"}
#: Date format per language (LimeSurvey's numbering: 5 = dd-mm-yyyy, 9 = yyyy-mm-dd) and decimal mark.
_DATE_FORMAT = {"nl": 5, "en": 9}
_NUMBER_FORMAT = {"nl": 1, "en": 0}


def survey_id(wave: str) -> int:
    """A six-digit survey id per wave (``2026`` -> 202600; any other wave name: from its checksum)."""
    if wave.isdigit() and len(wave) == 4:
        return int(wave) * 100
    return 100000 + zlib.crc32(wave.encode("utf-8")) % 900000


@dataclass
class _Tables:
    """The rows of each section, and the running ids."""

    sid: int
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {name: [] for name in _FIELDS})
    next_id: dict[str, int] = field(default_factory=dict)

    def new_id(self, kind: str) -> int:
        self.next_id[kind] = self.next_id.get(kind, 0) + 1
        return self.next_id[kind]

    def add(self, section: str, **values: Any) -> None:
        self.rows[section].append(values)

    def texts(self, qid: int, text: dict[str, str], help_text: dict[str, str] | None) -> None:
        for lang in LANGUAGES:
            self.add("question_l10ns", id=self.new_id("ql10n"), qid=qid, question=text[lang],
                     help=(help_text or {}).get(lang, ""), language=lang, script="")


def _question_row(tables: _Tables, gid: int, q: Question | None, parent: int, order: int,
                  title: str, kind: str) -> int:
    qid = tables.new_id("qid")
    tables.add("subquestions" if parent else "questions", qid=qid, parent_qid=parent, sid=tables.sid, gid=gid,
               type=kind, title=title, preg="", other="Y" if q is not None and q.other else "N",
               mandatory="Y" if q is not None and q.mandatory else "N", question_order=order, scale_id=0,
               same_default=0, relevance="1", modulename="", encrypted="N",
               question_theme_name=QUESTION_THEMES[kind], same_script=0)
    return qid


def _add_question(tables: _Tables, gid: int, q: Question, order: int) -> None:
    qid = _question_row(tables, gid, q, 0, order, q.code, q.type)
    tables.texts(qid, q.text, q.help)
    for k, row in enumerate(q.rows):
        sqid = _question_row(tables, gid, None, qid, k, row.code, q.type)
        tables.texts(sqid, row.labels, None)
    for k, answer in enumerate(q.answers):
        aid = tables.new_id("aid")
        tables.add("answers", aid=aid, qid=qid, code=answer.code, sortorder=k, assessment_value=0, scale_id=0)
        for lang in LANGUAGES:
            tables.add("answer_l10ns", id=tables.new_id("al10n"), aid=aid, answer=answer.labels[lang], language=lang)
    if q.hidden:
        tables.add("question_attributes", qid=qid, attribute="hidden", value="1", language="")
    if q.other is not None:
        for lang in LANGUAGES:
            tables.add("question_attributes", qid=qid, attribute="other_replace_text",
                       value=q.other.labels[lang], language=lang)


def _survey_rows(tables: _Tables, questionnaire: Questionnaire) -> None:
    tables.add("surveys", sid=tables.sid, language=LANGUAGES[0], additional_languages=" ".join(LANGUAGES[1:]),
               **_SURVEY_SETTINGS)
    for lang in LANGUAGES:
        title = f"{questionnaire.title[lang]} - {questionnaire.wave}"
        tables.add("surveys_languagesettings", surveyls_survey_id=tables.sid, surveyls_language=lang,
                   surveyls_title=title, surveyls_description="", surveyls_welcometext="", surveyls_endtext="",
                   surveyls_dateformat=_DATE_FORMAT[lang], surveyls_numberformat=_NUMBER_FORMAT[lang])


def _tables(questionnaire: Questionnaire) -> _Tables:
    tables = _Tables(survey_id(questionnaire.wave))
    _survey_rows(tables, questionnaire)
    for order, (theme, labels) in enumerate(t for t in questionnaire.themes if questionnaire.of_theme(t[0])):
        gid = tables.new_id("gid")
        tables.add("groups", gid=gid, sid=tables.sid, group_order=order, randomization_group="", grelevance="1")
        for lang in LANGUAGES:
            tables.add("group_l10ns", id=tables.new_id("gl10n"), gid=gid, group_name=labels[lang], description="",
                       language=lang, sid=tables.sid, group_order=order, randomization_group="", grelevance="1")
        for k, q in enumerate(questionnaire.of_theme(theme)):
            _add_question(tables, gid, q, k)
    return tables


def lss(questionnaire: Questionnaire) -> bytes:
    """The survey structure file (UTF-8 XML) LimeSurvey 6 imports."""
    tables = _tables(questionnaire)
    root = ET.Element("document")
    ET.SubElement(root, "LimeSurveyDocType").text = "Survey"
    ET.SubElement(root, "DBVersion").text = str(DB_VERSION)
    languages = ET.SubElement(root, "languages")
    for lang in LANGUAGES:
        ET.SubElement(languages, "language").text = lang
    for section, names in _FIELDS.items():
        if not tables.rows[section]:
            continue
        element = ET.SubElement(root, section)
        fields = ET.SubElement(element, "fields")
        for name in names:
            ET.SubElement(fields, "fieldname").text = name
        rows = ET.SubElement(element, "rows")
        for values in tables.rows[section]:
            row = ET.SubElement(rows, "row")
            for name in names:
                ET.SubElement(row, name).text = str(values[name])
    ET.indent(root, space=" ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode("utf-8") + b"\n"
