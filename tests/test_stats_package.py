"""analysis.stats is a package of topic modules; every name callers use stays importable from it."""

from __future__ import annotations

import re
from pathlib import Path

from analysis import stats

SRC = Path(stats.__file__).resolve().parents[1]

# Everything the notebooks, themes and tests used from the single-module stats.py.
PUBLIC_NAMES = [
    "wilson_interval", "kish_effective_n", "holm_adjust", "proportion", "rating_distribution",
    "rating_summary", "multi_select", "cochrans_q", "mcnemar_pairs", "split_test", "mean_ranks",
    "friedman_test", "kendalls_w", "pairwise_wilcoxon", "crosstab", "crosstab_test",
    "kruskal_test", "pairwise_mannwhitney", "ordinal_logit", "logistic_regression",
    "cohens_kappa", "krippendorff_alpha",
    "PROPORTION_COLUMNS", "DISTRIBUTION_COLUMNS", "SUMMARY_COLUMNS", "BASE_NOTE",
    "MULTI_COLUMNS", "COCHRAN_COLUMNS", "MCNEMAR_COLUMNS", "SPLIT_COLUMNS", "FRIEDMAN_COLUMNS",
    "MEAN_RANK_COLUMNS", "WILCOXON_COLUMNS", "CROSSTAB_COLUMNS", "CROSSTAB_TEST_COLUMNS",
    "KRUSKAL_COLUMNS", "MANNWHITNEY_COLUMNS", "MODEL_COLUMNS", "MONTE_CARLO_SEED",
    "MONTE_CARLO_RESAMPLES",
]


def test_every_name_of_the_old_module_is_exported() -> None:
    missing = [name for name in PUBLIC_NAMES if not hasattr(stats, name)]
    assert not missing
    assert set(PUBLIC_NAMES) <= set(stats.__all__)
    assert all(hasattr(stats, name) for name in stats.__all__)
    assert "newcombe_difference" in stats.__all__


def test_every_stats_attribute_used_in_the_source_exists() -> None:
    """Scan the modules that do ``from analysis import stats`` (or ``from .. import stats``) for ``stats.NAME``."""
    used: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        if path.parent.name == "stats":
            continue
        text = path.read_text(encoding="utf-8")
        if not re.search(r"from (\.+|analysis) import (.*\b)?stats\b", text):
            continue
        for name in re.findall(r"(?<![\w.])stats\.([A-Za-z_]\w*)", text):
            used.setdefault(name, set()).add(path.name)
    assert used, "no module uses analysis.stats; the scan is broken"
    missing = {name: files for name, files in used.items() if not hasattr(stats, name)}
    assert not missing


def test_topic_modules_hold_the_functions() -> None:
    assert stats.wilson_interval is stats.proportions.wilson_interval
    assert stats.friedman_test is stats.rankings.friedman_test
    assert stats.cohens_kappa is stats.agreement.cohens_kappa
    assert not (SRC / "stats.py").exists()
