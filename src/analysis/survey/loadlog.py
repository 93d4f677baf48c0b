"""The load log: what happened between the export file and the survey frame.

The build writes it to its data log; ``validate`` summarises it for the researcher.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass
class LoadLog:
    """What happened between the file and the survey frame (written to the build's data log)."""

    file: str
    sha256: str
    detected: dict[str, str]
    respondents: int = 0
    mapping_file: str | None = None
    mapping_sha256: str | None = None
    renamed_columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    labels_recoded: dict[str, int] = field(default_factory=dict)
    mapped_values: dict[str, int] = field(default_factory=dict)
    spss_labels_recoded: dict[str, dict[str, Any]] = field(default_factory=dict)
    missing_cells: dict[str, int] = field(default_factory=dict)
    missing_reasons: dict[str, dict[str, int]] = field(default_factory=dict)
    dont_know_cells: dict[str, int] = field(default_factory=dict)
    optional_columns_absent: list[str] = field(default_factory=list)
    blank_rows_skipped: int = 0
    #: Responses with no answer to any question (unfinished responses that LimeSurvey and Qualtrics
    #: export), left out of the survey frame: their line in the file and respondent id (None if empty).
    empty_responses: list[dict[str, Any]] = field(default_factory=list)
    #: Survey-tool columns (metadata, personal data) dropped at load: they never reach the frame.
    metadata_columns_dropped: list[str] = field(default_factory=list)
    #: How respondent ids were made when the export has none ('' when the export has them).
    generated_ids: str = ""
    #: Multi-select answers held in one cell: export column -> item, separator, cells split.
    split_columns: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Typed "other" answers found in one-cell multi-selects, per item (ticked the item's 'other').
    other_answers: dict[str, int] = field(default_factory=dict)
    #: The rule for empty multi-select cells, per item: empty options of respondents who answered
    #: the question counted as "not ticked" (0), and respondents with every option empty ("not answered").
    options_not_ticked: dict[str, int] = field(default_factory=dict)
    questions_not_answered: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The log as plain JSON-serialisable data (str keys; int, float, str, list, dict values)."""
        return _jsonable(dict(self.__dict__))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
