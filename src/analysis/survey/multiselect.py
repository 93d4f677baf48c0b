"""Multi-select answers held in one cell ("Facebook;Twitter"), split into the item's option columns.

The separator is the mapping's, or the one under which most pieces are option labels; option labels
that contain the separator stay whole; a piece that is no option ticks the item's "other" option
when it has one (the typed text is kept), and is a problem otherwise.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from analysis.survey.codebook import Item
from analysis.survey.matching import label_key


@dataclass
class Split:
    """A one-cell multi-select column split: option columns, separator used, problems, typed 'other' answers."""

    options: dict[str, list[str]]
    separator: str
    problems: list[tuple[int, str, str, str]]
    others: int = 0
    other_texts: list[str] = field(default_factory=list)


#: Separators tools put between the ticked options of a multi-select in one cell, most specific first.
_SEPARATORS = (";", ", ", ",", "|", "\n")


def option_lookup(item: Item, pieces_map: dict[str, Any]) -> dict[str, Any]:
    """Option label (either language) or code, matched as labels are -> option code (None: ignore)."""
    lookup: dict[str, Any] = {}
    for o in item.options:
        lookup[label_key(str(o.code))] = o.code
        for label in o.labels.values():
            lookup.setdefault(label_key(label), o.code)
    for key, target in pieces_map.items():
        if key == "*" or (target is not None and label_key(str(target)) not in lookup):
            continue  # tick values (1/0, "*") belong to the option columns, not to the pieces
        lookup[label_key(key)] = None if target is None else lookup[label_key(str(target))]
    return lookup


def pieces(cell: str, separator: str, protected: list[str]) -> list[str]:
    """A one-cell multi-select answer cut at `separator`; option labels that contain the separator stay whole."""
    kept: list[str] = []
    text = cell
    for label in protected:
        if separator in label and label.casefold() in text.casefold():
            pattern = re.compile(r"(?<!\w)" + re.escape(label) + r"(?!\w)", re.IGNORECASE)

            def keep(match: re.Match) -> str:
                kept.append(match.group())
                return f"\x00{len(kept) - 1}\x00"
            text = pattern.sub(keep, text)
    parts = [re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], p).strip() for p in text.split(separator)]
    return [p for p in parts if p]


def detect_separator(cells: list[str], lookup: dict[str, Any], protected: list[str]) -> str:
    """The separator under which most pieces of the cells are option labels."""
    sample = [c for c in cells if c][:500]
    best, best_score = _SEPARATORS[0], None
    for separator in _SEPARATORS:
        score = 0
        for cell in sample:
            for piece in pieces(cell, separator, protected):
                score += 1 if label_key(piece) in lookup else -1
        if best_score is None or score > best_score:
            best, best_score = separator, score
    return best


def other_option(item: Item) -> Any:
    """The code of the item's "other" option, if it has one."""
    for o in item.options:
        if str(o.code) == "other" or {label_key(v) for v in o.labels.values()} & {"anders", "other"}:
            return o.code
    return None


def protected_labels(item: Item) -> list[str]:
    """The item's option labels, longest first (kept whole when they contain the separator)."""
    return sorted({label for o in item.options for label in o.labels.values()}, key=len, reverse=True)


def split_multi(item: Item, cells: list[str], separator: str | None, pieces_map: dict[str, Any]) -> Split:
    """Option columns ("1", "0", or "" when the cell is empty) from one-cell multi-select answers."""
    lookup = option_lookup(item, pieces_map)
    protected = protected_labels(item)
    if separator is None:
        separator = detect_separator(cells, lookup, protected)
    other = other_option(item)
    options: dict[str, list[str]] = {f"{item.id}_{o.code}": [] for o in item.options}
    problems: list[tuple[int, str, str, str]] = []
    others = 0
    other_texts: list[str] = []
    labels = ", ".join(repr(o.labels.get("nl", o.code)) for o in item.options)
    for i, cell in enumerate(cells):
        if cell == "":
            for out in options.values():
                out.append("")
            other_texts.append("")
            continue
        ticked, unknown = _ticked(cell, separator, protected, lookup)
        text = ""
        if unknown and other is not None:
            ticked.add(other)
            others += 1
            text = separator.join(unknown)
        elif unknown:
            for piece in unknown:
                problems.append((i, "an answer that is not an option of the question", piece,
                                 f"options separated by {separator!r}: {labels}; or add it to the mapping under "
                                 f"values: {item.id}"))
        other_texts.append(text)
        for o in item.options:
            options[f"{item.id}_{o.code}"].append("1" if o.code in ticked else "0")
    return Split(options, separator, problems, others, other_texts)


def _ticked(cell: str, separator: str, protected: list[str], lookup: dict[str, Any]) -> tuple[set, list[str]]:
    """(option codes ticked in one cell, the pieces that are no option)."""
    ticked, unknown = set(), []
    for piece in pieces(cell, separator, protected):
        key = label_key(piece)
        if key in lookup:
            if lookup[key] is not None:
                ticked.add(lookup[key])
        else:
            unknown.append(piece)
    return ticked, unknown
