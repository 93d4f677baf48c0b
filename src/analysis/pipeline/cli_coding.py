"""``python -m analysis coding {export, import, simulate}``: the handlers of the coding sub-command
(arguments parsed in :mod:`analysis.pipeline.cli`), calling :mod:`analysis.coding` and printing
what it wrote."""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from analysis.coding import ImportResult, export_sheets, import_sheets, simulate
from analysis.survey.codebook import Codebook, load_codebook
from analysis.survey.loader import load


def _print_agreement(result: ImportResult) -> None:
    """Kappa and alpha per question (min, median, max over the codes), coders and automatic pass."""
    table = result.agreement
    for comparison in ("coders", "automatic_vs_final"):
        part = table[table["comparison"] == comparison]
        if len(part):
            summary = part.groupby("item", sort=False)[["kappa", "alpha"]].agg(["min", "median", "max"]).round(2)
            print(f"{comparison}: kappa / alpha per code (min, median, max)\n{summary.to_string()}")


def _simulate(args: argparse.Namespace, codebook: Codebook) -> int:
    from analysis.core.paths import SYNTHETIC_EXPORT, SYNTHETIC_N, SYNTHETIC_SEED
    from analysis.survey.synth import planted_open_codes

    frame = load(SYNTHETIC_EXPORT)
    result = simulate(frame, planted_open_codes(SYNTHETIC_N, SYNTHETIC_SEED, codebook), args.out,
                      error_rate=args.error_rate, seed=args.seed, codebook=codebook, source=SYNTHETIC_EXPORT.name)
    print(f"two synthetic coders (error rate {args.error_rate:g} per code cell), adjudicated: {args.out}")
    _print_agreement(result)
    return 0


def _import(args: argparse.Namespace, codebook: Codebook, frame: pd.DataFrame, source: str) -> int:
    result = import_sheets(args.sheets, frame, args.out, codebook, source=source)
    _print_agreement(result)
    if result.adjudication is not None:
        print(f"{result.to_decide} disagreement(s) to decide in {result.adjudication}; then run: "
              f"python -m analysis coding import {result.adjudication} --out {args.out}")
    else:
        print(f"final codes: {Path(args.out) / 'coded_answers.csv'} "
              f"(use: python -m analysis build --coding {args.out})")
    return 0


def command(args: argparse.Namespace) -> int:
    """Run ``coding export``, ``coding import`` or ``coding simulate``; the exit status."""
    codebook = load_codebook()
    if args.action == "simulate":
        return _simulate(args, codebook)
    data = Path(args.data)
    frame = load(data, mapping=args.mapping, sheet=args.sheet)
    if args.action == "export":
        paths = export_sheets(frame, args.out, args.coders, args.seed, args.draft, codebook, source=data.name)
        print("\n".join(f"wrote {p}" for p in paths))
        return 0
    return _import(args, codebook, frame, data.name)
