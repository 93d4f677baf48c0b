"""Declared extra analyses: a YAML file of breakdowns (item, breakdown, filter, title in nl and en),
read with the line of every entry, and computed as protected exploration tables.

The file holds ``analyses:``, a list of entries with ``item``, ``by``, optionally ``within``
(``{background item: code or list of codes}``) and ``title`` (``en`` and ``nl``); see
``data/examples/analyses.yaml``. Every mistake is a :class:`~analysis.core.errors.Problem` naming the
file, the entry's line, the key and the value.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from analysis.core.errors import Problem, SurveyDataError
from analysis.pipeline import explore
from analysis.pipeline.explore import ExploreError, ExploreTable, Refused, Survey

#: The keys of an entry: required ones first.
REQUIRED, OPTIONAL = ("item", "by", "title"), ("within",)


@dataclass(frozen=True)
class Analysis:
    """One declared breakdown and where it was declared."""

    item: str
    by: str
    title: dict[str, str]
    within: dict[str, Any] = field(default_factory=dict)
    line: int = 0


def read_analyses(path: str | Path) -> list[Analysis]:
    """The analyses a file declares; raises :class:`SurveyDataError` listing every problem."""
    source = str(path)
    try:
        root = yaml.compose(Path(path).read_text(encoding="utf-8"))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise SurveyDataError([Problem(source, f"not valid YAML: {exc.problem}", line=mark.line + 1 if mark else None,
                                       expected="analyses: followed by a list of entries")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SurveyDataError([Problem(source, f"the file cannot be read ({exc})",
                                       expected="a UTF-8 YAML file of analyses")]) from None
    entries = _entries(root, source)
    problems, analyses = [], []
    for node in entries:
        found = _entry_problems(node, source)
        problems += found
        if not found:
            values = yaml.safe_load(yaml.serialize(node))
            analyses.append(Analysis(values["item"], values["by"], values["title"], values.get("within") or {},
                                     node.start_mark.line + 1))
    if problems:
        raise SurveyDataError(problems)
    return analyses


def _entries(root: yaml.Node | None, source: str) -> list[yaml.MappingNode]:
    """The entry nodes under ``analyses:``."""
    lists = [value for key, value in getattr(root, "value", []) if isinstance(root, yaml.MappingNode)
             and key.value == "analyses" and isinstance(value, yaml.SequenceNode)]
    if not lists:
        raise SurveyDataError([Problem(source, "no list of analyses", line=1, column="analyses",
                                       expected="analyses: followed by a list of entries with item, by and title")])
    return lists[0].value


def _entry_problems(node: yaml.Node, source: str) -> list[Problem]:
    """What is wrong with the form of one entry (its names are checked against the survey later)."""
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        return [Problem(source, "an entry is not a mapping", line=line, expected="item:, by:, title: (and within:)")]
    keys = {key.value: value for key, value in node.value}
    problems = [Problem(source, f"the entry has no {key}", line=line, column=key,
                        expected=f"the keys {', '.join(REQUIRED)} (and {', '.join(OPTIONAL)})")
                for key in REQUIRED if key not in keys]
    problems += [Problem(source, "unknown key", line=keys[key].start_mark.line + 1, column=key, value=key,
                         expected=f"one of {', '.join(REQUIRED + OPTIONAL)}") for key in keys
                 if key not in REQUIRED + OPTIONAL]
    problems += [Problem(source, f"{key} is not a name", line=keys[key].start_mark.line + 1, column=key,
                         value=_text(keys[key]), expected=f"one {key} name (Survey.items() and Survey.breakdowns())")
                 for key in ("item", "by") if key in keys and not _is_text(keys[key])]
    within = keys.get("within")
    if within is not None and not isinstance(within, yaml.MappingNode):
        problems.append(Problem(source, "the filter is not a mapping", line=within.start_mark.line + 1,
                                column="within", value=_text(within),
                                expected="within: with a background item and a code or list of codes"))
    return problems + _title_problems(keys.get("title"), source)


def _title_problems(title: yaml.Node | None, source: str) -> list[Problem]:
    """A title must give a text in English and in Dutch (the report is written in either)."""
    if title is None:
        return []
    texts = {k.value: v for k, v in title.value} if isinstance(title, yaml.MappingNode) else {}
    if not {"en", "nl"} <= set(texts):
        return [Problem(source, "the title needs an English and a Dutch text", line=title.start_mark.line + 1,
                        column="title", value=_text(title), expected="title: with en: and nl:")]
    return [Problem(source, "the title is empty or not a text", line=texts[lang].start_mark.line + 1,
                    column=f"title.{lang}", value=_text(texts[lang]), expected="a line of text")
            for lang in ("en", "nl") if not _is_text(texts[lang])]


def _is_text(node: yaml.Node) -> bool:
    """Whether a node is a non-empty plain text (a string, not a list, mapping or empty value)."""
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str" and node.value.strip() != ""


def _text(node: yaml.Node) -> str:
    """A node as the file writes it, for an error message."""
    return node.value if isinstance(node, yaml.ScalarNode) else yaml.serialize(node).strip()


def tables(survey: Survey, analyses: list[Analysis], source: str) -> list[tuple[Analysis, ExploreTable]]:
    """Each analysis as a protected table; an item, breakdown or filter the survey cannot answer is a
    problem naming the file, the entry's line and the value."""
    out, problems = [], []
    for analysis in analyses:
        try:
            out.append((analysis, survey.table(analysis.item, by=analysis.by, within=analysis.within or None)))
        except ExploreError as exc:
            within = f" within {analysis.within}" if analysis.within else ""
            text = str(exc) if not isinstance(exc, Refused) else (
                f"{exc.finding.text}, also after hiding {explore.RETRIES} more of its counts (the declared tables are "
                f"published together): remove this entry or one of the entries before it")
            problems.append(Problem(source, text, line=analysis.line, column="item / by / within",
                                    value=f"{analysis.item} by {analysis.by}{within}"))
    if problems:
        raise SurveyDataError(problems)
    return out
