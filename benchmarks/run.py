"""Speed targets (make bench), measured in one run and written to benchmarks/RESULTS.md.

Timed tests are flaky, so the targets live here and are checked on demand; the script exits 1
when one is missed. Targets are ratios to a floor measured in the same run, so they hold on a
slower or busier machine:

- floor: six notebooks that only import the analysis stack (numpy, pandas, scipy.stats,
  statsmodels.api, matplotlib.pyplot, seaborn) and load the bundled export, run one after another
  by papermill, each in a new kernel (what the build did before it was incremental and parallel);
- full build (``--force``, every theme run, default jobs): at most 0.7 x the floor;
- no-op rebuild (``python -m analysis build`` again, nothing changed, a new process): at most 1 s;
- build of 100,000 respondents (``--force``): at most 12 s more than the bundled export's build;
- scale series (synthetic exports of 10,000, 100,000 and 1,000,000 respondents, each point in a
  process of its own, ``benchmarks/scale_point.py``): at 100,000 load + validate at most 5 s, the
  five theme computations at most 10 s, peak memory at most 1 GB; 1,000,000 at most 12 x the
  100,000 time (load + themes), its peak memory stated.

    python benchmarks/run.py [--skip-scale] [--sizes 10000,100000,1000000] [--large-build-only]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nbformat  # noqa: E402

from analysis.pipeline.build import build, default_jobs  # noqa: E402
from analysis.core.files import file_digest  # noqa: E402
from analysis.pipeline.parameters import BuildParameters  # noqa: E402
from analysis.core.paths import NOTEBOOKS_DIR, PROJECT_ROOT, SYNTHETIC_CODING, SYNTHETIC_SEED  # noqa: E402

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
#: Generated exports are kept here between runs (git-ignored), named by size, seed and generator.
EXPORTS = PROJECT_ROOT / ".benchmarks" / "exports"
FLOOR_NOTEBOOKS = 6
FLOOR_SOURCE = ("import numpy, pandas, scipy.stats, statsmodels.api, matplotlib.pyplot, seaborn\n"
                "from analysis.pipeline.parameters import BuildParameters, load_survey\n"
                "survey, log = load_survey(BuildParameters())")
FULL_BUILD_RATIO = 0.7
NOOP_SECONDS = 1.0
LOAD_100K_SECONDS = 5.0
THEMES_100K_SECONDS = 10.0
PEAK_100K_MB = 1024
SCALE_1M_RATIO = 12.0
#: The size the large point is compared with, and the export it is made from (tiled).
REFERENCE_N = 100_000
#: The build of REFERENCE_N respondents may take at most this many seconds more than the bundled build.
LARGE_BUILD_EXTRA_SECONDS = 12.0


def machine() -> dict[str, str]:
    """What the figures were measured on (the machine may be shared: the load average says how busy)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        memory = f"{kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    return {"cpu": cpu, "cores": str(default_jobs()), "memory": memory,
            "system": f"{platform.system()} {platform.release()}", "python": platform.python_version()}


def load_average() -> str:
    try:
        return " / ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "unknown"


def floor_seconds(work: Path) -> float:
    """Six notebooks that import the stack and load the bundled export, one after another, each in
    a new kernel started by papermill."""
    import papermill

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(FLOOR_SOURCE)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source = work / "floor.ipynb"
    nbformat.write(notebook, source)
    from traitlets.config import Config

    from analysis.pipeline.kernels import QuietShutdownKernelManager

    started = time.perf_counter()
    for number in range(FLOOR_NOTEBOOKS):  # as the build ran notebooks before: a new kernel each, over IPC
        sockets = Path(tempfile.mkdtemp(prefix="politie20-"))
        config = Config({"KernelManager": {"transport": "ipc", "ip": str(sockets / "kernel")}})
        papermill.execute_notebook(str(source), str(work / f"floor_{number}.ipynb"), kernel_name="python3",
                                   progress_bar=False, log_output=False, cwd=str(NOTEBOOKS_DIR), config=config,
                                   kernel_manager_class=QuietShutdownKernelManager)
        shutil.rmtree(sockets, ignore_errors=True)
    return time.perf_counter() - started


def build_seconds(out: Path, **options) -> float:
    started = time.perf_counter()
    status = build(BuildParameters(output_dir=out, coding=SYNTHETIC_CODING), **options)
    if status != 0:
        raise SystemExit(f"the build failed (status {status})")
    return time.perf_counter() - started


def large_build_seconds(work: Path) -> tuple[float, float]:
    """The bundled export's build and the REFERENCE_N-respondent export's, both ``--force`` and without a
    coding folder (the bundled folder codes the bundled respondents only)."""
    bundled = build_seconds(work / "bundled" / "outputs", force=True, coding=None)
    large = build_seconds(work / "large" / "outputs", force=True, coding=None, data_path=synthetic_export(REFERENCE_N))
    print(f"build of {REFERENCE_N:,} respondents: {large:.1f} s; bundled: {bundled:.1f} s "
          f"(+{large - bundled:.1f} s)", flush=True)
    return bundled, large


