"""A drafted mapping file for a survey-tool export: ``python -m analysis mapping draft EXPORT``.

The draft matches each export column's question text (Dutch or English, as in the codebook) to a
codebook column with rapidfuzz, after removing what tools add to it (export tags such as ``Q3_2``,
LimeSurvey codes such as ``G01Q05[SQ001].``, Qualtrics' ``Selected Choice``, SurveyMonkey's
"(geef op)"); it matches answer values to the codebook's labels, and recognises tools' own answer
numbering (LimeSurvey ``A1``..., Qualtrics 1..n) as the answers in questionnaire order. Every line
carries its match score as a comment; what could not be matched is left as a ``TODO`` comment, so
that ``validate`` names it until a person decides.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from analysis.survey.codebook import CODED_TYPES, Codebook, Item, load_codebook
from analysis.survey.reading import RawTable, read_table
from analysis.survey.cells import WILDCARD, tick_word
from analysis.survey.matching import (code_lookup, label_key, normalise, number_text, value_key)
from analysis.survey.draft_headers import HeaderMatch, match_headers, strip_decorations
from analysis.survey.multiselect import detect_separator, option_lookup, other_option, pieces, protected_labels

#: A value label matched below this score is not mapped (a TODO line instead).
VALUE_SCORE = 85.0


@dataclass
class Draft:
    """A drafted mapping: the YAML text (with comments) and what it could not match."""

    text: str
    columns: dict[str, Any] = field(default_factory=dict)
    todo: list[str] = field(default_factory=list)
    #: the codebook wave drafted against, and how it was found
    wave: str | None = None
    wave_basis: str = ""


# --- matching values ---------------------------------------------------------------------------------

_TOOL_ANSWER_CODE = re.compile(r"^A[O0]?0*(\d+)$", re.IGNORECASE)


def _value_map(item: Item, values: list[str], typed_other: bool = False) -> tuple[dict[str, tuple[Any, str]],
                                                                                list[str], str]:
    """For the values the loader does not recognise itself: (export value -> (code, comment), todo, how).

    With `typed_other` (Google / Microsoft Forms, which write an "other" answer's typed text into the
    answer cell) a value that is no answer of the item is the item's "other" answer, when it has one."""
    by_code, by_label = code_lookup(item)
    unknown = sorted({v for v in values if number_text(v.strip()) not in by_code
                      and label_key(v) not in by_label}, key=_sort_key)
    if not unknown:
        return {}, [], ""
    codes = [c.code for c in item.codes]
    out: dict[str, tuple[Any, str]] = {}
    todo: list[str] = []
    how = "answer labels matched to the codebook's"
    other_code = [c.code for c in item.codes if {label_key(x) for x in c.labels.values()} & {"anders", "other"}
                  or c.attrs.get("group") == "other"]
    if typed_other and other_code:
        return ({v: (other_code[0], "typed 'other' answer: the form writes the text into the answer cell")
                 for v in unknown}, [], "answers that are no option of the question are its 'other' answer")
    if "-oth-" in unknown and other_code:
        out["-oth-"] = (other_code[0], "LimeSurvey's '-oth-' is the answer 'Anders'")
        values = [v for v in values if v != "-oth-"]
        unknown = [v for v in unknown if v != "-oth-"]
    # tools' own numbering of the answers (LimeSurvey A1..., Qualtrics 1..n): the answers in order
    distinct = {v.strip() for v in values}
    numbered = [v for v in distinct if _TOOL_ANSWER_CODE.match(v)]
    plain = [v for v in distinct if re.fullmatch(r"\d+", v)]
    if distinct and (len(numbered) == len(distinct) or (len(plain) == len(distinct) and unknown)):
        positions = [int(_TOOL_ANSWER_CODE.match(v).group(1)) if v in numbered else int(v) for v in distinct]
        if max(positions) <= len(codes):
            shape = re.match(r"^([A-Za-z]+)(\d+)$", numbered[0]) if numbered else None
            prefix = shape.group(1) if shape else ""
            digits = [re.sub(r"^[A-Za-z]+", "", v) for v in numbered]
            padded = [len(d) for d in digits if d.startswith("0")]
            width = max(padded) if padded else 1
            for p, code in enumerate(codes, start=1):
                key = f"{prefix}{p:0{width}d}" if numbered else str(p)
                out[key] = (code, f"answer {p} in the questionnaire's order")
            how = "the tool numbers the answers 1..n in questionnaire order: check against the survey's answer list"
            return out, [], how
    labels = {}
    for c in item.codes:
        for label in c.labels.values():
            labels[label] = c.code
    for v in unknown:
        found = process.extractOne(v, list(labels), scorer=fuzz.WRatio, processor=normalise)
        if found and found[1] >= VALUE_SCORE:
            out[v] = (labels[found[0]], f"score {found[1]:.0f}: {found[0]!r}")
        else:
            todo.append(v)
    return out, todo, how


