"""Differencing between releases: does a new build, set beside an earlier one, isolate a few respondents?

Each build's tables pass the small-cell rule on their own. Two builds of nearly the same
respondents do not: a re-run after three late responses, or a report for organisations A and B
beside one for A alone, differ by a handful of respondents, and every published count that
changes between the two shows how many of *those* respondents gave that answer. An output checker
treats the difference of two releases as one more table that must pass the rule.

:func:`compare_releases` reads two builds' published tables (``<out>/<theme>/*.csv``), matches them
by file and row labels, and lists every difference that lies in 1..k-1 (or -(k-1)..-1): of a count
or base, of a complement (base minus count), of a count implied by a share and its base, and of a
band of counts (``1–4``). A hidden cell ("[c]") is the range its marker states (1..k-1, 0..k-1
when zeros are hidden), so a cell hidden in one release and shown as 5 in the other differs by
1..4 and is listed too. ``python -m analysis check-release NEW_OUT OLD_OUT`` prints the list and
exits 1 when it is not empty.

k and the rule profile come from each build's ``release.json`` (:func:`manifest`): the rule in
force, the dataset label, the input's SHA-256 and the SHA-256 of every published file (the chapters'
folders, the appendix ``analyses/``, the report, the workbook, the notebooks; not the analyst's
``analyst/``) - nothing about a respondent. A published file that is not as its release's manifest
lists it (edited, added or removed since the build) is noted.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.protection.disclosure import SUPPRESSED
from analysis.core.errors import Problem, SurveyDataError

__all__ = ["MANIFEST", "Difference", "ReleaseComparison", "compare_releases", "manifest", "published_files",
           "read_manifest", "write_manifest"]

#: The published record of a build's rules, next to report.html.
MANIFEST = "release.json"
#: Version of the manifest's layout.
MANIFEST_FORMAT = 1
#: Columns that name a row (matched between releases); everything else is a value.
KEY_COLUMNS = ("item", "code", "option", "label", "part", "group", "category", "term", "term_type", "item_a", "item_b",
               "id", "force", "kind", "theme", "comparison")
#: Folders of a build that hold no published table (of a theme or of the appendix of additional analyses).
_NOT_THEMES = {"analyst", "notebooks", "interactive"}
#: The build's folder for the analyst only (respondent level): never published, so not in the manifest.
_ANALYST = "analyst"
_BAND = re.compile(r"^\s*(\d+)\s*(?:[–-]\s*(\d+)|(\+))?\s*$")


# --------------------------------------------------------------------------- the manifest

def manifest(*, k: int, profile: str, zeros_hidden: bool, label: str, input_sha256: str, lang: str,
             themes: Sequence[str], synthetic: bool) -> dict[str, Any]:
    """What a build publishes about itself for later comparison: rules, label, input fingerprint."""
    return {"format": MANIFEST_FORMAT, "k": int(k), "profile": profile, "zeros_hidden": bool(zeros_hidden),
            "label": label, "input_sha256": input_sha256, "lang": lang, "themes": list(themes),
            "synthetic": bool(synthetic)}


def published_files(folder: str | Path) -> dict[str, str]:
    """The SHA-256 of every published file of a build folder, by its path in the folder: everything but
    the analyst's folder and the manifest itself."""
    folder = Path(folder)
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file() and path.relative_to(folder).as_posix() != MANIFEST
            and path.relative_to(folder).parts[0] != _ANALYST}