def large_build_check(work: Path) -> tuple[str, str, str, bool]:
    """The target on the REFERENCE_N-respondent build: at most LARGE_BUILD_EXTRA_SECONDS more than the bundled."""
    bundled, large = large_build_seconds(work)
    return (f"build of {REFERENCE_N:,} respondents vs the bundled export (--force, no coding)",
            f"{large:.1f} s vs {bundled:.1f} s (+{large - bundled:.1f} s)", f"<= +{LARGE_BUILD_EXTRA_SECONDS:g} s",
            large - bundled <= LARGE_BUILD_EXTRA_SECONDS)


def noop_seconds(out: Path) -> tuple[float, str]:
    """A rebuild with nothing changed, as a user runs it: a new process."""
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "analysis", "build", "--out", str(out), "--coding",
                          str(SYNTHETIC_CODING)], capture_output=True, text=True, cwd=PROJECT_ROOT)
    seconds = time.perf_counter() - started
    if run.returncode != 0:
        raise SystemExit(f"the no-op rebuild failed: {run.stderr}")
    return seconds, run.stdout.strip().splitlines()[-1]


def synthetic_export(n: int) -> Path:
    """A synthetic export of `n` respondents (kept in .benchmarks/exports/ between runs). Sizes
    above 100,000 tile the 100,000 export with new respondent ids (the generator is slow there,
    and the scale of loading and computing is what is measured)."""
    from analysis.survey import synth, synth_open

    tag = "".join(file_digest(Path(module.__file__))[:5] for module in (synth, synth_open))
    path = EXPORTS / f"synthetic_{n}_{SYNTHETIC_SEED}_{tag}.csv"
    if path.exists():
        return path
    EXPORTS.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    if n <= REFERENCE_N:
        synth.write_export(synth.generate(n, SYNTHETIC_SEED), partial)
    else:
        source = synthetic_export(REFERENCE_N).read_text(encoding="utf-8").splitlines(keepends=True)
        header, rows = source[0], source[1:]
        copies, rest = divmod(n, len(rows))
        with open(partial, "w", encoding="utf-8", newline="") as fh:
            fh.write(header)
            for copy in range(copies + (1 if rest else 0)):
                part = rows if copy < copies else rows[:rest]
                fh.writelines(row if copy == 0 else f"{row.split(',', 1)[0]}-{copy}," + row.split(",", 1)[1]
                              for row in part)
    partial.rename(path)
    return path


#: Memory a scale point may take (the machine is shared: a point that needs more stops with
#: MemoryError instead of pushing other work out of memory).
MEMORY_CAP_GB = 8


def _cap_memory() -> None:
    import resource

    cap = MEMORY_CAP_GB * 1024 ** 3
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def scale_point(path: Path, n: int) -> dict:
    """One point of the series in its own process; a point that fails (e.g. MemoryError under the
    cap) is recorded as failed, with the reason, rather than ending the run."""
    run = subprocess.run([sys.executable, str(HERE / "scale_point.py"), str(path)], capture_output=True, text=True,
                         env={**os.environ, "MPLBACKEND": "Agg", "OPENBLAS_NUM_THREADS": "1"},
                         preexec_fn=_cap_memory)
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["no message"])[-1]
        return {"respondents": n, "failed": f"{last[:200]} (memory capped at {MEMORY_CAP_GB} GB)"}
    return json.loads(run.stdout.strip().splitlines()[-1])