def _sort_key(value: str) -> tuple:
    m = re.search(r"\d+", value)
    return (int(m.group()) if m else 10**9, value)


# --- the draft ---------------------------------------------------------------------------------------

def draft_mapping(path: str | Path, sheet: str | None = None, format: str | None = None,
                  codebook: Codebook | None = None, wave: str | None = None) -> Draft:
    """Draft a mapping for an export (see the module docstring); the YAML is ``Draft.text``.

    It is drafted against the codebook of `wave`, or of the wave whose questionnaire matches most of
    the export's columns (see :func:`detect_wave`); ``Draft.wave`` says which."""
    table = read_table(path, sheet=sheet, format=format)
    headers = [(h, table.questions.get(h) or h) for h in table.header if h and h not in table.metadata_columns]
    wave, basis, matches = detect_wave(headers, codebook or load_codebook(), wave)
    codebook = (codebook or load_codebook()).for_wave(wave) if wave else (codebook or load_codebook())
    known = codebook.column_item()
    cells = {h: [r[k].strip() if k < len(r) else "" for r in table.rows] for k, h in enumerate(table.header)}
    draft = Draft(text="", wave=wave, wave_basis=basis)
    columns_lines, mapped = _columns_lines(matches, table, cells, draft)
    present = _targets_present(mapped, table, codebook)
    if "respondent_id" not in present:
        columns_lines.append("  # no respondent id column: respondents are numbered by their line in the file")
    for col in [c for c, i in known.items() if c not in present and i.required and c != "respondent_id"]:
        columns_lines.append(f"  # TODO no export column found for codebook column {col}")
        draft.todo.append(col)
    scales_lines, values_lines = _value_lines(present, mapped, table, cells, codebook, draft.todo)
    lines = _preamble(path, table, draft) + columns_lines
    if scales_lines:
        lines += ["scales:"] + scales_lines
    if values_lines:
        lines += ["values:"] + values_lines
    draft.text = "\n".join(lines) + "\n"
    return draft


def detect_wave(headers: list[tuple[str, str]], codebook: Codebook,
                wave: str | None = None) -> tuple[str | None, str, list[HeaderMatch]]:
    """(wave, how it was found, the header matches against its codebook): `wave` when given, else the
    codebook wave whose questionnaire matches most of the (export column, question text) pairs, the
    first declared on a tie (None when the codebook declares no waves)."""
    if wave is not None:
        return wave, "given", match_headers(headers, codebook.for_wave(wave))
    best: tuple[str | None, str, list[HeaderMatch]] = (None, "", [])
    most = -1
    for candidate in codebook.wave_ids:
        matches = match_headers(headers, codebook.for_wave(candidate))
        matched = sum(1 for m in matches if m.target is not None)
        if matched > most:
            best, most = (candidate, f"from its columns: {matched} of {len(headers)} matched", matches), matched
    return best if codebook.wave_ids else (None, "", match_headers(headers, codebook))


def _preamble(path: str | Path, table: RawTable, draft: Draft) -> list[str]:
    """The draft's opening comments: where it comes from, the layout, the wave, how to read it."""
    lines = [f"# Mapping drafted by `python -m analysis mapping draft` from {Path(path).name}",
             f"# layout: {table.detected.get('layout')} ({table.detected.get('layout_basis')})",
             *([f"# wave: {draft.wave} ({draft.wave_basis})"] if draft.wave else []),
             "# Check every line. Scores (0-100) say how closely the export's text matches the codebook's.",
             "# Lines starting with '# TODO' could not be matched: decide, then remove the '# TODO'."]
    if table.metadata_columns:
        lines.append("# Survey-tool columns, dropped at load (never in the frame): "
                     + ", ".join(table.metadata_columns))
    return lines


