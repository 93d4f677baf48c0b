"""The house drawn from the imports: no cycles among the package's modules, no theme imports another."""
from __future__ import annotations

import ast
from pathlib import Path

import analysis
from analysis.themes.registry import THEMES

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
    assert "analysis.protection.publication" in graph["analysis.themes.base"]
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
    assert len(themes) == len(THEMES) > 1
    graph = _graph(top_level_only=False)
    for theme in themes:
        assert not (graph[theme] & (themes - {theme})), (theme, graph[theme] & themes)


#: The layers, lowest first: a module imports only from its own layer and the layers before it.
LAYERS = ("core", "survey", "stats", "protection", "report", "coding", "themes", "pipeline")


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_module_lives_in_a_layer():
    """Nothing new grows at the top level: only the facade (__init__, __main__) sits beside the layers."""
    modules = {_module_name(p) for p in PACKAGE.rglob("*.py")}
    outside = sorted(m for m in modules if _layer(m) not in LAYERS and m not in ("analysis", "analysis.__main__"))
    assert not outside, outside
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()} == set(LAYERS)


def test_layers_import_one_way():
    graph = _graph(top_level_only=False)
    # the graph is read correctly (else the test could not fail): a known downward edge is there
    assert "analysis.survey.codebook" in graph["analysis.survey.validation"]
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    upward = sorted(f"{source} -> {target}" for source, targets in graph.items() for target in targets
                    if _layer(source) in rank and _layer(target) in rank
                    and rank[_layer(target)] > rank[_layer(source)])
    assert not upward, "imports against the layers: " + ", ".join(upward)


def test_each_layer_says_its_job():
    for layer in LAYERS:
        doc = ast.get_docstring(ast.parse((PACKAGE / layer / "__init__.py").read_text(encoding="utf-8")))
        assert doc and len(doc) > 80, layer


#: Functions fit on a screen and modules can be read in one sitting (the architecture issue's limits).
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 500


def _functions(tree: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def test_no_function_over_60_lines():
    """From the def line to the last line of the body (decorators not counted), nested functions included."""
    too_long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in _functions(ast.parse(path.read_text(encoding="utf-8"))):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                too_long.append(f"{_module_name(path)}.{node.name}: {length} lines")
    assert not too_long, too_long


def test_the_function_length_is_measured_from_def_to_last_line():
    """The measure the test above applies (else it could pass for the wrong reason)."""
    body = "\n".join(f"    x{i} = {i}" for i in range(61))
    (node,) = _functions(ast.parse(f"@decorator\ndef f():\n{body}\n"))
    assert node.end_lineno - node.lineno + 1 == 62 > MAX_FUNCTION_LINES


def test_no_module_over_500_lines():
    too_long = {_module_name(p): n for p in sorted(PACKAGE.rglob("*.py"))
                if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not too_long, too_long
