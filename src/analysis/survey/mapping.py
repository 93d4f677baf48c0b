"""The mapping: how an export's own column names and answer values translate to the codebook.

:class:`Mapping` is read from YAML (keys written twice, or twice once case and spaces are ignored,
are refused); :func:`check_mapping` names every entry that points at nothing in the codebook; and
:func:`values_for` gives the value entries that apply to one codebook column, in precedence order.
"""
from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from analysis.core.errors import Problem, SurveyDataError
from analysis.survey.codebook import CODED_TYPES, Codebook, Item
from analysis.survey.matching import code_lookup, expected_codes, header_key, label_key, number_text, value_key


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML SafeLoader that refuses a key written twice in one mapping (YAML would keep the last)."""

    duplicates: list[tuple[str, int, int]]

    def construct_mapping(self, node, deep=False):  # noqa: D401 - PyYAML hook
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            try:
                key = self.construct_object(key_node, deep=True)
                hash(key)
            except Exception:  # unhashable keys are reported by PyYAML itself
                continue
            line = key_node.start_mark.line + 1
            if key in seen:
                self.duplicates.append((str(key), seen[key], line))
            else:
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


def read_yaml_unique(data: str, name: str) -> Any:
    """Parse YAML text, refusing keys written twice (each reported with both line numbers)."""
    loader = _UniqueKeyLoader(data)
    loader.duplicates = []
    try:
        raw = loader.get_single_data()
    finally:
        loader.dispose()
    if loader.duplicates:
        raise SurveyDataError([
            Problem(name, f"the key appears twice (first on line {first}); YAML would silently keep only the "
                    "last one", line=line, value=key, expected="each key once: merge the two entries")
            for key, first, line in loader.duplicates])
    return raw


#: Top-level sections of a mapping file.
MAPPING_SECTIONS = ("columns", "values", "scales")


@dataclass
class Mapping:
    """How an export's own column names and answer values translate to the codebook.

    YAML form::

        columns:            # export column -> codebook column (null: ignore the column)
          "Bij welke organisatie werkt u?": organisation
          "Starttijd": null
          # a multi-select question in one cell -> its item; split into the item's option columns
          "Welke social media gebruikt u voor uw werk?": platforms
          "Platforms (Forms)": {item: platforms, split: ";"}   # separator given instead of detected
        values:             # per codebook column, item id or export column: export value -> code
          organisation: {"Politie Utrecht (regio)": 9}
          use_frequency: {"n.v.t.": null}     # null: set to missing (counted in the data log)
        scales:             # once per scale or grid of the codebook, or for a list of columns
          size: {"A6": 9}
          statements: {"Weet ik niet": 9}
          ticks: {columns: [platforms, uses_made], values: {"*": 1}}   # "*": any other text

    Precedence, lowest first: scales (by scale, by grid, listed columns), then ``values`` by item,
    by export column, by codebook column.
    """

    columns: dict[str, str | None] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    scales: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: scales entries given as ``{columns: [...], values: {...}}``: name -> the columns or items listed
    scale_columns: dict[str, list[str]] = field(default_factory=dict)
    #: export column -> separator of a multi-select answer held in one cell
    split: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    sha256: str = ""

    @classmethod
    def read(cls, path: str | Path) -> "Mapping":
        """Read a mapping YAML file; raises :class:`SurveyDataError` when it cannot be used."""
        path = Path(path)
        try:
            data = path.read_bytes()
            raw = read_yaml_unique(data.decode("utf-8-sig"), str(path)) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise SurveyDataError([Problem(str(path), f"the mapping file cannot be read ({exc})",
                                           expected="a UTF-8 YAML file with 'columns', 'values' and/or 'scales'")])
        if not isinstance(raw, dict) or set(raw) - set(MAPPING_SECTIONS):
            shape = str(sorted(map(str, raw))) if isinstance(raw, dict) else type(raw).__name__
            raise SurveyDataError([Problem(str(path), "the mapping file has an unexpected shape", value=shape,
                                           expected="top-level keys 'columns', 'values' and/or 'scales'")])
        mapping = cls.from_dict(raw, str(path))
        mapping.path = path
        mapping.sha256 = hashlib.sha256(data).hexdigest()
        return mapping

    @classmethod
    def from_dict(cls, raw: dict, name: str = "mapping") -> "Mapping":
        """A mapping from its parsed YAML (``columns``, ``values``, ``scales``)."""
        problems: list[Problem] = []
        columns_raw, values_raw, scales_raw = _sections(raw, name, problems)
        columns, split = _read_columns(columns_raw, name, problems)
        problems += _key_clashes(name, columns_raw, values_raw, scales_raw)
        values = {str(col).strip(): {value_key(k): v for k, v in (vals or {}).items()}
                  for col, vals in values_raw.items()}
        scales, scale_columns = _read_scales(scales_raw, name, problems)
        if problems:
            raise SurveyDataError(problems)
        return cls(columns=columns, values=values, scales=scales, scale_columns=scale_columns, split=split)


def _sections(raw: dict, name: str, problems: list[Problem]) -> tuple[dict, dict, dict]:
    """The three sections of a mapping, each a dict (an unusable section is reported and read as empty)."""
    columns_raw = raw.get("columns") or {}
    values_raw = raw.get("values") or {}
    scales_raw = raw.get("scales") or {}
    if not isinstance(columns_raw, dict):
        problems.append(Problem(name, "'columns' is not a list of 'export column: codebook column' pairs",
                                expected="columns:\n    \"Export column\": codebook_column"))
        columns_raw = {}
    if not isinstance(values_raw, dict) or not all(isinstance(v, dict) or v is None for v in values_raw.values()):
        problems.append(Problem(name, "'values' is not a set of 'codebook column: {export value: code}' maps",
                                expected="values:\n    codebook_column: {\"export value\": code}"))
        values_raw = {}
    if not isinstance(scales_raw, dict) or not all(isinstance(v, dict) or v is None for v in scales_raw.values()):
        problems.append(Problem(name, "'scales' is not a set of 'scale or grid: {export value: code}' maps",
                                expected="scales:\n    size: {\"export value\": code}"))
        scales_raw = {}
    return columns_raw, values_raw, scales_raw


def _read_columns(columns_raw: dict, name: str,
                  problems: list[Problem]) -> tuple[dict[str, str | None], dict[str, str]]:
    """(export column -> codebook column or None, export column -> separator of a one-cell multi-select)."""
    columns: dict[str, str | None] = {}
    split: dict[str, str] = {}
    for k, v in columns_raw.items():
        key = str(k).strip()
        if isinstance(v, dict):
            target = v.get("item", v.get("column"))
            if target is None or set(v) - {"item", "column", "split"}:
                problems.append(Problem(name, "a column entry with options must name the item and may give "
                                        "a separator", column=key, value=str(v),
                                        expected='{item: platforms, split: ";"}'))
                continue
            columns[key] = str(target).strip()
            if v.get("split") is not None:
                split[key] = str(v["split"])
        else:
            columns[key] = None if v is None else str(v).strip()
    return columns, split


def _key_clashes(name: str, columns_raw: dict, values_raw: dict, scales_raw: dict) -> list[Problem]:
    """Keys of every map of the mapping that the loader would read as one key (see :func:`_clashes`)."""
    problems = _clashes(name, "columns", {str(k): v for k, v in columns_raw.items()}, header_key)
    problems += _clashes(name, "values", {str(k): v for k, v in values_raw.items()}, str.strip)
    problems += _clashes(name, "scales", {str(k): v for k, v in scales_raw.items()}, str.strip)
    for col, vals in values_raw.items():
        problems += _clashes(name, f"values of {col}", vals or {}, value_key)
    for scale, entry in scales_raw.items():
        entry = entry or {}
        listed = entry.get("values") if isinstance(entry, dict) and set(entry) == {"columns", "values"} else entry
        if isinstance(listed, dict):
            problems += _clashes(name, f"scales of {scale}", listed, value_key)
    return problems


def _read_scales(scales_raw: dict, name: str,
                 problems: list[Problem]) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    """(scale, grid or list name -> {export value: code}, list name -> the columns or items it lists)."""
    scales: dict[str, dict[str, Any]] = {}
    scale_columns: dict[str, list[str]] = {}
    for scale, entry in scales_raw.items():
        entry = entry or {}
        if set(entry) == {"columns", "values"}:
            listed = entry["columns"]
            if not isinstance(listed, list) or not isinstance(entry["values"], dict):
                problems.append(Problem(name, "a scales entry with 'columns' needs a list of columns and a "
                                        "'values' map", column=str(scale),
                                        expected="{columns: [col_a, col_b], values: {\"export value\": code}}"))
                continue
            scale_columns[str(scale)] = [str(c).strip() for c in listed]
            entry = entry["values"]
        scales[str(scale).strip()] = {value_key(k): v for k, v in entry.items()}
    return scales, scale_columns


def _clashes(name: str, where: str, entries: dict[Any, Any], key: Any) -> list[Problem]:
    """Entries of one map whose keys are compared as the same (case, spaces, '3.0' vs '3') but that
    say different things: the loader would keep one of them silently."""
    seen: dict[str, tuple[Any, Any]] = {}
    problems = []
    for k, v in entries.items():
        norm = key(str(k))
        if norm in seen and seen[norm][1] != v:
            first = seen[norm][0]
            problems.append(Problem(name, f"two entries of '{where}' are the same key once case and spaces are "
                                    f"ignored ({first!r}: {seen[norm][1]!r} and {k!r}: {v!r})", column=str(where),
                                    value=str(k), expected="one entry per export column or value (matching ignores "
                                    "case): keep the right one"))
        seen.setdefault(norm, (k, v))
    return problems


# --- the mapping against the codebook ------------------------------------------------------------

def check_mapping(mapping: Mapping, known: dict[str, Item], codebook: Codebook) -> list[Problem]:
    """Mapping entries that point at nothing in the codebook (reported, never ignored)."""
    name = str(mapping.path) if mapping.path else "mapping"
    problems = []
    for export_col, target in mapping.columns.items():
        if target is not None and target not in known and multi_item(target, codebook) is None:
            problems.append(Problem(name, "the mapping maps a column to a name that is not a codebook column "
                                    "(nor a multi-select item, for answers in one cell)",
                                    column=export_col, value=target, expected=suggest(target, known)))
    for export_col, sep in mapping.split.items():
        if sep == "":
            problems.append(Problem(name, "the separator is empty", column=export_col, value=sep,
                                    expected='a separator such as ";" or ", "'))
    for scale, values in mapping.scales.items():
        problems += _check_scale(name, scale, values, mapping, known, codebook)
    for col, values in mapping.values.items():
        targets = _value_targets(col, mapping, known, codebook)
        if not targets:
            problems.append(Problem(name, "'values' names a column that is neither a codebook column, an item, "
                                    "nor an export column in 'columns'", column=col,
                                    expected=suggest(col, known)))
            continue
        problems += _check_codes(name, col, values, targets, known)
    return problems


def _check_scale(name: str, scale: str, values: dict[str, Any], mapping: Mapping, known: dict[str, Item],
                 codebook: Codebook) -> list[Problem]:
    """Problems of one 'scales' entry: what it names, the columns it lists, the codes it maps to."""
    targets = _scale_targets(scale, mapping, known, codebook)
    if not targets:
        scales = ", ".join(sorted({i.scale for i in codebook.items if i.scale}))
        grids = ", ".join(sorted({i.grid for i in codebook.items if i.grid}))
        return [Problem(name, "'scales' names neither a scale nor a grid of the codebook", column=scale,
                        expected=f"a scale ({scales}), a grid ({grids}) or {{columns: [...], values: {{...}}}}")]
    problems = []
    for col in mapping.scale_columns.get(scale, []):
        if col not in known and col not in codebook and col not in mapping.columns:
            problems.append(Problem(name, "'scales' lists a column that is neither a codebook column, an item, "
                                    "nor an export column in 'columns'", column=col, expected=suggest(col, known)))
    return problems + _check_codes(name, f"scales: {scale}", values, targets, known)


def _check_codes(name: str, col: str, values: dict[str, Any], targets: list[str],
                 known: dict[str, Item]) -> list[Problem]:
    """Mapped values whose code is not a code of the coded items they apply to."""
    problems = []
    for item in {known[t].id: known[t] for t in targets if t in known}.values():
        if item.type not in CODED_TYPES:
            continue
        by_code, by_label = code_lookup(item)
        for key, code in values.items():
            if code is None:
                continue
            if number_text(str(code).strip()) not in by_code and label_key(str(code)) not in by_label:
                problems.append(Problem(name, "the mapping maps a value to a code the codebook does not have",
                                        column=col, value=f"{key} -> {code}",
                                        expected=expected_codes(item, col).split(", or add")[0]))
    return problems


def multi_item(name: str | None, codebook: Codebook) -> Item | None:
    """The multi-select item called `name` (a one-cell multi-select maps to it), else None."""
    if name is not None and name in codebook and codebook[name].type == "multi":
        return codebook[name]
    return None


def _value_targets(key: str, mapping: Mapping, known: dict[str, Item], codebook: Codebook) -> list[str]:
    """Codebook columns a 'values' entry applies to: a column, every column of an item, or a mapped export column."""
    if key in known:
        return [key]
    if key in codebook:
        return codebook[key].columns
    target = mapping.columns.get(key)
    if target is not None and multi_item(target, codebook) is not None:
        return codebook[target].columns
    return [target] if target in known else []


def _scale_targets(scale: str, mapping: Mapping, known: dict[str, Item], codebook: Codebook) -> list[str]:
    """Codebook columns a 'scales' entry applies to: a scale's items, a grid's items, or the listed columns."""
    if scale in mapping.scale_columns:
        out = []
        for col in mapping.scale_columns[scale]:
            out += _value_targets(col, mapping, known, codebook)
        return out
    return [c for item in codebook.items if scale in (item.scale, item.grid) for c in item.columns]


def suggest(name: str, known: dict[str, Item]) -> str:
    """'a codebook column', with the closest codebook column to `name` when one is close."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.75)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return "a codebook column" + hint


def values_for(col: str, item: Item, export_col: str, mapping: Mapping, include_scales: bool = True) -> dict[str, Any]:
    """The mapping's value entries for one codebook column, lowest precedence first: scales (by scale,
    by grid, by listed columns), then values by item id, by export column, by codebook column."""
    merged: dict[str, Any] = {}
    if include_scales:
        for key in (item.scale, item.grid):
            if key and key in mapping.scales and key not in mapping.scale_columns:
                merged.update(mapping.scales[key])
        for scale, listed in mapping.scale_columns.items():
            if any(entry in (col, item.id, export_col) for entry in listed):
                merged.update(mapping.scales[scale])
    for key in (item.id, export_col, col):
        merged.update(mapping.values.get(key, {}))
    return merged
