"""Shared fixtures: the codebook, the bundled synthetic export, a writer for broken variants and one
build with population margins and declared extra analyses."""
from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from analysis.survey.codebook import load_codebook  # noqa: E402
from analysis.core.paths import DATA_DIR, REFERENCE_DIR, SYNTHETIC_EXPORT  # noqa: E402
from analysis.survey.loader import load  # noqa: E402


@pytest.fixture(scope="session")
def codebook():
    return load_codebook()


@pytest.fixture(scope="session")
def bundled_path() -> Path:
    return SYNTHETIC_EXPORT


@pytest.fixture(scope="session")
def survey(bundled_path):
    """The bundled synthetic export as a validated survey frame (do not modify in tests)."""
    return load(bundled_path)


@pytest.fixture(scope="session")
def bundled_rows(bundled_path) -> list[list[str]]:
    with open(bundled_path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


@pytest.fixture(scope="session")
def margins_build(tmp_path_factory) -> dict:
    """One build of the bundled export with ``--margins`` (the bundled illustrative margins of 2011) and
    ``--analyses`` (the bundled example, data/examples/analyses.yaml), in English: the workforce section,
    the findings with and without weighting and the appendix "Additional analyses". Shared by the tests of
    the weighting, the declared analyses and publication safety (a build is the suite's most expensive step).
    ``printed`` is what the build printed on standard output."""
    from analysis.pipeline.build import build

    out = tmp_path_factory.mktemp("margins") / "out"
    analyses = DATA_DIR / "examples" / "analyses.yaml"
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        status = build(data_path=SYNTHETIC_EXPORT, output_dir=out, lang="en",
                       margins=REFERENCE_DIR / "margins_2011.yaml", analyses=analyses)
    return {"status": status, "out": out, "export": SYNTHETIC_EXPORT, "analyses": analyses,
            "printed": printed.getvalue()}


@pytest.fixture(scope="session")
def export_150(tmp_path_factory) -> Path:
    """An export of 150 generated respondents (seed 77): other data than the bundled export."""
    from analysis.survey.synth import generate, write_export

    return write_export(generate(150, 77), tmp_path_factory.mktemp("export150") / "other.csv")


@pytest.fixture(scope="session")
def two_builds(tmp_path_factory, export_150) -> dict:
    """participants and opportunities built from `export_150`: with one job (``one``), then with two jobs and
    --force (``two``, which no test changes). Shared by test_incremental.py (same bytes whatever the jobs and the
    cache) and test_build.py (other data give other numbers)."""
    from analysis.pipeline.build import build

    root = tmp_path_factory.mktemp("parallel")
    one, two = root / "one" / "outputs", root / "two" / "outputs"
    status_one = build(data=export_150, out=one, only=["participants", "opportunities"], jobs=1)
    status_two = build(data=export_150, out=two, only=["participants", "opportunities"], jobs=2, force=True)
    return {"one": one, "two": two, "status": (status_one, status_two)}


@pytest.fixture(autouse=True)
def _close_figures():
    """Theme results hold open figures until saved; close them after each test."""
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


#: Session fixtures of this file that are cheap enough to make once per xdist worker.
_CHEAP = {"codebook", "bundled_path", "survey", "bundled_rows", "tmp_path_factory", "worker_id",
          "testrun_uid"}


def pytest_collection_modifyitems(config, items):
    """Keep every test that shares an expensive module or session fixture (a build, a set of theme
    results) on one xdist worker (``--dist loadgroup``, as `make test` runs): otherwise each of the two
    workers makes the fixture again, and the suite's most expensive steps run twice. Tests linked through
    any chain of shared fixtures form one group."""
    parent: dict[str, str] = {}

    def root(name: str) -> str:
        while parent.setdefault(name, name) != name:
            name = parent[name]
        return name

    shared_of = {}
    for item in items:
        shared = sorted(_shared_fixtures(item))
        for name in shared[1:]:
            parent[root(name)] = root(shared[0])
        shared_of[item] = shared
    for item, shared in shared_of.items():
        if shared:
            item.add_marker(pytest.mark.xdist_group(root(shared[0])))
            if getattr(config.option, "loadgroup", False):  # set on the workers of ``-n N --dist loadgroup``
                _name_group_in_node_id(item, root(shared[0]))


def _name_group_in_node_id(item, group: str) -> None:
    """Append ``@group`` to `item`'s node id, the suffix by which xdist's controller keeps a group on one worker.

    pytest-xdist 3.8 appends it by writing ``item._nodeid``, which pytest 9.2's structured node ids no longer
    read: the marks were ignored and every shared build ran once per worker (pytest-dev/pytest-xdist issue
    1386, fix proposed in pull request 1388). This writes the structured id, as that pull request does."""
    from _pytest.nodeid import NodeId

    if not item.nodeid.endswith(f"@{group}"):
        item._id = NodeId.parse(f"{item.nodeid}@{group}")


def _shared_fixtures(item) -> set[str]:
    """The expensive module or session fixtures `item` uses, also through a fixture whose parameters name
    fixtures it requests by name (``request.getfixturevalue(request.param)``)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return set()
    manager, found = item.session._fixturemanager, set()
    for name, defs in info.name2fixturedefs.items():
        requested = [(name, defs)] + [(param, manager.getfixturedefs(param, item) or ())
                                      for param in (defs[-1].params or ()) if isinstance(param, str)]
        found |= {f"{d[-1].baseid}::{n}" for n, d in requested
                  if d and n not in _CHEAP and d[-1].scope in ("module", "session")}
    return found
