"""Speed targets (make bench). Timed tests are flaky; targets live here and are checked on demand.

Each benchmark runs a few times and reports the best time against its target; the script exits 1
when a target is missed, so it can gate a release without making the test suite timing-sensitive.
"""
from __future__ import annotations

import importlib
import sys
import tempfile
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from analysis import load  # noqa: E402
from analysis.build import build  # noqa: E402
from analysis.parameters import BuildParameters  # noqa: E402
from analysis.paths import SYNTHETIC_EXPORT, SYNTHETIC_N, SYNTHETIC_SEED  # noqa: E402
from analysis.registry import THEMES  # noqa: E402
from analysis.synth import generate, write_export  # noqa: E402
from analysis.themes.base import Context  # noqa: E402

REPEATS = 3


def best_of(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    warnings.simplefilter("ignore")
    survey = load(SYNTHETIC_EXPORT)
    ctx = Context(synthetic=True)
    out = Path(tempfile.mkdtemp(prefix="bench-"))
    big = out / "big.csv"
    write_export(generate(SYNTHETIC_N * 10, SYNTHETIC_SEED), big)
    # (name, seconds target, callable, repeats): targets for the bundled 420-respondent export on 2 cores
    cases = [
        ("synth: generate 420 respondents", 1.0, lambda: generate(SYNTHETIC_N, SYNTHETIC_SEED), REPEATS),
        ("load + validate bundled export", 1.0, lambda: load(SYNTHETIC_EXPORT), REPEATS),
        ("load + validate 10x larger export", 5.0, lambda: load(big), REPEATS),
    ]
    for theme in THEMES:
        if theme.reads_facts_of:  # needs the other themes' facts files: timed in the full build
            continue
        module = importlib.import_module(theme.module)
        cases.append((f"theme {theme.key}: analyse + save", 15.0,
                      lambda m=module: m.analyse(survey, ctx).save(out), REPEATS))
    cases.append((f"full build ({len(THEMES)} notebooks + report)", 180.0,
                  lambda: build(BuildParameters(output_dir=out / "build", lang="en")), 1))
    failed = 0
    print(f"{'benchmark':<45} {'best (s)':>9} {'target':>8}")
    for name, target, fn, repeats in cases:
        seconds = best_of(fn, repeats)
        ok = seconds <= target
        failed += not ok
        print(f"{name:<45} {seconds:9.2f} {target:8.1f}  {'ok' if ok else 'SLOWER THAN TARGET'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
