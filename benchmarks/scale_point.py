"""One point of the scale series, in a process of its own (so its peak memory is its own).

    python benchmarks/scale_point.py EXPORT.csv

Prints one JSON line: respondents, load + validate seconds, the five theme computations' seconds
(each theme's ``analyse`` and ``save``, figures and files included; the conclusion reads their
facts and is timed in the full build), and the process's peak resident memory in MB. Imports are
done before the clock starts: they are a fixed cost of every kernel, measured by the floor.
"""
from __future__ import annotations

import importlib
import json
import resource
import sys
import tempfile
import time
import warnings

import matplotlib

matplotlib.use("Agg")

from analysis.survey.codebook import load_codebook  # noqa: E402
from analysis.pipeline.parameters import BuildParameters, load_survey  # noqa: E402
from analysis.themes.registry import THEMES  # noqa: E402
from analysis.themes.base import Context  # noqa: E402


def main(path: str) -> dict:
    warnings.simplefilter("ignore")
    modules = {t.key: importlib.import_module(t.module) for t in THEMES if not t.reads_facts_of}
    started = time.perf_counter()
    frame, _ = load_survey(BuildParameters(data_path=path))
    loaded = time.perf_counter() - started
    themes = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as out:
        for key, module in modules.items():
            ctx = Context(synthetic=bool(frame.attrs.get("synthetic")), codebook=load_codebook())
            began = time.perf_counter()
            module.analyse(frame, ctx).save(out, ctx)
            themes[key] = round(time.perf_counter() - began, 2)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
    return {"respondents": len(frame), "load_s": round(loaded, 2), "themes_s": round(sum(themes.values()), 2),
            "per_theme_s": themes, "peak_mb": round(peak_mb)}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
