"""The publication rules in force: one object, built once from the parameters and passed down.

A :class:`Rules` holds everything the protection of a build depends on: the rule profile's name,
the small-cell k in force, whether zeros and all-in-one-category counts are hidden, and the
residual degrees of freedom a model needs. :func:`profile` is the one place where the k asked for
(``--min-cell``) and the profile (``--rules``) become the k in force; the build, the notebooks'
:class:`~analysis.themes.base.Context` and the release manifest all read it from there.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

#: The small-cell k when none is given (``--min-cell``; the standard profile's k).
DEFAULT_K = 5


@dataclass(frozen=True)
class Rules:
    """A rule profile for publication (as output checkers such as ACRO and the ONS SRS define them).

    ``standard``: k = 5, zeros shown (a zero describes nobody). ``strict``: k = 10, zeros and
    counts that hold everyone of their total (all respondents in one category) hidden, models only
    with at least 10 residual degrees of freedom; both profiles publish a model only with at least
    k respondents in every predictor category. Under a profile whose ``k_is_floor`` is set
    (strict) a smaller k asked for is raised to the profile's k; otherwise k is as asked.
    """

    name: str = "standard"
    k: int = DEFAULT_K
    zeros: bool = False
    whole: bool = False
    model_min_df: int = 1
    k_is_floor: bool = False


PROFILES = {"standard": Rules(),
            "strict": Rules("strict", k=10, zeros=True, whole=True, model_min_df=10, k_is_floor=True)}


def profile(name: str = "standard", k: int | None = None) -> Rules:
    """The rules in force under profile `name` with the small-cell k asked for (default: the
    profile's own k; a profile whose k is a floor raises a smaller k to it)."""
    if name not in PROFILES:
        raise ValueError(f"unknown rule profile {name!r}; profiles are {sorted(PROFILES)}")
    base = PROFILES[name]
    if k is None:
        return base
    return replace(base, k=max(int(k), base.k) if base.k_is_floor else int(k))
