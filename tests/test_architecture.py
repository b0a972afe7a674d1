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
    assert {"read_table", "build_schema", "train_model", "compute_shap", "explain_lime",
            "DataError", "ExplainerError"} <= set(names)


def test_modules_stay_small():
    """Check that no product module grows past 450 lines."""
    for package in ("explainers", "dashboard", "sample_data"):
        for path in _modules(package):
            assert len(path.read_text(encoding="utf-8").splitlines()) <= 450, path


def test_page_scripts_have_no_stray_strings():
    """Check that app.py and the pages hold no bare string past the docstring.

    (Magic would draw it.)
    """
    scripts = [ROOT / "dashboard" / "app.py", *sorted((ROOT / "dashboard" / "views").glob("*.py"))]
    for path in scripts:
        body = ast.parse(path.read_text(encoding="utf-8")).body
        stray = [node.lineno for node in body[1:]
                 if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)]
        assert not stray, f"{path.name}: bare strings at lines {stray}"