def _columns_lines(matches: list[HeaderMatch], table: RawTable, cells: dict[str, list[str]],
                   draft: Draft) -> tuple[list[str], dict[str, str]]:
    """The ``columns:`` lines, one per header match (TODO when nothing matched), and header -> target mapped."""
    columns_lines = ["columns:"]
    mapped: dict[str, str] = {}
    for m in matches:
        key = json.dumps(m.header, ensure_ascii=False)
        if m.kind == "null":
            columns_lines.append(f"  {key}: null  # {m.note}")
            draft.columns[m.header] = None
        elif m.target is None and not any(cells.get(m.header, [])):
            columns_lines.append(f"  {key}: null  # an empty column that matches no codebook column")
            draft.columns[m.header] = None
        elif m.target is None:
            guess = ", ".join(f"{t} {s:.0f}" for t, s in m.options[:3])
            columns_lines.append(f"  # TODO {key}: ?  # no codebook column matched{'; ' + m.note if m.note else ''}"
                                 f" (best: {guess})")
            draft.todo.append(m.header)
        elif m.target != m.header:  # a column already named as in the codebook needs no line
            text = (table.questions.get(m.header) or m.header)
            comment = f"score {m.score:.0f}" + (f"; {m.note}" if m.note else "")
            if m.kind == "multi":
                comment += "; a multi-select in one cell, split into the item's options"
            if text != m.header:
                comment += f": {text[:70]!r}"
            columns_lines.append(f"  {key}: {m.target}  # {comment}")
            draft.columns[m.header] = m.target
            mapped[m.header] = m.target
    return columns_lines, mapped


def _targets_present(mapped: dict[str, str], table: RawTable, codebook: Codebook) -> set[str]:
    """Codebook columns the export holds, once mapped (a one-cell multi-select holds all its options)."""
    known = codebook.column_item()
    present = set(mapped.values()) | {h for h in table.header if h in known}
    targets_present: set[str] = set()
    for t in present:
        targets_present |= set(codebook[t].columns) if t in codebook and codebook[t].type == "multi" else {t}
    return targets_present


def _value_lines(present: set[str], mapped: dict[str, str], table: RawTable, cells: dict[str, list[str]],
                 codebook: Codebook, todo: list[str]) -> tuple[list[str], list[str]]:
    """The ``scales:`` and ``values:`` lines: value maps per column, gathered per scale when they agree."""
    known = codebook.column_item()
    per_column, value_todo, ticks = _value_maps(present, mapped, table, cells, codebook)
    scales_lines, values_lines = _gather_values(per_column, codebook, known)
    tick_scales, tick_values = _tick_lines(ticks, todo)
    scales_lines += tick_scales
    values_lines += tick_values
    for col, v in value_todo:
        values_lines.append(f"  # TODO {col}: {{{json.dumps(v, ensure_ascii=False)}: ?}}  # no codebook answer matched")
        todo.append(f"{col}: {v}")
    return scales_lines, values_lines


def _value_maps(present: set[str], mapped: dict[str, str], table: RawTable, cells: dict[str, list[str]],
                codebook: Codebook) -> tuple[dict[str, tuple[dict[str, tuple[Any, str]], str]],
                                             list[tuple[str, str]], dict[str, tuple[Item, list[str]]]]:
    """(codebook column -> its value map and how it was found, values left to decide,
    tick column -> its item and the distinct values it holds)."""
    known = codebook.column_item()
    per_column: dict[str, tuple[dict[str, tuple[Any, str]], str]] = {}
    value_todo: list[tuple[str, str]] = []
    ticks: dict[str, tuple[Item, list[str]]] = {}
    header_of = {t: h for h, t in mapped.items()}
    for col in sorted(present, key=lambda c: codebook.columns().index(c) if c in known else 0):
        item = known.get(col)
        if item is None:
            continue
        source = header_of.get(col, header_of.get(item.id, col))
        values = [v for v in cells.get(source, []) if v]
        if item.type in CODED_TYPES:
            if table.value_labels.get(source):
                continue  # SPSS value labels are matched by the loader itself
            vmap, vtodo, how = _value_map(item, values, typed_other=table.layout == "forms")
            if vmap:
                per_column[col] = (vmap, how)
            value_todo += [(col, v) for v in vtodo]
        elif item.type == "multi" and source == header_of.get(item.id):
            lookup = option_lookup(item, {})
            protected = protected_labels(item)
            sep = detect_separator(values, lookup, protected)
            if other_option(item) is None:
                value_todo += [(item.id, p) for v in values for p in pieces(v, sep, protected)
                               if label_key(p) not in lookup]
        elif item.type == "multi" and values:
            ticks[col] = (item, list(dict.fromkeys(values)))
    return per_column, value_todo, ticks


