"""The house drawn from the imports: no cycles among the package's modules, no theme imports another."""
from __future__ import annotations

import ast
from pathlib import Path

import analysis
from analysis.registry import THEMES

PACKAGE = Path(analysis.__file__).parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, top_level_only: bool) -> set[str]:
    """analysis.* modules that `path` imports (at module level only, or anywhere)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("analysis"):
                found.add(target)
                for alias in node.names:  # "from . import stats" imports a module
                    candidate = f"{target}.{alias.name}"
                    if (PACKAGE.parent / candidate.replace(".", "/")).with_suffix(".py").exists() or \
                            (PACKAGE.parent / candidate.replace(".", "/") / "__init__.py").exists():
                        found.add(candidate)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("analysis")}
    return found - {name}


def _graph(top_level_only: bool) -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {t for t in _imports(path, top_level_only) if t in modules} for name, path in modules.items()}


def test_module_level_imports_have_no_cycles():
    graph = _graph(top_level_only=True)
    # the graph is read correctly (else the test could not fail): known edges are there
    assert "analysis.publication" in graph["analysis.themes.base"]
    assert "analysis.themes.derived" in graph["analysis.themes.barriers"]
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                raise AssertionError("import cycle: " + " -> ".join(path[path.index(target):] + [target])
                                     if target in path else f"import cycle through {target}")
            if target not in state:
                visit(target, path + [target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])


def test_no_theme_imports_another_theme():
    themes = {t.module for t in THEMES}
    assert len(themes) == 6
    graph = _graph(top_level_only=False)
    for theme in themes:
        assert not (graph[theme] & (themes - {theme})), (theme, graph[theme] & themes)
