"""Statistical core for the 2011 survey of Dutch police on social media.

Every table-producing function takes the survey frame (one row per respondent)
plus column names, and returns a tidy :class:`pandas.DataFrame` that carries the
unweighted base ``n`` in every row.  Empty or all-missing input gives an empty
frame with the same columns, never an exception.

Conventions (set by the loader):

* rating items are ordered categoricals of integer codes, e.g. ``[1, 2, 3, 4, 5, 9]``
  where 1..5 is the substantive scale and 9 = "don't know"; missing is NaN;
* multi-select items are 0/1 indicator columns, NaN when the respondent skipped the
  whole question;
* ``cluster`` names the column of the respondents' clusters (their organisation; a missing
  value is a cluster of one; the themes make each respondent of a catch-all organisation one too);
* ``weights`` names an optional numeric weight column.  Rows with a missing or
  negative weight are left out.

Percentages in tables are on the 0-100 scale (columns named ``*pct*``, ``*_low``,
``*_high``); :func:`wilson_interval` itself works on the 0-1 scale.  Counts
(``n``, ``count``, ``*_count``, ``*_n``) are always unweighted respondent counts so
that :func:`analysis.protection.suppression.suppress` can apply the small-cell rule to them.
Tables that have additive counts say so in ``DataFrame.attrs["disclosure"]``,
which :func:`analysis.protection.suppression.suppress` reads.

The functions live in topic modules and are all importable from here
(``from analysis import stats; stats.proportion(...)``):

* :mod:`.proportions` -- :func:`proportion`, :func:`wilson_interval`,
  :func:`newcombe_difference`, :func:`kish_effective_n`;
* :mod:`.ratings` -- :func:`rating_distribution`, :func:`rating_summary`,
  :func:`split_test`;
* :mod:`.multiselect` -- :func:`multi_select`, :func:`cochrans_q`,
  :func:`mcnemar_pairs`;
* :mod:`.rankings` -- :func:`mean_ranks`, :func:`friedman_test`,
  :func:`kendalls_w`, :func:`pairwise_wilcoxon`;
* :mod:`.groups` -- :func:`crosstab`, :func:`crosstab_test`,
  :func:`kruskal_test`, :func:`pairwise_mannwhitney`;
* :mod:`.models` -- :func:`ordinal_logit`, :func:`logistic_regression`,
  :func:`proportional_odds_check`;
* :mod:`.sparse` -- :func:`proportional_odds_check_merging` (the check again with a sparse
  category merged into its neighbour), :func:`merge_sparsest_category`;
* :mod:`.agreement` -- :func:`cohens_kappa`, :func:`krippendorff_alpha`,
  :func:`binary_cohens_kappa`, :func:`binary_krippendorff_alpha`;
* :mod:`.multiple` -- :func:`holm_adjust`.
* :mod:`.raking` -- raking weights to population margins (weightipy's IPF, trimmed),
  Kish's effective sample size and the design effect of weighting.

Where statsmodels or scipy has the statistic, it computes it (Wilson and
Newcombe intervals, Cochran's Q, McNemar, Friedman, Wilcoxon, Mann-Whitney,
Kruskal-Wallis, chi-square, Fisher, Cramér's V, Cohen's kappa, the regression
models); this package adds what they lack: survey weights and clustering,
"don't know" handling, tidy tables with disclosure declarations, and
Krippendorff's alpha (the PyPI package is GPL-licensed).  Holm's adjustment is
our own too, equal to statsmodels' (see :func:`holm_adjust` for why).  For speed
at large samples the Friedman statistic and, above 50 pairs, the Wilcoxon
signed-rank test are computed from counts of answer codes with scipy's own
formulas (scipy ranks every respondent); the tests hold them to scipy's results.
"""

from __future__ import annotations

from analysis.stats.agreement import (binary_cohens_kappa, binary_krippendorff_alpha, cohens_kappa,
                                      krippendorff_alpha)
from analysis.stats.groups import (CROSSTAB_COLUMNS, CROSSTAB_TEST_COLUMNS, KRUSKAL_COLUMNS, MANNWHITNEY_COLUMNS,
                                   MONTE_CARLO_RESAMPLES, MONTE_CARLO_SEED, crosstab, crosstab_test, kruskal_test,
                                   pairwise_mannwhitney)
from analysis.stats.models import (MODEL_COLUMNS, PO_CHECK_COLUMNS, logistic_regression, ordinal_logit,
                                   proportional_odds_check)
from analysis.stats.multiple import holm_adjust
from analysis.stats.sparse import merge_sparsest_category, proportional_odds_check_merging
from analysis.stats.multiselect import (COCHRAN_COLUMNS, MCNEMAR_COLUMNS, MULTI_COLUMNS, cochrans_q, mcnemar_pairs,
                                        multi_select)
from analysis.stats.proportions import (PROPORTION_COLUMNS, kish_effective_n, newcombe_difference, proportion,
                                        wilson_interval)
from analysis.stats.rankings import (FRIEDMAN_COLUMNS, MEAN_RANK_COLUMNS, WILCOXON_COLUMNS, friedman_test, kendalls_w,
                                     mean_ranks, pairwise_wilcoxon, signed_rank_exact)
from analysis.stats.ratings import (BASE_NOTE, DISTRIBUTION_COLUMNS, SPLIT_COLUMNS, SUMMARY_COLUMNS,
                                    rating_distribution, rating_summary, split_test)

__all__ = [
    "wilson_interval",
    "newcombe_difference",
    "kish_effective_n",
    "holm_adjust",
    "proportion",
    "rating_distribution",
    "rating_summary",
    "multi_select",
    "cochrans_q",
    "mcnemar_pairs",
    "split_test",
    "mean_ranks",
    "friedman_test",
    "kendalls_w",
    "pairwise_wilcoxon",
    "signed_rank_exact",
    "crosstab",
    "crosstab_test",
    "kruskal_test",
    "pairwise_mannwhitney",
    "ordinal_logit",
    "logistic_regression",
    "proportional_odds_check",
    "proportional_odds_check_merging",
    "merge_sparsest_category",
    "cohens_kappa",
    "krippendorff_alpha",
    "binary_cohens_kappa",
    "binary_krippendorff_alpha",
    # table columns and constants, also part of the public interface
    "PROPORTION_COLUMNS",
    "DISTRIBUTION_COLUMNS",
    "SUMMARY_COLUMNS",
    "BASE_NOTE",
    "SPLIT_COLUMNS",
    "MULTI_COLUMNS",
    "COCHRAN_COLUMNS",
    "MCNEMAR_COLUMNS",
    "FRIEDMAN_COLUMNS",
    "MEAN_RANK_COLUMNS",
    "WILCOXON_COLUMNS",
    "CROSSTAB_COLUMNS",
    "CROSSTAB_TEST_COLUMNS",
    "KRUSKAL_COLUMNS",
    "MANNWHITNEY_COLUMNS",
    "MODEL_COLUMNS",
    "PO_CHECK_COLUMNS",
    "MONTE_CARLO_SEED",
    "MONTE_CARLO_RESAMPLES",
]
