"""Tests of analysis.stats.multiple: Holm-adjusted p-values."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from analysis import stats

# --------------------------------------------------------------------------- Holm


def test_holm_adjust_matches_statsmodels_multipletests() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.2, 0.0001, 0.04])
    assert stats.holm_adjust(p) == pytest.approx(multipletests(p, method="holm")[1])


def test_holm_adjust_hand_computed_example_holm_1979() -> None:
    """Holm (1979) step-down: sorted p 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 gives
    0.02, 0.03, 0.06, 0.04, made monotone: 0.02, 0.03, 0.06, 0.06."""
    got = stats.holm_adjust([0.01, 0.04, 0.03, 0.005])
    assert got.tolist() == pytest.approx([0.03, 0.06, 0.06, 0.02], abs=1e-15)
    assert stats.holm_adjust([0.5, 0.6]).tolist() == [1.0, 1.0]  # capped at 1


def test_holm_adjust_leaves_nan_out_of_the_family() -> None:
    got = stats.holm_adjust([0.01, np.nan, 0.04, 0.03])
    assert np.isnan(got[1])
    # three tests, not four
    assert got[[0, 2, 3]].tolist() == pytest.approx(
        multipletests([0.01, 0.04, 0.03], method="holm")[1].tolist())
    assert np.isnan(stats.holm_adjust([np.nan, np.nan])).all()
    assert stats.holm_adjust([]).size == 0
