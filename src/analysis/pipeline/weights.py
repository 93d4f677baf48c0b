"""``python -m analysis weights EXPORT --margins FILE --out weights.csv``: raking weights for an export.

Reads the export and the margins file of its wave, refuses bad margins (exit 2, naming file, line and
category), rakes with trimming (:mod:`analysis.stats.raking`), writes one weight per respondent and
prints the diagnostics (convergence, spread, Kish's effective sample size, design effect) and a note per
margin that leaves out categories of its item (their respondents keep weight 1).
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.errors import Problem, SurveyDataError
from analysis.stats.raking import Raking, rake, weighting_summary
from analysis.survey.codebook import load_codebook
from analysis.survey.loader import load
from analysis.survey.margins import Margins, check_coverage, omitted_categories, read_margins, respondent_categories

#: Default bound on a weight's ratio to the mean weight (a common cap in survey practice).
DEFAULT_TRIM = 5.0


def survey_weights(frame: pd.DataFrame, margins_path: str | Path, trim: float | None = DEFAULT_TRIM
                   ) -> tuple[Raking, Margins]:
    """Rake the respondents of `frame` (a validated survey frame) to the margins file of its wave."""
    wave = str(frame.attrs.get("wave", ""))
    codebook = load_codebook(wave=wave or None)
    margins = read_margins(margins_path, codebook)
    if margins.wave and wave and margins.wave != wave:
        raise SurveyDataError([Problem(margins.path, "the margins are of another wave than the export",
                                       value=margins.wave, expected=f"wave {wave}")])
    categories = respondent_categories(frame, margins, codebook)
    check_coverage(categories, margins)
    shares = {margin.item: margin.shares() for margin in margins.margins}
    return rake(categories, shares, trim=trim), margins


def command(args: argparse.Namespace) -> int:
    """Write the weights of an export and print how the raking went."""
    frame = load(args.export, mapping=args.mapping, format=args.format, wave=args.wave)
    raking, margins = survey_weights(frame, args.margins, trim=args.trim or None)
    out = pd.DataFrame({"respondent_id": frame["respondent_id"].to_numpy(), "weight": raking.weights.to_numpy(),
                        "raked": raking.raked.astype(int).to_numpy()})
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(args.out, index=False)
    if margins.illustrative:
        print(f"NOTE: {margins.path} holds ILLUSTRATIVE margins, not published population figures.")
    for omission in omitted_categories(frame, margins, load_codebook(wave=frame.attrs.get("wave"))):
        print(f"NOTE: {omission.note(margins.path)}")
    if not raking.converged:
        bound = f"; the bound --trim {raking.trim:g} may hold the weights back" if raking.trim else ""
        print(f"WARNING: the raking did not converge: a weighted margin is {raking.max_deviation:.2%} from its target "
              f"(tolerance {raking.tolerance:g}){bound}. The weights do not reproduce the margins.", file=sys.stderr)
    for key, value in weighting_summary(raking).items():
        print(f"{key}: {value:.4g}" if isinstance(value, float) else f"{key}: {value}")
    print(f"wrote {args.out}")
    return 0


def trim_bound(text: str) -> float:
    """The --trim value: a finite number above 1 (a weight's largest ratio to the mean), or 0 for none."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if value == 0 or (math.isfinite(value) and value > 1):
        return value
    raise argparse.ArgumentTypeError(f"{text!r}: a bound on a weight's ratio to the mean must be a number above 1 "
                                     "(e.g. 5), or 0 for no bound")


def add_parser(sub: Any) -> None:
    """The ``weights`` sub-command and its options."""
    weights = sub.add_parser("weights", help="raking weights for an export from a margins file of its wave")
    weights.add_argument("export", help="the survey export (CSV, XLSX, SAV)")
    weights.add_argument("--margins", required=True, help="margins file (YAML), e.g. data/reference/margins_2011.yaml")
    weights.add_argument("--out", required=True, help="CSV to write: respondent_id, weight, raked")
    weights.add_argument("--trim", type=trim_bound, default=DEFAULT_TRIM,
                         help=f"bound on a weight's ratio to the mean weight, > 1 (default {DEFAULT_TRIM:g}; 0: none)")
    weights.add_argument("--mapping", help="mapping file of the export (as for validate)")
    weights.add_argument("--format", help="force the survey tool's layout")
    weights.add_argument("--wave", help="codebook wave of the export (default: recognised)")
    weights.set_defaults(func=command)
