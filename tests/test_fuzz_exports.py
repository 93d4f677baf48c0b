"""Fuzzing: corrupted exports give a correct survey frame or a clean SurveyDataError, never anything else.

A corruption is a sequence of edits to a valid export (drop, duplicate or reorder columns, inject a
bad code, shuffle rows, change separator or encoding, truncate the bytes). A model of the edits
says what must happen; the loader's answer is checked against it, so a silently wrong count fails.
"""
from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.survey.codebook import load_codebook
from analysis.core.errors import SurveyDataError
from analysis.core.paths import SYNTHETIC_EXPORT
from analysis.survey.loader import load, load_with_log

CODEBOOK = load_codebook()
ITEMS = CODEBOOK.column_item()
with open(SYNTHETIC_EXPORT, encoding="utf-8", newline="") as _fh:
    ALL_ROWS = list(csv.reader(_fh))
BASE = ALL_ROWS[:61]  # header and 60 respondents: fast, still every column and code kind
BAD_VALUES = ["77", "-1", "abc", "2.5", "één", "1e9", "0x1", "Zeer groot?"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]


def _encode(rows: list[list[str]], encoding: str, delimiter: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    text = buffer.getvalue()
    if encoding == "latin-1":
        text = text.replace("\u2019", "'")  # Latin-1 cannot hold ’; the model rows get the same change
    return text.encode(encoding)


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("ref") / "base.csv"
    path.write_bytes(_encode(BASE, "utf-8", ","))
    return load(path)


edits = st.lists(st.one_of(
    st.tuples(st.just("drop"), st.integers(0, 200)),
    st.tuples(st.just("duplicate"), st.integers(0, 200)),
    st.tuples(st.just("reorder"), st.randoms(use_true_random=False)),
    st.tuples(st.just("inject"), st.tuples(st.integers(1, 60), st.integers(0, 200), st.sampled_from(BAD_VALUES))),
    st.tuples(st.just("shuffle"), st.randoms(use_true_random=False)),
), max_size=4)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(edits=edits, encoding=st.sampled_from(ENCODINGS), delimiter=st.sampled_from([",", ";"]),
       cut=st.one_of(st.none(), st.floats(0.0, 1.0)))
def test_corrupted_export_is_a_correct_frame_or_a_clean_error(tmp_path, reference, edits, encoding, delimiter, cut):
    rows = [list(r) for r in BASE]
    for kind, arg in edits:
        width = len(rows[0])
        if kind == "drop" and width > 1:
            k = arg % width
            rows = [r[:k] + r[k + 1:] for r in rows]
        elif kind == "duplicate":
            k = arg % width
            rows = [r + [r[k]] for r in rows]
        elif kind == "reorder":
            order = list(range(width))
            arg.shuffle(order)
            rows = [[r[k] for k in order] for r in rows]
        elif kind == "inject":
            row, col, value = arg
            k = col % width
            if rows[0][k] in ITEMS and ITEMS[rows[0][k]].type in ("single", "ordinal", "rating", "multi", "flag"):
                rows[row][k] = value
        elif kind == "shuffle":
            body = rows[1:]
            arg.shuffle(body)
            rows = [rows[0]] + body
    # the model: what the edits did, read from the result (later edits can undo earlier ones)
    header = rows[0]
    dropped = set(BASE[0]) - set(header)
    duplicated = len(set(header)) < len(header)
    injected: set[str] = set()  # respondents whose row now holds a value the codebook refuses
    if "respondent_id" in header:
        original = {r[0]: dict(zip(BASE[0], r)) for r in BASE[1:]}
        id_at = header.index("respondent_id")
        injected = {r[id_at] for r in rows[1:]
                    if any(original[r[id_at]][c] != v for c, v in zip(header, r))}
    data = _encode(rows, encoding, delimiter)
    truncated = cut is not None and int(len(data) * cut) < len(data)
    if truncated:
        data = data[: int(len(data) * cut)]
    path = tmp_path / "fuzzed.csv"
    path.write_bytes(data)

    try:
        frame, log = load_with_log(path)
    except SurveyDataError as exc:
        assert exc.problems and all(p.file == str(path) or p.file.endswith(".yaml") for p in exc.problems)
        assert all(p.message for p in exc.problems)
        must_fail = duplicated or injected or any(ITEMS[c].required for c in dropped if c in ITEMS)
        assert must_fail or truncated, exc.report(limit=5)
        return

    # --- loaded: it must be the right frame --------------------------------------------------
    assert not duplicated and not any(ITEMS[c].required for c in dropped if c in ITEMS)
    expected_columns = [c for c in reference.columns if c not in dropped]
    assert list(frame.columns) == expected_columns
    got = frame.set_index("respondent_id")
    want = reference[expected_columns].set_index("respondent_id")
    if encoding == "latin-1":
        want = want.apply(lambda s: s.str.replace("\u2019", "'") if s.dtype == object else s)
    if not truncated:
        assert not injected
        assert len(got) == len(want)
        pd.testing.assert_frame_equal(got.sort_index(), want.sort_index())
        for col in got.columns:  # row order changes no published number
            pd.testing.assert_series_equal(got[col].value_counts(dropna=False).sort_index(),
                                           want[col].value_counts(dropna=False).sort_index())
        return
    # truncated but readable: every complete row is right; a changed last row is flagged in the log
    assert set(got.index) <= set(want.index) and not (set(got.index[:-1]) & injected)
    complete = got.iloc[:-1]
    pd.testing.assert_frame_equal(complete, want.loc[complete.index])
    last = got.iloc[-1:]
    if not last.equals(want.loc[last.index]):
        assert any("does not end with a line break" in note for note in log.notes)


def test_shuffled_rows_give_the_same_counts_for_every_column(tmp_path, bundled_rows, survey):
    import random

    body = [list(r) for r in bundled_rows[1:]]
    random.Random(7).shuffle(body)
    path = tmp_path / "shuffled.csv"
    path.write_bytes(_encode([bundled_rows[0]] + body, "utf-8", ","))
    shuffled = load(path)
    for col in survey.columns:
        pd.testing.assert_series_equal(shuffled[col].value_counts(dropna=False).sort_index(),
                                       survey[col].value_counts(dropna=False).sort_index())
    pd.testing.assert_frame_equal(shuffled.set_index("respondent_id").sort_index(),
                                  survey.set_index("respondent_id").sort_index())


def test_reordered_columns_give_an_identical_frame(tmp_path, bundled_rows, survey):
    order = list(reversed(range(len(bundled_rows[0]))))
    path = tmp_path / "reversed.csv"
    path.write_bytes(_encode([[r[k] for k in order] for r in bundled_rows], "cp1252", ";"))
    pd.testing.assert_frame_equal(load(path), survey)
