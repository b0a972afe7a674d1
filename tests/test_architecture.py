"""House rules as tests: import directions, the pinned public API, no pickle loading."""

from __future__ import annotations

import ast
from pathlib import Path

import explainers

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def test_engine_never_imports_ui_libraries():
    """Check that explainers/ imports neither streamlit nor plotly."""
    for path in _modules("explainers"):
        assert not _imports(path) & {"streamlit", "plotly"}, path


def test_ui_never_imports_ml_libraries():
    """Check that dashboard/ imports neither xgboost, shap nor lime."""
    for path in _modules("dashboard"):
        assert not _imports(path) & {"xgboost", "shap", "lime"}, path


def test_only_the_cluster_engine_imports_dask():
    """Check that dask and distributed (an optional extra) are imported by explainers/_dask only,
    so that the rest of the engine and the app work without them."""
    for package in ("explainers", "dashboard", "sample_data"):
        for path in _modules(package):
            if _imports(path) & {"dask", "distributed"}:
                assert path.parent.name == "_dask", path


def test_only_adapters_import_shap_or_lime():
    """Check that shap and lime are imported only by their adapter modules."""
    for path in _modules("explainers"):
        used = _imports(path) & {"shap", "lime"}
        if used:
            assert path.name.startswith(("_shap", "_lime")), path


def test_no_pickle_family_anywhere_in_the_product():
    """Check that no product module imports pickle, dill, joblib or cloudpickle."""
    for package in ("explainers", "dashboard", "sample_data"):
        for path in _modules(package):
            assert not _imports(path) & {"pickle", "dill", "joblib", "cloudpickle"}, path


def test_public_api_is_sorted_and_pinned():
    """Check that __all__ is sorted, complete and exactly the pinned list."""
    names = explainers.__all__
    assert names == sorted(names, key=lambda n: (not n.isupper(), n[0].islower(), n))
    for name in names:
        assert hasattr(explainers, name), name
    assert len(names) == len(set(names))
    assert {
        "read_table",
        "build_schema",
        "train_model",
        "compute_shap",
        "explain_lime",
        "DataError",
        "ExplainerError",
    } <= set(names)


def test_modules_stay_small():
    """Check that no product module grows past 400 lines."""
    for package in ("explainers", "dashboard", "sample_data"):
        for path in _modules(package):
            assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, path


def test_page_scripts_have_no_stray_strings():
    """Check that app.py and the pages hold no bare string past the docstring.

    (Magic would draw it.)
    """
    scripts = [ROOT / "dashboard" / "app.py", *sorted((ROOT / "dashboard" / "views").glob("*.py"))]
    for path in scripts:
        body = ast.parse(path.read_text(encoding="utf-8")).body
        stray = [
            node.lineno
            for node in body[1:]
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        ]
        assert not stray, f"{path.name}: bare strings at lines {stray}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _project_graph() -> dict[str, set[str]]:
    """Module -> project modules it imports, at any depth of the file (lazy imports too)."""
    paths = [
        p
        for package in ("explainers", "dashboard", "sample_data", "benchmarks")
        for p in _modules(package)
    ]
    names = {_module_name(p): p for p in paths}
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            for target in targets:
                while target and target not in names:  # an attribute: its module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    edges.add(target)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_cycle_finder_finds_a_planted_cycle():
    """Check that the cycle finder reports a cycle it is given, and none in a chain."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycles_in_the_project():
    """Check that no module imports, at any depth (lazy imports too), one that imports it back.

    A package's __init__ that re-exports its children is an edge like any other.
    """
    assert _cycles(_project_graph()) == []
