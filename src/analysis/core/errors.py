"""Errors for people: every problem found in an input, each naming file, row, column and value."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the file allows."""

    file: str
    message: str
    line: int | None = None          # 1-based line (CSV) or sheet row (XLSX) in the file
    respondent: str | None = None    # respondent id of that row, when known
    column: str | None = None
    value: str | None = None
    expected: str | None = None
    #: How many respondents the problem stands for (one problem may stand for all who share a value).
    count: int = 1
    #: The value as a mapping key, when it differs from `value` (e.g. an SPSS code and its label).
    key: str | None = None

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.respondent not in (None, ""):
            where.append(f"respondent {self.respondent}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = ", ".join(where) + f": {self.message}"
        if self.value is not None:
            text += f" (value {self.value!r})"
        if self.expected is not None:
            text += f"; expected {self.expected}"
        return text


class SurveyDataError(Exception):
    """Raised when an input cannot be used; carries every problem found, not just the first.

    `wave` is the codebook wave the problems were found against, when the input is an export (the loader
    sets it: the wave given, or the one whose columns the export fits best)."""

    def __init__(self, problems: list[Problem], wave: str | None = None):
        self.problems = list(problems)
        self.wave = wave
        super().__init__(self.report())

    def report(self, limit: int | None = None) -> str:
        """The problems as a readable list (all of them unless `limit` is given)."""
        shown = self.problems if limit is None else self.problems[:limit]
        lines = [f"{len(self.problems)} problem(s) found:"] + [f"  - {p}" for p in shown]
        if limit is not None and len(self.problems) > limit:
            lines.append(f"  ... and {len(self.problems) - limit} more")
        return "\n".join(lines)