def write_manifest(folder: str | Path, record: dict[str, Any]) -> Path:
    """Write ``release.json`` into a build's output folder, with the digest of every file published
    beside it (:func:`published_files`; written last, sorted keys: same build, same bytes)."""
    path = Path(folder) / MANIFEST
    record = {**record, "files": published_files(folder)}
    path.write_text(json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_manifest(folder: str | Path) -> dict[str, Any]:
    """A build's ``release.json``; :class:`SurveyDataError` when the folder is not a build or has none."""
    folder = Path(folder)
    path = folder / MANIFEST
    if not folder.is_dir():
        raise SurveyDataError([Problem(str(folder), "not a folder", expected="the output folder of a build")])
    if not path.is_file():
        raise SurveyDataError([Problem(str(folder), f"no {MANIFEST}: the rules this build was made under are not "
                                       "known", expected=f"the output folder of a build that wrote {MANIFEST} "
                                       "(build it again with this version)")])
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        int(record["k"]), str(record["profile"])
    except (ValueError, KeyError, TypeError) as exc:
        raise SurveyDataError([Problem(str(path), f"unreadable ({type(exc).__name__}: {exc})",
                                       expected="k, profile and zeros_hidden as a build writes them")]) from None
    return record


# --------------------------------------------------------------------------- comparing

@dataclass(frozen=True)
class Difference:
    """A published number that differs between two releases by 1..k-1 respondents."""

    table: str          # "<theme>/<file>.csv"
    row: str            # the row's labels
    quantity: str       # the column, or e.g. "n - count" for a complement
    kind: str           # count, complement, share x base, band
    new: str
    old: str
    low: int            # the difference lies in low..high (new minus old)
    high: int

    def __str__(self) -> str:
        span = f"{self.low}" if self.low == self.high else f"{self.low}..{self.high}"
        return (f"{self.table}, row {self.row}, {self.quantity} ({self.kind}): {self.new} now, {self.old} before; "
                f"the difference ({span}) isolates {_respondents(self.low, self.high)}")


def _respondents(low: int, high: int) -> str:
    a, b = sorted((abs(low), abs(high)))
    return f"{a} respondent{'s' if a != 1 else ''}" if a == b else f"{a} to {b} respondents"


@dataclass
class ReleaseComparison:
    """Everything :func:`compare_releases` found."""

    k: int
    profiles: tuple[str, str]
    differences: list[Difference] = field(default_factory=list)
    #: tables or rows found in one release only (not compared), and other remarks
    notes: list[str] = field(default_factory=list)
    tables_compared: int = 0

    @property
    def ok(self) -> bool:
        return not self.differences

    def report(self) -> str:
        head = (f"compared {self.tables_compared} published table(s); k = {self.k} "
                f"(rule profiles: {self.profiles[0]} now, {self.profiles[1]} before)")
        lines = [head]
        if self.differences:
            lines.append(f"{len(self.differences)} difference(s) isolate 1 to {self.k - 1} respondents: "
                         "do not publish both releases as they are")
            # rows that differ in the same way (a base repeated on every row of an item) are listed together
            grouped: dict[tuple[Any, ...], list[Difference]] = {}
            for d in self.differences:
                grouped.setdefault((d.table, d.quantity, d.kind, d.new, d.old, d.low, d.high), []).append(d)
            for same in grouped.values():
                line = f"  - {same[0]}"
                if len(same) > 1:
                    line += f" (also rows {'; '.join(d.row for d in same[1:])})"
                lines.append(line)
        else:
            lines.append("no difference between the releases isolates fewer than k respondents")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


@dataclass(frozen=True)
class _Rule:
    k: int
    zeros_hidden: bool

    @classmethod
    def of(cls, record: dict[str, Any]) -> _Rule:
        return cls(int(record["k"]), bool(record.get("zeros_hidden", record.get("profile") == "strict")))


def _is_count(column: str) -> bool:
    """Counts of respondents by the naming convention of :mod:`analysis.protection.disclosure`."""
    return (column in ("n", "count", "units") or column.endswith(("_count", "_n"))
            or (column.startswith("n_") and column not in ("n_eff",)))


def _is_share(column: str) -> bool:
    return column in ("pct", "share") or (column.endswith(("_pct", "_share")) and not column.endswith("_gap_pct"))


def _numerator(column: str, columns: Sequence[str]) -> str | None:
    if column in ("pct", "share"):
        return "count" if "count" in columns else None
    stem = column.rsplit("_", 1)[0]
    return next((c for c in (f"{stem}_count", f"{stem}_n") if c in columns), None)


def _interval(text: str, rule: _Rule, band: bool = False) -> tuple[float, float] | None:
    """The range a published cell states: a number, the marker's range, or a band."""
    text = str(text).strip()
    if text == SUPPRESSED:
        return (0.0 if rule.zeros_hidden else 1.0, float(rule.k - 1))
    if band:
        match = _BAND.match(text)
        if match:
            low = float(match.group(1))
            high = math.inf if match.group(3) else float(match.group(2) or match.group(1))
            return (low, high)
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return (value, value) if math.isfinite(value) else None


def _minus(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    return (a[0] - b[1], a[1] - b[0])


def _isolates(diff: tuple[float, float], k: int) -> bool:
    """Whether a difference certainly lies in 1..k-1 (or in -(k-1)..-1)."""
    low, high = diff
    return (1 <= low and high <= k - 1) or (-(k - 1) <= low and high <= -1)


def _rows(table: pd.DataFrame) -> dict[tuple[str, ...], pd.Series]:
    keys = [c for c in KEY_COLUMNS if c in table.columns]
    out: dict[tuple[str, ...], pd.Series] = {}
    seen: dict[tuple[str, ...], int] = {}
    for _, row in table.iterrows():
        key = tuple(f"{c}={row[c]}" for c in keys) or ("row",)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1 or key == ("row",):
            key = key + (f"#{seen[key]}",)
        out[key] = row
    return out


def _quantities(row: pd.Series, columns: Sequence[str], rule: _Rule) -> dict[str, tuple[str, str, tuple[float, float]]]:
    """Every count a row publishes, directly or by arithmetic: name -> (kind, text, range)."""
    out: dict[str, tuple[str, str, tuple[float, float]]] = {}
    for c in columns:
        if c in KEY_COLUMNS:
            continue
        if _is_count(c):
            value = _interval(row[c], rule)
            if value is not None:
                out[c] = ("count", str(row[c]), value)
        elif c == "respondents":  # a band of counts (force coverage)
            value = _interval(row[c], rule, band=True)
            if value is not None:
                out[c] = ("band", str(row[c]), value)
    base = out.get("n")
    if base is not None and base[0] == "count":
        for c in columns:
            if not _is_share(c) or _numerator(c, columns) is not None:
                continue
            share = _interval(row[c], rule)
            if share is None or str(row[c]).strip() == SUPPRESSED or base[2][0] != base[2][1]:
                continue
            implied = round(share[0] * base[2][0] / 100)
            out[f"{c} x n"] = ("share x base", f"{row[c]}% of {row['n']}", (implied, implied))
        for c, (kind, text, value) in list(out.items()):
            if c != "n" and kind in ("count", "share x base") and c not in ("dont_know_n", "missing_n",
                                                                          "mentions_n", "units"):
                name = c.removesuffix(" x n")
                out[f"n - {name}"] = ("complement", f"{row['n']} - {text}", _minus(base[2], value))
    if all(c in out for c in ("n", "top2_count", "bottom2_count")):
        middle = _minus(_minus(out["n"][2], out["top2_count"][2]), out["bottom2_count"][2])
        out["n - top2_count - bottom2_count"] = ("complement", "", middle)
    return out


def compare_releases(new: str | Path, old: str | Path) -> ReleaseComparison:
    """Compare two builds' published tables; see the module docstring for what is listed."""
    new, old = Path(new), Path(old)
    new_record, old_record = read_manifest(new), read_manifest(old)
    new_rule, old_rule = _Rule.of(new_record), _Rule.of(old_record)
    k = max(new_rule.k, old_rule.k)
    result = ReleaseComparison(k, (str(new_record["profile"]), str(old_record["profile"])))
    result.notes += _digest_notes(new, new_record) + _digest_notes(old, old_record)
    if new_record.get("lang") != old_record.get("lang"):
        result.notes.append(f"the releases are in different languages ({new_record.get('lang')}, "
                            f"{old_record.get('lang')}): rows labelled in words cannot be matched")
    new_tables = {p.relative_to(new).as_posix() for p in new.glob("*/*.csv") if p.parent.name not in _NOT_THEMES}
    old_tables = {p.relative_to(old).as_posix() for p in old.glob("*/*.csv") if p.parent.name not in _NOT_THEMES}
    for name in sorted(new_tables ^ old_tables):
        result.notes.append(f"{name} is published in one release only (not compared)")
    for name in sorted(new_tables & old_tables):
        result.tables_compared += 1
        a = pd.read_csv(new / name, dtype=str, keep_default_na=False)
        b = pd.read_csv(old / name, dtype=str, keep_default_na=False)
        rows_a, rows_b = _rows(a), _rows(b)
        unmatched = len(set(rows_a) ^ set(rows_b))
        if unmatched:
            result.notes.append(f"{name}: {unmatched} row(s) in one release only (not compared)")
        for key in [k_ for k_ in rows_a if k_ in rows_b]:
            qa = _quantities(rows_a[key], list(a.columns), new_rule)
            qb = _quantities(rows_b[key], list(b.columns), old_rule)
            for quantity in [q for q in qa if q in qb]:
                kind, text_a, range_a = qa[quantity]
                _, text_b, range_b = qb[quantity]
                diff = _minus(range_a, range_b)
                if _isolates(diff, k):
                    result.differences.append(Difference(
                        name, ", ".join(key), quantity, kind, text_a or _span(range_a), text_b or _span(range_b),
                        int(diff[0]), int(diff[1])))
    return result


def _digest_notes(folder: Path, record: dict[str, Any]) -> list[str]:
    """Published files that are not as the build's manifest lists them (edited, added or removed since the
    build); none for a manifest without digests."""
    listed = record.get("files")
    if not isinstance(listed, dict):
        return []
    found, notes = published_files(folder), []
    for name in sorted(set(found) | set(listed)):
        if name not in found:
            notes.append(f"{folder / name}: removed since the build (listed in {MANIFEST})")
        elif name not in listed:
            notes.append(f"{folder / name}: added since the build (not in {MANIFEST})")
        elif found[name] != listed[name]:
            notes.append(f"{folder / name}: changed since the build (its SHA-256 is not the one {MANIFEST} lists)")
    return notes


def _span(value: tuple[float, float]) -> str:
    low, high = value
    return f"{low:g}" if low == high else f"{low:g}..{high:g}"