def scale_series(sizes: list[int], checks: list[tuple[str, str, str, bool]]) -> list[dict]:
    """The scale series, one process per size; its targets are appended to `checks`."""
    points = []
    for n in sizes:
        path = synthetic_export(n)
        point = scale_point(path, n)
        points.append(point)
        if "failed" in point:
            print(f"scale {n:>9,}: failed: {point['failed']}", flush=True)
            continue
        print(f"scale {n:>9,}: load + validate {point['load_s']:.1f} s, five themes {point['themes_s']:.1f} s, "
              f"peak {point['peak_mb']} MB", flush=True)
    reference = next((p for p in points if p["respondents"] == REFERENCE_N and "failed" not in p), None)
    if reference:
        checks.append((f"load + validate, {REFERENCE_N:,}", f"{reference['load_s']:.1f} s",
                       f"<= {LOAD_100K_SECONDS:g} s", reference["load_s"] <= LOAD_100K_SECONDS))
        checks.append((f"five theme computations, {REFERENCE_N:,}", f"{reference['themes_s']:.1f} s",
                       f"<= {THEMES_100K_SECONDS:g} s", reference["themes_s"] <= THEMES_100K_SECONDS))
        checks.append((f"peak memory, {REFERENCE_N:,}", f"{reference['peak_mb']} MB", f"<= {PEAK_100K_MB} MB",
                       reference["peak_mb"] <= PEAK_100K_MB))
        for large in (p for p in points if p["respondents"] > REFERENCE_N):
            if "failed" in large:
                checks.append((f"{large['respondents']:,} vs {REFERENCE_N:,} (load + themes)",
                               f"failed: {large['failed']}", f"<= {SCALE_1M_RATIO:g} x", False))
                continue
            base = reference["load_s"] + reference["themes_s"]
            total = large["load_s"] + large["themes_s"]
            checks.append((f"{large['respondents']:,} vs {REFERENCE_N:,} (load + themes)",
                           f"{total:.1f} s = {total / base:.1f} x; peak {large['peak_mb']} MB",
                           f"<= {SCALE_1M_RATIO:g} x", total <= SCALE_1M_RATIO * base))
    return points


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="respondents per scale point")
    parser.add_argument("--skip-scale", action="store_true", help="only the floor and the builds")
    parser.add_argument("--large-build-only", action="store_true",
                        help=f"only the build of {REFERENCE_N:,} respondents vs the bundled build "
                        "(printed, not written)")
    args = parser.parse_args(argv)
    if args.large_build_only:
        work = Path(tempfile.mkdtemp(prefix="bench-"))
        try:
            return 0 if large_build_check(work)[3] else 1
        finally:
            shutil.rmtree(work, ignore_errors=True)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    load_before = load_average()
    checks: list[tuple[str, str, str, bool]] = []  # what, measured, target, met
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        floor = floor_seconds(work)
        print(f"floor ({FLOOR_NOTEBOOKS} notebooks: import the stack, load the data): {floor:.1f} s", flush=True)
        full = build_seconds(work / "build" / "outputs", force=True)
        print(f"full build: {full:.1f} s ({full / floor:.2f} x the floor)", flush=True)
        noop, said = noop_seconds(work / "build" / "outputs")
        print(f"no-op rebuild: {noop:.2f} s ({said})", flush=True)
        checks.append(("full build (6 notebooks + report, --force)", f"{full:.1f} s = {full / floor:.2f} x floor",
                       f"<= {FULL_BUILD_RATIO} x floor", full <= FULL_BUILD_RATIO * floor))
        checks.append(("no-op rebuild (new process)", f"{noop:.2f} s", f"<= {NOOP_SECONDS:g} s", noop <= NOOP_SECONDS))
        checks.append(large_build_check(work))
        points = [] if args.skip_scale else scale_series(sizes, checks)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write_results(machine(), load_before, load_average(), floor, full, noop, points, checks)
    failed = [c for c in checks if not c[3]]
    print(f"\n{len(checks) - len(failed)} of {len(checks)} targets met; written to {RESULTS.relative_to(PROJECT_ROOT)}")
    return 1 if failed else 0


def write_results(box: dict[str, str], load_before: str, load_after: str, floor: float, full: float, noop: float,
                  points: list[dict], checks: list[tuple[str, str, str, bool]]) -> None:
    lines = ["# Benchmark results (`make bench`)", "",
             f"Measured {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC in one run of `benchmarks/run.py`.", "",
             "## Machine", "",
             f"- CPU: {box['cpu']}; cores available: {box['cores']} (the build's default jobs)",
             f"- memory: {box['memory']}; {box['system']}; Python {box['python']}",
             f"- load average (1 / 5 / 15 min) before: {load_before}; after: {load_after}. The machine may be "
             "shared: a load above the number of cores means other work ran at the same time, and every figure "
             "below is slower than on an idle machine (the ratios less so).", "",
             "## Targets", "", "| what | measured | target | met |", "| --- | --- | --- | --- |"]
    lines += [f"| {what} | {measured} | {target} | {'yes' if met else '**no**'} |"
              for what, measured, target, met in checks]
    lines += ["", "## Builds (bundled export, 420 respondents, its coding folder)", "",
              f"- floor: {FLOOR_NOTEBOOKS} notebooks that import the stack and load the export, one after another, "
              f"a new kernel each: {floor:.1f} s",
              f"- full build (`--force`, {box['cores']} jobs: themes 1-5 at once, the conclusion after them, "
              f"report and workbook): {full:.1f} s ({full / floor:.2f} x the floor)",
              f"- no-op rebuild (a new `python -m analysis build` process, nothing changed): {noop:.2f} s"]
    if points:
        lines += ["", "## Scale series (synthetic exports; each point a process of its own)", "",
                  "| respondents | load + validate (s) | five themes (s) | per theme (s) | peak memory (MB) |",
                  "| ---: | ---: | ---: | --- | ---: |"]
        for p in points:
            if "failed" in p:
                lines.append(f"| {p['respondents']:,} | failed: {p['failed']} | | | |")
                continue
            per = ", ".join(f"{k} {v:g}" for k, v in p["per_theme_s"].items())
            lines.append(f"| {p['respondents']:,} | {p['load_s']:.1f} | {p['themes_s']:.1f} | {per} | {p['peak_mb']} |")
        lines += ["", "Exports above 100,000 respondents repeat the 100,000 export with new respondent ids. Theme "
                  "times include drawing and writing each theme's figures and tables (a fixed cost)."]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