def _tick_lines(ticks: dict[str, tuple[Item, list[str]]], todo: list[str]) -> tuple[list[str], list[str]]:
    """The ``scales:`` and ``values:`` lines of tick columns: each distinct value decided, never by a blanket
    wildcard. A tick word (:func:`~analysis.survey.cells.tick_word`: "Ja"/"Yes" ticked, "Nee"/"No" not
    ticked, "N/A" not answered) is listed once for all tick columns; the option's own text (Qualtrics,
    SurveyMonkey) ticks its column; any text typed in an 'other' column ticks it; anything else is a TODO."""
    words: dict[str, tuple[str, float]] = {}
    items: list[str] = []
    values_lines: list[str] = []
    for col, (item, values) in ticks.items():
        lines: list[str] = []
        for v in values:
            meaning = tick_word(v)
            if meaning is not None:
                if value_key(v) not in ("1", "0"):  # plain 1 / 0 need no line
                    words.setdefault(value_key(v), (v, meaning))
                    items += [] if item.id in items else [item.id]
                continue
            line = _option_text_line(item, col, v)
            if line is None:
                values_lines.append(f"  # TODO {col}: {{{json.dumps(v, ensure_ascii=False)}: ?}}  # neither a tick "
                                    "word nor the option's text: 1 ticked, 0 not ticked, null not answered")
                todo.append(f"{col}: {v}")
            elif line not in lines:
                lines.append(line)
        if lines:
            values_lines += [f"  {col}:  # a tick column: each value it holds, decided"] + lines
    if not words:
        return [], values_lines
    scales_lines = ["  ticks:  # the tick words these columns hold: 1 ticked, 0 not ticked, null not answered",
                    f"    columns: [{', '.join(items)}]", "    values:"]
    rank = {1.0: (0, "1", "ticked"), 0.0: (1, "0", "shown and not ticked")}
    for v, meaning in sorted(words.values(), key=lambda w: (rank.get(w[1], (2,))[0], w[0])):
        _, decision, comment = rank.get(meaning, (2, "null", "not answered"))
        scales_lines.append(f"      {json.dumps(v, ensure_ascii=False)}: {decision}  # {comment}")
    return scales_lines, values_lines


def _option_text_line(item: Item, col: str, value: str) -> str | None:
    """The line deciding a value of option column `col` that is no tick word: the option's own text
    (either language, or its code) or its number in the question (Qualtrics' numeric values) ticks it;
    an 'other' option's column is ticked by any typed text."""
    position, option = next((k, o) for k, o in enumerate(item.options, 1) if f"{item.id}_{o.code}" == col)
    if label_key(value) in {label_key(str(option.code))} | {label_key(t) for t in option.labels.values()}:
        return f"    {json.dumps(value, ensure_ascii=False)}: 1  # the option's own text: ticked"
    if number_text(value) == str(position):
        return f"    {json.dumps(value, ensure_ascii=False)}: 1  # the option's number in the question: ticked"
    if option.code == other_option(item):
        return f'    "{WILDCARD}": 1  # typed \'other\' text: any text means ticked'
    return None


def _gather_values(per_column: dict[str, tuple[dict[str, Any], str]], codebook: Codebook,
                   known: dict[str, Item]) -> tuple[list[str], list[str]]:
    """Value maps written once per scale when every column of the scale has the same map, else per column."""
    scales_lines: list[str] = []
    values_lines: list[str] = []
    done: set[str] = set()
    by_scale: dict[str, list[str]] = {}
    for col in per_column:
        scale = known[col].scale
        if scale:
            by_scale.setdefault(scale, []).append(col)
    for scale, cols in by_scale.items():
        maps = [{k: v[0] for k, v in per_column[c][0].items()} for c in cols]
        merged: dict[str, Any] = {}
        for m in maps:
            merged.update(m)
        consistent = all(merged.get(k) == v for m in maps for k, v in m.items())
        if not consistent:
            continue
        scale_items = [i.id for i in codebook.items if i.scale == scale]
        how = per_column[cols[0]][1]
        scales_lines.append(f"  {scale}:  # {len(cols)} of {len(scale_items)} columns on this scale; {how}")
        comments = {k: v[1] for c in cols for k, v in per_column[c][0].items()}
        for k, v in sorted(merged.items(), key=lambda kv: _sort_key(kv[0])):
            scales_lines.append(f"    {json.dumps(k, ensure_ascii=False)}: {_yaml_value(v)}  # {comments[k]}: "
                                f"{_code_label(known[cols[0]], v)}")
        done |= set(cols)
    for col, (vmap, how) in per_column.items():
        if col in done:
            continue
        values_lines.append(f"  {col}:  # {how}")
        for k, (v, comment) in sorted(vmap.items(), key=lambda kv: _sort_key(kv[0])):
            values_lines.append(f"    {json.dumps(k, ensure_ascii=False)}: {_yaml_value(v)}  # {comment}: "
                                f"{_code_label(known[col], v)}")
    return scales_lines, values_lines


def _yaml_value(value: Any) -> str:
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def _code_label(item: Item, code: Any) -> str:
    for c in item.codes:
        if c.code == code:
            return f"{code} = {c.labels.get('nl', '')}"
    return str(code)


__all__ = ["Draft", "draft_mapping", "detect_wave", "match_headers", "strip_decorations"]
