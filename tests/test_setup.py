"""The two-command set-up: pinned dependencies, conda file in agreement, CI calls make test."""
from __future__ import annotations

import re
import subprocess
import tomllib

import yaml

from analysis.core.paths import PROJECT_ROOT


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock() -> dict[str, str]:
    pins = {}
    for line in (PROJECT_ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"requirements.lock line is not an exact pin: {line!r}"
            pins[_norm(name)] = version
    return pins


def test_every_direct_dependency_is_pinned_exactly():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    pins = _lock()
    for dep in project["dependencies"]:
        assert _norm(re.split(r"[<>=! \[]", dep)[0]) in pins, dep


def test_environment_yml_lists_the_same_packages_and_versions_as_the_lock():
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep:
            name, version = dep.split("=", 1)
            conda[_norm(name)] = version
        elif isinstance(dep, dict):  # pip: packages conda-forge does not carry, pinned the same way
            for line in dep.get("pip", []):
                if "==" in line:
                    name, version = line.split("==", 1)
                    conda[_norm(name)] = version.split()[0]
    pins = _lock()
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    direct = {_norm(re.split(r"[<>=! \[]", d)[0]) for d in project["dependencies"]}
    assert direct <= set(conda), direct - set(conda)
    for name, version in conda.items():
        if name != "python":
            assert pins[name] == version, name


def test_ci_runs_exactly_the_readme_test_command():
    ci = (PROJECT_ROOT / ".ci" / "run").read_text()
    assert [line for line in ci.splitlines() if line and not line.startswith(("#", "set ", "cd "))] == ["make test"]
    assert "make test" in (PROJECT_ROOT / "README.md").read_text()


def test_make_help_lists_report_and_test():
    out = subprocess.run(["make", "-s", "help"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout
    assert "report" in out and "test" in out and "bench" in out


def test_outputs_is_ignored_but_kept():
    assert (PROJECT_ROOT / "outputs" / ".gitkeep").exists()
    assert "outputs/*" in (PROJECT_ROOT / ".gitignore").read_text()
