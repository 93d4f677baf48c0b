"""Publication safety, tested as an adversary would test it (issue 10).

References: the small-cell rule and its linked statistics (design.md section 6); the protection
interval of tau-ARGUS (Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, section 4.3:
a hidden cell must keep a range of possible values, given everything published); differencing
between releases (same book, section 4.7; ONS SRS and ACRO output-checking guidance).

Every attack here starts from what is published (the Published tables a theme returns, i.e. what
its CSV files, figures and prose show) and tries to get a hidden count back: it enumerates every
count vector consistent with the published numbers and asserts that no hidden small count is the
same in all of them. Small exports (6, 12 and 30 respondents, one organisation) are run through
the theme computations directly; a single end-to-end build (session fixture) plants personal data
in the open answers and looks for it in every published artefact.
"""
from __future__ import annotations

import csv
import html
import importlib
import itertools
import json
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import coding
from analysis.protection import publication
from analysis.pipeline.build import build
from analysis.pipeline.cli import main as cli_main
from analysis.coding import shown_text
from analysis.protection.disclosure import SUPPRESSED, Published, is_hidden
from analysis.core.paths import SYNTHETIC_EXPORT
from analysis.protection.disclosure import required_width
from analysis.protection.quotes import REVIEW_COLUMNS, read_approved_quotes
from analysis.themes.registry import THEMES
from analysis.protection.release import compare_releases, manifest, read_manifest, write_manifest
from analysis.survey.synth import generate, write_export
from analysis.themes import base as theme_base
from analysis.themes.base import Context, REVIEW_CANDIDATES, open_answers
from analysis.themes.result import DisclosureError, ThemeResult
from analysis.survey.loader import load, load_with_log
from analysis.protection.rules import Rules, profile

from support import K, WEIGHT, with_weights
OPEN_ITEMS = ("opportunities_open", "barriers_open", "enforcement_open", "investigation_open")


# --------------------------------------------------------------------------- helpers

def small_export(tmp_dir: Path, n: int, seed: int, organisations: tuple[int, ...] = (9,)) -> pd.DataFrame:
    """A synthetic export of `n` respondents from the given organisations (in turn), validated."""
    rows = generate(n, seed)
    for i, row in enumerate(rows):
        row["organisation"] = str(organisations[i % len(organisations)])
    return load(write_export(rows, tmp_dir / f"export_{n}_{seed}_{len(organisations)}.csv"))


def analyse(theme: str, frame: pd.DataFrame, **context) -> ThemeResult:
    return importlib.import_module(f"analysis.themes.{theme}").analyse(frame, Context(**context))


def publish_tables(export: Path, out: Path, themes: tuple[str, ...], **context) -> Path:
    """The published tables of a build (theme computations and their save, no notebooks, no
    figures) and its release.json, as the build writes them."""
    frame, log = load_with_log(export)
    ctx = Context(synthetic=bool(frame.attrs.get("synthetic")), **context)
    for theme in themes:
        result = analyse(theme, frame, **{**context, "synthetic": ctx.synthetic})
        for block in (b for s in result.sections for b in s.blocks):
            block.figure = None  # figures are drawings of the same tables; not needed here
        result.save(out, ctx)
    write_manifest(out, manifest(k=ctx.k, profile=ctx.rules.name, zeros_hidden=ctx.rules.zeros,
                                 label="survey export", input_sha256=log.sha256, lang=ctx.lang, themes=themes,
                                 synthetic=ctx.synthetic))
    return out


def truth(pub: Published, row: int, column: str) -> float:
    """The value behind a published cell (kept for the audit; what the adversary is after)."""
    return pub._true.get((row, column), float("nan"))


def shown(pub: Published, row: int, column: str):
    value = pub.cell(row, column)
    return None if is_hidden(value) or value is None or (isinstance(value, float) and np.isnan(value)) else value


@lru_cache(maxsize=None)
def compositions(n: int, parts: int) -> np.ndarray:
    """Every vector of `parts` non-negative counts adding up to `n` (stars and bars)."""
    rows = []
    for bars in itertools.combinations(range(n + parts - 1), parts - 1):
        edges = (-1, *bars, n + parts - 1)
        rows.append([edges[i + 1] - edges[i] - 1 for i in range(parts)])
    return np.array(rows, dtype=int).reshape(-1, parts)


def pinned_small(candidates: np.ndarray, true_vector: np.ndarray, hidden: list[bool], k: int) -> list[int]:
    """Positions of hidden counts between 1 and k-1 that every candidate vector agrees on."""
    assert len(candidates), "the true counts are not among the candidates: the attack model is wrong"
    assert (candidates == true_vector).all(axis=1).any(), "the true counts must be consistent with what is published"
    return [j for j in range(len(true_vector)) if hidden[j] and 0 < true_vector[j] < k
            and (candidates[:, j] == true_vector[j]).all()]


