"""Several tests at once: Holm-adjusted p-values."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def holm_adjust(pvalues: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm (1979) step-down adjusted p-values; NaN entries stay NaN and are not counted.

    Call it on the p-values of a family of pairwise tests.  It gives the same
    values as statsmodels' ``multipletests(method="holm")`` (the tests check
    this), which we do not call: for Holm it runs a full ``gc.collect()`` on every
    call (statsmodels 0.15; PR #8671 to remove it was closed), about 0.4 s each
    with the build's objects in memory, a quarter of the theme computations' time.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    m = int(ok.sum())
    if m == 0:
        return out
    idx = np.flatnonzero(ok)
    order = idx[np.argsort(p[ok], kind="mergesort")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out