# --------------------------------------------------------------------------- small exports

@pytest.fixture(scope="module")
def small_exports(tmp_path_factory) -> dict[int, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("small")
    return {n: small_export(folder, n, 2011 + n) for n in (6, 12, 30)}


@pytest.fixture(scope="module")
def enforcement_results(small_exports) -> dict[int, ThemeResult]:
    return {n: analyse("enforcement", frame, rules=Rules(k=K)) for n, frame in small_exports.items()}


@pytest.fixture(scope="module")
def participants_results(small_exports) -> dict[int, ThemeResult]:
    return {n: analyse("participants", frame, rules=Rules(k=K)) for n, frame in small_exports.items()}


def _mcnemar_p(both: int, important_only: int, used_only: int, neither: int) -> float:
    from analysis.stats import mcnemar_pairs

    rows = [(1, 1)] * both + [(1, 0)] * important_only + [(0, 1)] * used_only + [(0, 0)] * neither
    return float(mcnemar_pairs(pd.DataFrame(rows, columns=["important", "used"]), ["important", "used"])["p"].iloc[0])


def mcnemar_attack(gap: Published, frame: pd.DataFrame) -> list[tuple[str, np.ndarray, np.ndarray, bool]]:
    """Per row of the importance/practice gap table: every 2x2 table (both, important only, used
    only, neither) consistent with the shown base, shares and exact McNemar p; the true table; and
    whether the p is shown."""
    out = []
    for row in range(len(gap)):
        item = gap.values.at[row, "item"]
        rating = frame[item]
        pair = pd.DataFrame({"i": rating.isin([4, 5]).astype(float).where(rating.isin([1, 2, 3, 4, 5])),
                             "u": frame[item.replace("enf_", "enf_practice_")]}).dropna()
        true = np.array([((pair.i == a) & (pair.u == b)).sum() for a, b in ((1, 1), (1, 0), (0, 1), (0, 0))])
        p, base = shown(gap, row, "p"), shown(gap, row, "n")
        if p is None or base is None:
            out.append((item, np.empty((0, 4), dtype=int), true, False))
            continue
        base = int(base)
        important = [round(shown(gap, row, "important_pct") * base / 100)] \
            if shown(gap, row, "important_pct") is not None else range(base + 1)
        used = [round(shown(gap, row, "used_pct") * base / 100)] if shown(gap, row, "used_pct") is not None \
            else range(base + 1)
        tables = []
        for i_count, u_count in itertools.product(important, used):
            for both in range(max(0, i_count + u_count - base), min(i_count, u_count) + 1):
                cells = (both, i_count - both, u_count - both, base - i_count - u_count + both)
                if np.isclose(_mcnemar_p(*cells), p, rtol=1e-9, atol=0):
                    tables.append(cells)
        out.append((item, np.array(tables, dtype=int).reshape(-1, 4), true, True))
    return out


@pytest.mark.parametrize("n", [6, 12, 30])
def test_mcnemar_p_does_not_give_back_a_small_cell_of_the_2x2_table(n, small_exports, enforcement_results):
    """Attack: every 2x2 table consistent with the row's base, shares and exact McNemar p. The p is
    shown only when every cell is at least k, so no small cell can come back."""
    gap = enforcement_results[n].published()["importance_practice_gap"]
    for item, tables, true, p_shown in mcnemar_attack(gap, small_exports[n]):
        if p_shown:
            assert true.min() >= K, (n, item, true)
            assert not pinned_small(tables, true, [True] * 4, K), (n, item, tables)


def test_mcnemar_attack_works_where_the_cells_are_large(survey):
    """The same attack on the bundled export (cells of tens): the p does pin the 2x2 table (so the
    attack is real), and none of its cells is small."""
    gap = analyse("enforcement", survey, rules=Rules(k=K)).published()["importance_practice_gap"]
    results = [r for r in mcnemar_attack(gap, survey) if r[3]]
    assert results and any(len(tables) == 1 for _, tables, _, _ in results)
    for item, tables, true, _ in results:
        assert not pinned_small(tables, true, [True] * 4, K), item


@pytest.mark.parametrize("n", [6, 12, 30])
def test_median_and_mean_beside_top2_and_bottom2_do_not_pin_a_rating_count(n, small_exports, enforcement_results):
    """Attack: every distribution of an item's answers over the five codes that gives the
    published base, top-2 and bottom-2 counts or shares, median, mean and shown counts."""
    published = enforcement_results[n].published()
    frame = small_exports[n]
    checked = 0
    for grid in ("usefulness", "enforcement_applications"):
        summary, distribution = published[f"{grid}_summary"], published[f"{grid}_distribution"]
        for row in range(len(summary)):
            item = summary.values.at[row, "item"]
            base = shown(summary, row, "n")
            if base is None:
                continue
            base = int(base)
            codes = np.arange(1, 6)
            candidates = compositions(base, 5)
            rows = [r for r in range(len(distribution)) if distribution.values.at[r, "item"] == item]
            hidden = [distribution.is_hidden(r, "count") for r in rows]
            true = np.array([int(truth(distribution, r, "count")) for r in rows])
            for j, r in enumerate(rows):
                if not hidden[j]:
                    candidates = candidates[candidates[:, j] == int(distribution.cell(r, "count"))]
            for box, columns in (("top2", [3, 4]), ("bottom2", [0, 1])):
                count = shown(summary, row, f"{box}_count")
                if count is None and shown(summary, row, f"{box}_pct") is not None:
                    count = round(shown(summary, row, f"{box}_pct") * base / 100)
                if count is not None:
                    candidates = candidates[candidates[:, columns].sum(axis=1) == int(count)]
            mean = shown(summary, row, "mean")
            if mean is not None and base:
                candidates = candidates[np.isclose(candidates @ codes / base, mean, rtol=0, atol=1e-9)]
            median = shown(summary, row, "median")
            if median is not None and base:
                cumulative = candidates.cumsum(axis=1)
                low = codes[np.argmax(cumulative > (base - 1) // 2, axis=1)]
                high = codes[np.argmax(cumulative > base // 2, axis=1)]
                candidates = candidates[np.isclose((low + high) / 2, median)]
            checked += 1
            assert true.sum() == base and (frame[item].isin(codes).sum() == base)
            assert not pinned_small(candidates, true, hidden, K), (n, item)
            # the summary's hidden top-2 / bottom-2 counts are sums of the same candidates
            boxes = np.stack([candidates[:, 3:].sum(axis=1), candidates[:, :2].sum(axis=1)], axis=1)
            true_boxes = np.array([true[3:].sum(), true[:2].sum()])
            hidden_boxes = [summary.is_hidden(row, "top2_count"), summary.is_hidden(row, "bottom2_count")]
            assert not pinned_small(boxes, true_boxes, hidden_boxes, K), (n, item, "top-2 / bottom-2")
    assert checked > 0 or n < 10  # with 6 respondents every item's base is hidden: nothing to attack


COMPLEMENT_TABLES = {"importance_practice_gap": [("n", "important_count", "important_pct"),
                                                 ("n", "used_count", "used_pct")]}


@pytest.mark.parametrize("n", [6, 12, 30])
def test_no_complement_of_a_shown_count_is_small(n, enforcement_results, participants_results):
    """Attack: base minus a shown count (or minus share x base) in yes/no tables: those who did
    not tick an option, did not rate it important, do not use it, are not active."""
    found = []
    for result in (enforcement_results[n], participants_results[n]):
        for name, pub in result.published().items():
            binary = name in COMPLEMENT_TABLES or "option" in pub or "group" in pub or name.endswith("_codes")
            if not binary or "n" not in pub:
                continue
            pairs = COMPLEMENT_TABLES.get(name, [("n", "count", "pct")])
            for row in range(len(pub)):
                for base_col, count_col, pct_col in pairs:
                    base = shown(pub, row, base_col)
                    count = shown(pub, row, count_col) if count_col in pub else None
                    if count is None and pct_col in pub and shown(pub, row, pct_col) is not None and base is not None:
                        count = round(shown(pub, row, pct_col) * base / 100)
                    if base is not None and count is not None and 0 < base - count < K:
                        found.append((name, row, count_col, base, count))
    assert not found


@pytest.mark.parametrize("n", [6, 12, 30])
def test_active_share_does_not_pin_a_hidden_use_frequency_count(n, small_exports, participants_results):
    """Attack: weekly + daily = the published share of active respondents x its base."""
    result = participants_results[n]
    frequency = result.published()["use_frequency"]
    active = result.facts.active
    base = shown(frequency, 0, "n")
    if base is None or is_hidden(active.pct) or active.pct is None:
        return
    base = int(base)
    candidates = compositions(base, len(frequency))
    hidden = [frequency.is_hidden(r, "count") for r in range(len(frequency))]
    for r in range(len(frequency)):
        if not hidden[r]:
            candidates = candidates[candidates[:, r] == int(frequency.cell(r, "count"))]
    active_count = round(active.pct * active.n / 100)
    candidates = candidates[candidates[:, -2:].sum(axis=1) == active_count]
    true = np.array([int(truth(frequency, r, "count")) for r in range(len(frequency))])
    assert not pinned_small(candidates, true, hidden, K)


def _band(text: str) -> tuple[float, float]:
    if text == SUPPRESSED:
        return (0.0, np.inf)
    if "–" not in text and "+" not in text:
        return (float(text), float(text))
    low, _, high = text.replace("+", "–").partition("–")
    return (float(low), float(high) if high else np.inf)


def force_ranges(result: ThemeResult, k: int) -> dict[str, tuple[float, float, int]]:
    """Attack: each force's count from its published band and the published number of regional
    police respondents (one sum with bounded terms: every range follows from the others' bounds)."""
    coverage = result.published()["force_coverage"]
    groups = result.published()["organisation_types"]
    regional_label = groups.values["label"].iloc[0]
    total = shown(groups, 0, "count")
    assert "regional" in regional_label.lower() or "regio" in regional_label.lower()
    if total is None:
        return {}
    rows = [r for r in range(len(coverage)) if coverage.values.at[r, "kind"] == "regional"]
    bands = {}
    for r in rows:
        band = coverage.cell(r, "respondents")
        represented = coverage.cell(r, "represented")
        low, high = _band(SUPPRESSED if is_hidden(band) else str(band))
        if represented is True and not is_hidden(represented):
            low = max(low, 1)
        if represented is False and not is_hidden(represented):
            high = 0
        bands[coverage.values.at[r, "force"]] = (low, high)
    out = {}
    for force, (low, high) in bands.items():
        others_low = sum(b[0] for f, b in bands.items() if f != force)
        others_high = sum(b[1] for f, b in bands.items() if f != force)
        out[force] = (max(low, total - others_high), min(high, total - others_low))
    return out


def test_force_bands_and_regional_total_do_not_pin_a_small_force(tmp_path):
    """Six respondents: five from one force, one from another. The bands (5–9, 1–4) and the
    published number of regional police respondents (6) must not give the 1 back."""
    frame = small_export(tmp_path, 6, 2017, organisations=(9, 9, 9, 9, 9, 13))
    result = analyse("participants", frame, rules=Rules(k=K))
    ranges = force_ranges(result, K)
    small = frame["organisation"].value_counts()
    forces = pd.read_csv(Path(theme_base.__file__).parents[3] / "data/reference/police_forces_2011.csv")
    names = dict(zip(forces["code"], forces["name"]))
    for code, count in small.items():
        if 0 < count < K and names[int(code)] in ranges:
            low, high = ranges[names[int(code)]]
            assert high - low >= required_width(K, False), (names[int(code)], low, high)


@pytest.mark.parametrize("n", [6, 12, 30])
def test_one_organisation_force_bands_do_not_pin_a_small_force(n, small_exports, participants_results):
    ranges = force_ranges(participants_results[n], K)
    for force, (low, high) in ranges.items():
        assert not (low == high and 0 < low < K), force


@pytest.fixture(scope="module", params=[None, WEIGHT], ids=["unweighted", "weighted"])
def strict_results(small_exports, request) -> dict[str, ThemeResult]:
    """Two chapters under the strict profile, without and with respondent weights (issue 23: the
    small-cell rule still holds under weights)."""
    frame = small_exports[30] if request.param is None else with_weights(small_exports[30])
    return {theme: analyse(theme, frame, rules=profile("strict", 10), weights=request.param)
            for theme in ("participants", "enforcement")}


def test_strict_profile_shows_no_zero_no_small_count_and_no_all_in_one_share(strict_results):
    """Strict (k = 10): a shown count is at least 10; no share of 0% or 100% is shown next to a
    base; no table says that nobody, or everybody, is in a category."""
    found = []
    for theme, result in strict_results.items():
        for name, pub in result.published().items():
            for column in pub.columns:
                count_like = column in ("n", "count") or column.endswith(("_count", "_n"))
                share_like = column in ("pct",) or (column.endswith("_pct") and column != "mentions_pct")
                for row in range(len(pub)):
                    value = shown(pub, row, column)
                    if value is None or isinstance(value, (str, bool, np.bool_)):
                        continue
                    if count_like and column != "mentions_n" and value < 10:
                        found.append((theme, name, row, column, value))
                    if share_like and value in (0, 100):
                        found.append((theme, name, row, column, value))
            if name == "force_coverage":
                shown_flags = [shown(pub, r, "represented") for r in range(len(pub))]
                if any(flag is False for flag in shown_flags) or sum(bool(f) for f in shown_flags) == 1:
                    found.append((theme, name, "represented", "a zero or everyone in one force"))
    assert not found


def test_strict_profile_records_zeros_and_classes_in_the_disclosure_log(strict_results):
    log = strict_results["enforcement"].disclosure_log("strict")
    assert set(log["profile"]) == {"strict"}
    assert "zero" in set(log["reason"])


def test_models_are_withheld_when_a_predictor_category_has_fewer_than_k_respondents(tmp_path):
    """Attack precondition for odds ratios: a predictor category of 2 (two citizen-facing
    respondents among 60) lets the odds ratio give their answers back; no model is published."""
    rows = generate(60, 2071)
    for i, row in enumerate(rows):
        row["organisation"] = "9"
        row["role"] = "1" if i < 2 else "7"   # community officer (citizen-facing) vs policy and staff
    frame = load(write_export(rows, tmp_path / "model.csv"))
    result = analyse("barriers", frame, rules=Rules(k=K))
    assert not any("model" in name for name in result.published())
    assert result.facts.activity_model is None
    # and with enough respondents in each category the same code does publish the models
    rows = generate(60, 2071)
    for i, row in enumerate(rows):
        row["organisation"] = "9"
        row["role"] = "1" if i % 2 else "7"
    result = analyse("barriers", load(write_export(rows, tmp_path / "model_ok.csv")), rules=Rules(k=K))
    assert any("model" in name for name in result.published())


# --------------------------------------------------------------------------- the audit

def test_audit_fails_the_chapter_when_secondary_suppression_is_switched_off(tmp_path, small_exports, monkeypatch):
    """With the secondary step off, a hidden count follows from its item's base: save() refuses
    with a DisclosureError naming the table (file) and the cell (line, column)."""
    original = publication.suppress

    def without_secondary(*args, **kwargs):
        return original(*args, **{**kwargs, "secondary": False})

    monkeypatch.setattr(publication, "suppress", without_secondary)
    result = analyse("participants", small_exports[30], rules=Rules(k=K))
    with pytest.raises(DisclosureError) as raised:
        result.save(tmp_path / "out", Context(rules=Rules(k=K)))
    problems = raised.value.problems
    assert problems and all(p.file.startswith("participants/") and p.file.endswith(".csv") for p in problems)
    assert all(p.column and p.line for p in problems)
    assert "narrow a hidden count" in str(raised.value)
    assert not (tmp_path / "out" / "participants").exists()


def test_audit_passes_the_same_chapter_with_the_rules_on(small_exports, participants_results):
    tables = participants_results[30].published()
    assert all(not table.audit() for name, table in tables.items() if name in ("use_frequency", "role", "platforms"))


# --------------------------------------------------------------------------- disclosure log

@pytest.mark.parametrize("n", [12, 30])
def test_disclosure_log_has_a_reason_for_every_hidden_cell(n, participants_results, enforcement_results):
    for result in (participants_results[n], enforcement_results[n]):
        log = result.disclosure_log("standard")
        assert set(log["reason"]) <= {"primary", "zero", "class", "secondary", "linked", "derived"}
        for name, pub in result.published().items():
            hidden = {(int(r), pub.columns[c]) for r, c in zip(*np.nonzero(pub.mask.to_numpy()))}
            logged = log[log["table"] == name]
            assert set(zip(logged["row"].astype(int), logged["column"])) == hidden, name
            for _, entry in logged[logged["reason"] == "primary"].iterrows():
                if (int(entry["row"]), entry["column"]) in pub._true:  # counts in a public sum
                    assert 0 < truth(pub, int(entry["row"]), entry["column"]) < K, (name, entry.to_dict())


# --------------------------------------------------------------------------- quotes from real data

@pytest.fixture(scope="module")
def bundled_survey():
    return load(SYNTHETIC_EXPORT)


def _quotes(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("> ")]


def test_real_data_show_no_quote_without_review_and_list_each_codes_proposedfor_review(bundled_survey, codebook):
    """The review file lists, per code shown, its first REVIEW_CANDIDATES distinct scrubbed answers
    (answers with that code alone first, in the survey's order): computed here from the codes."""
    item = codebook["enforcement_open"]
    ctx = Context(rules=Rules(k=K), synthetic=False)
    review: list[dict[str, str]] = []
    lines, _, facts = open_answers(bundled_survey, item, ctx, review)
    assert not _quotes(lines)
    assert ctx.t("open_awaiting_review") in lines
    table = coding.answers(bundled_survey, item)
    codes = coding.automatic_codes(table["text"], item)
    expected: list[str] = []
    for entry in facts["codes"]:
        if is_hidden(entry["count"]) or not entry["count"]:
            continue
        alone = codes[entry["code"]].eq(1) & codes.sum(axis=1).eq(1)
        others = codes[entry["code"]].eq(1) & ~alone
        texts = [shown_text(t) for t in pd.concat([table["text"][alone], table["text"][others]])]
        expected += list(dict.fromkeys(texts))[:REVIEW_CANDIDATES]
    assert [e["text"] for e in review] == list(dict.fromkeys(expected))
    assert len(review) < len({shown_text(a) for a in table["text"]})  # not every answer
    assert all(set(entry) == set(REVIEW_COLUMNS) and entry["approved"] == "" for entry in review)


def test_quote_review_round_trip_publishes_only_the_approved_unedited_quote(bundled_survey, codebook, tmp_path):
    item = codebook["enforcement_open"]
    synthetic = Context(rules=Rules(k=K), synthetic=True)
    proposed: list[dict[str, str]] = []
    shown_quotes = _quotes(open_answers(bundled_survey, item, synthetic, proposed)[0])
    assert len(shown_quotes) >= 2
    review = pd.DataFrame(proposed, columns=REVIEW_COLUMNS)
    candidates = [i for i, text in enumerate(review["text"]) if any(text.replace("-", "\\-")[:20] in q or
                                                                   _md(text)[:20] in q for q in shown_quotes)]
    assert len(candidates) >= 2
    kept, edited = candidates[0], candidates[1]
    review.loc[[kept, edited], "approved"] = "yes"
    original_edited = review.at[edited, "text"]
    review.at[edited, "text"] = original_edited + " (aangepast)"
    path = tmp_path / "quotes_review.csv"
    review.to_csv(path, index=False)
    approved = read_approved_quotes(path)
    assert approved == frozenset({review.at[kept, "hash"]})
    real = Context(rules=Rules(k=K), synthetic=False, approved_quotes=approved)
    quotes = _quotes(open_answers(bundled_survey, item, real, [])[0])
    assert len(quotes) == 1 and _md(review.at[kept, "text"]) in quotes[0]
    assert not any(_md(original_edited) in q or "aangepast" in q for q in quotes)


def _md(text: str) -> str:
    """A quote as the chapter writes it (Markdown-escaped)."""
    return theme_base._plain(text)


# --------------------------------------------------------------------------- check-release

@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    """Published tables of the bundled export, of the same export with three late responses, and
    of two reports per organisation set (a small force in one of them only)."""
    folder = tmp_path_factory.mktemp("releases")
    rows = list(csv.DictReader(open(SYNTHETIC_EXPORT, encoding="utf-8", newline="")))
    late = generate(3, 4242)
    for i, row in enumerate(late):
        row["respondent_id"] = str(90000 + i)
    themes = ("participants", "enforcement")
    exports = {"first": write_export(rows, folder / "first.csv"),
               "late": write_export(rows + late, folder / "late.csv")}
    counts = pd.Series([r["organisation"] for r in rows]).value_counts()
    small = next(code for code, count in counts.items() if 0 < count < K and int(code) <= 25)  # a regional force
    exports["without_small"] = write_export([r for r in rows if r["organisation"] != small], folder / "without.csv")
    out = {name: publish_tables(path, folder / name, themes, rules=Rules(k=K)) for name, path in exports.items()}
    out["again"] = publish_tables(exports["first"], folder / "again", themes, rules=Rules(k=K))
    out["small_count"] = int(counts[small])
    return out


def test_check_release_flags_a_rerun_after_three_late_responses(releases, capsys):
    comparison = compare_releases(releases["late"], releases["first"])
    assert not comparison.ok
    flagged = {(d.table, d.quantity) for d in comparison.differences}
    assert ("participants/organisation_types.csv", "n") in flagged  # the base grew by 3
    assert all(1 <= abs(d.low) and abs(d.high) <= K - 1 for d in comparison.differences)
    assert any(d.low == d.high == 3 for d in comparison.differences)
    assert cli_main(["check-release", str(releases["late"]), str(releases["first"])]) == 1
    out = capsys.readouterr().out
    assert "isolate" in out and "participants/organisation_types.csv" in out


def test_check_release_passes_two_identical_builds(releases, capsys):
    comparison = compare_releases(releases["again"], releases["first"])
    assert comparison.ok and comparison.tables_compared > 10
    assert cli_main(["check-release", str(releases["again"]), str(releases["first"])]) == 0
    assert "no difference" in capsys.readouterr().out


def test_check_release_flags_one_report_per_organisation_set(releases):
    """A report with and one without a force of fewer than k respondents: their difference is that force."""
    comparison = compare_releases(releases["first"], releases["without_small"])
    assert not comparison.ok
    sizes = {d.low for d in comparison.differences if d.low == d.high and d.table.endswith("organisation_types.csv")}
    assert releases["small_count"] in sizes
    bands = [d for d in comparison.differences if d.kind == "band"]
    assert bands and all(d.table == "participants/force_coverage.csv" for d in bands)


def test_check_release_reads_k_and_profile_from_the_builds(releases, tmp_path, capsys):
    record = read_manifest(releases["first"])
    assert record["k"] == K and record["profile"] == "standard" and len(record["input_sha256"]) == 64
    assert not {"data_path", "output_dir", "respondent_id"} & set(record)
    assert cli_main(["check-release", str(releases["first"]), str(tmp_path)]) == 2
    assert "release.json" in capsys.readouterr().err


# --------------------------------------------------------------------------- planted personal data, one build

#: Personal data of every kind the issue lists, in several formats each, as respondents write them.
PLANTED = {
    "bsn": ["111222333", "1234.56.782", "123 456 782", "bsn: 111 222 333"],
    "iban": ["NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "nl91abna0417164300", "BE68539007547034"],
    "plate": ["AB-12-34", "12-ABC-3", "1-ABC-23", "AB-123-C", "G-123-BB", "GBB-12-Z", "kenteken 12abc3"],
    "postcode": ["2514 AB 12", "3511LX 24", "1012 AB, nr 5"],
    "address": ["Laan van Meerdervoort 200", "Kalverstraat 92-2", "Dorpsstraat 1a", "Graaf Florisweg 7 bis"],
    "ip": ["192.168.1.20", "10.0.0.1", "2001:db8::1", "fe80::1ff:fe23:4567:890a"],
    "date_of_birth": ["12-03-1975", "geboren op 3 maart 1980", "1975-03-12", "12/3/75", "geb. 1 jan. 1969"],
    "personnel_number": ["personeelsnummer 1234567", "pers.nr. 765432", "P-nummer: PN-445566", "stamnummer 88776655"],
    "name": ["Jan de Vries", "Pieter van den Berg", "Marieke Jansen", "collega piet de vries",
             "wijkagent karin van der meer", "mevrouw Bakker", "Ahmed El Amrani", "Sanne van 't Hof"],
    "email": ["jan.devries@politie.nl", "jan [at] politie [dot] nl", "p.jansen(at)politie(dot)nl",
              "k.meer apenstaartje gmail punt com"],
    "phone": ["06-12345678", "06 1234 5678", "+31 6 1234 5678", "0031612345678", "(020) 555 1235", "020-5551235",
              "070 123 45 67", "+31 (0)20 555 1235", "0612345678"],
    "handle": ["@jandevries", "@Politie_Wijk12", "@m.jansen"],
    "url": ["https://www.facebook.com/jan.devries.501", "www.linkedin.com/in/mariekejansen",
            "twitter.com/wijkagent_jan", "bit.ly/3xYzAbc"],
}
#: Words that survive scrubbing, one per chunk of planted data: they show which chunks were quoted.
CHUNK_MARKERS = ("appelboom", "perenboom", "kersenboom", "pruimenboom")


def _chunks() -> list[list[str]]:
    planted = [text for texts in PLANTED.values() for text in texts]
    return [planted[i::len(CHUNK_MARKERS)] for i in range(len(CHUNK_MARKERS))]


def _normalised(text: str) -> str:
    """Text as a reader finds it: entities decoded, Markdown escapes dropped, spaces collapsed."""
    return " ".join(html.unescape(text).replace("\\", "").split()).lower()


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def published_texts(out: Path) -> dict[str, str]:
    """The text of every published artefact of a build (everything but outputs/analyst/)."""
    texts = {}
    for path in sorted(out.rglob("*")):
        relative = path.relative_to(out)
        if not path.is_file() or relative.parts[0] == "analyst" or path.suffix == ".png":
            continue
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                text = "\n".join(book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xml"))
        elif path.suffix == ".ipynb":
            text = "\n".join(_strings(json.loads(path.read_text(encoding="utf-8"))))
        else:
            text = path.read_text(encoding="utf-8")
        texts[relative.as_posix()] = _normalised(text)
    return texts


@pytest.fixture(scope="session")
def planted_build(tmp_path_factory):
    """One build of the bundled export with personal data planted in every open answer (a chunk
    of it per answer, in turn); the export is flagged synthetic, so quotes are shown."""
    folder = tmp_path_factory.mktemp("planted")
    with open(SYNTHETIC_EXPORT, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    chunks = _chunks()
    for column in OPEN_ITEMS:
        answering = [row for row in rows if row[column].strip()]
        for i, row in enumerate(answering):
            chunk = i % len(chunks)
            row[column] = (f"{row[column]} Zie {CHUNK_MARKERS[chunk]}: " + "; ".join(chunks[chunk]) + ".")
    export = write_export(rows, folder / "geheime_export_jan_de_vries.csv")
    out = folder / "out"
    status = build(data_path=export, output_dir=out, label="planted test export")
    return {"status": status, "out": out, "export": export}


def test_planted_personal_data_appear_in_no_published_artefact(planted_build):
    assert planted_build["status"] == 0
    texts = published_texts(planted_build["out"])
    kinds = {Path(name).suffix for name in texts}
    assert {".html", ".csv", ".xlsx", ".svg", ".json", ".ipynb"} <= kinds
    report = texts["report.html"]
    # the test means something only if the planted answers were quoted: every chunk is, tagged
    assert all(marker in report for marker in CHUNK_MARKERS)
    for tag in ("[name]", "[phone]", "[e-mail]", "[bsn]", "[iban]", "[plate]", "[ip address]", "[url]"):
        assert tag in report, tag
    leaks = [(kind, text, name) for kind, planted in PLANTED.items() for text in planted
             for name, content in texts.items() if _normalised(text) in content]
    assert not leaks


def test_published_artefacts_carry_no_path_or_file_name_of_the_export(planted_build):
    export = planted_build["export"]
    texts = published_texts(planted_build["out"])
    for needle in (export.name, export.stem, str(export.parent), str(Path.home())):
        assert not [name for name, content in texts.items() if _normalised(needle) in content], needle
    assert "planted test export" in texts["report.html"]
    record = read_manifest(planted_build["out"])
    assert record["label"] == "planted test export" and record["synthetic"] is True


def test_a_build_without_margins_has_no_workforce_section_and_no_weighted_findings(planted_build):
    report = (planted_build["out"] / "report.html").read_text(encoding="utf-8")
    assert "against the workforce" not in report and "with and without weighting" not in report


@pytest.fixture(params=["planted_build", "margins_build"])
def built(request) -> dict:
    """A whole build's outputs: the planted one, and the one with --margins (weighted findings in the report)."""
    return request.getfixturevalue(request.param)


def test_build_disclosure_log_lists_exactly_the_hidden_cells_of_the_published_tables(built):
    out = built["out"]
    log = pd.read_csv(out / "analyst" / "disclosure_log.csv", dtype=str, keep_default_na=False)
    assert set(log["profile"]) == {"standard"} and set(log["reason"]) <= {
        "primary", "zero", "class", "secondary", "linked", "derived"}
    for theme in THEMES:
        for path in sorted((out / theme.key).glob("*.csv")):
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
            marked = {(r, c) for c in table.columns for r in np.flatnonzero((table[c] == SUPPRESSED).to_numpy())}
            entries = log[(log["theme"] == theme.key) & (log["table"] == path.stem)]
            assert set(zip(entries["row"].astype(int), entries["column"])) == marked, path.name


def test_report_states_protections_cost_from_the_disclosure_log(built):
    """Issue 21: the methods appendix states cells and respondents hidden; the respondents are the sum of
    the hidden counts (primary, secondary, zero, whole category) that the disclosure log lists."""
    out = built["out"]
    log = pd.read_csv(out / "analyst" / "disclosure_log.csv", dtype=str, keep_default_na=False)
    counts = log["reason"].isin(["primary", "secondary", "zero", "class"])
    assert (log.loc[counts, "respondents"] != "").all() and (log.loc[~counts, "respondents"] == "").all()
    respondents = int(pd.to_numeric(log["respondents"], errors="coerce").sum())
    report = (out / "report.html").read_text(encoding="utf-8")
    assert f"Protection's cost: {len(log)} cells and {respondents} respondents hidden" in report.replace("&#x27;", "'")


@pytest.mark.parametrize("n", [12, 30])
def test_no_hidden_secondary_count_is_pinned_by_the_published_sums(n, enforcement_results, participants_results):
    """Issue 21: a hidden secondary cell is never pinned by the published sums (totals, top-2 and bottom-2
    counts, complements), and the audit finds no hidden cell that could be shown (hiding a pinned
    cell protects nobody). The range is computed over everything each table publishes (linear programme)."""
    from analysis.protection.exactness import protection_intervals

    checked = 0
    for result in (enforcement_results[n], participants_results[n]):
        for name, pub in result.published().items():
            hidden = pub._hidden_counts_in_sums()
            secondary = sorted(c for c, why in pub.reasons.items() if why == "secondary" and c in hidden)
            for cell in secondary:
                low, high = protection_intervals(pub.constraints, pub._true, hidden, targets=[cell])[cell]
                assert high - low >= 1, (n, name, cell, low, high)
                checked += 1
            assert not pub.showable(), (n, name)
    assert checked > 0
