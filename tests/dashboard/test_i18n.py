"""The English and Korean catalogs: complete, consistent, and covering every key the app uses.

Keys are found in the source (AST), and the values of every dynamic family
(``t(f"kind.{...}")`` and the like) come from the engine or the views that
produce them, so a new column kind, metric, error code or list added later
fails here until it is translated.
"""

from __future__ import annotations

import ast
import json
import re
import string
import typing
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from dashboard import i18n
from dashboard import text as session_text
from dashboard.display.narrative import Driver, Facts, format_value, summarize
from dashboard.display.thresholds import threshold_stats
from dashboard.safe_text import escape_md
from explainers import (
    REASON_TEXT,
    DataError,
    TrainingOptions,
    _profiling,
    _schema,
    _training,
    build_dataset,
    build_schema,
    evaluate_model,
    read_table,
    train_model,
)

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "dashboard"
EXPLAINERS = ROOT / "explainers"
LOCALES = DASHBOARD / "locales"
LANGS = ("en", "ko")

#: Chart labels whose placeholders the chart builders fill with ``str.replace``
#: (the ``t()`` call passes no parameters for them).
REPLACE_FILLED = {
    "chart.baseline": {"label"},
    "chart.missing_note": {"n_missing"},
    "chart.other_features": {"n"},
    "chart.other_values": {"n"},
    "chart.sample_note": {"n_shown", "n_total"},
}


# ----------------------------------------------------------------------------- helpers


def _load(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))
    return data


CATALOGS = {lang: _load(lang) for lang in LANGS}
EN, KO = CATALOGS["en"], CATALOGS["ko"]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _sources(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _text(node: ast.AST | None) -> str | None:
    """The value of a string constant node, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _translate_calls() -> Iterator[tuple[str, ast.Call, ast.expr]]:
    """Every ``t(...)`` / ``translate(...)`` call in dashboard/ with its key argument."""
    for path in _sources(DASHBOARD):
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.Call) or _call_name(node) not in ("t", "translate"):
                continue
            args = node.args[1:] if _call_name(node) == "translate" else node.args
            if args:
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node, args[0]


def _passed_params(call: ast.Call) -> set[str] | None:
    """Keyword names passed to a call; None when it passes ``**kwargs``."""
    if any(k.arg is None for k in call.keywords):
        return None
    return {k.arg for k in call.keywords if k.arg is not None}


def _texts(nodes: Iterable[ast.AST | None]) -> list[str]:
    """The values of the string constants among ``nodes``."""
    return [text for text in map(_text, nodes) if text is not None]


def _family_pattern(node: ast.JoinedStr) -> re.Pattern[str]:
    """``f"kind.{c.kind}"`` as the pattern ``kind\\.[^.]+``."""
    parts = [re.escape(text) if (text := _text(v)) is not None else r"[^.]+" for v in node.values]
    return re.compile("".join(parts))


def _namespaces() -> set[str]:
    return {key.split(".", 1)[0] for key in EN}


_FILE_NAME = re.compile(r"\.(py|json|png|csv)$")
"""``app.py`` looks like a key of the ``app`` namespace; file names are not keys."""


def _helper_keys() -> Iterator[tuple[str, str]]:
    """Key-like strings given to helpers (``page_header("data.title", ...)``, defaults)."""
    pattern = re.compile(rf"^(?:{'|'.join(map(re.escape, sorted(_namespaces())))})\.[A-Za-z0-9_]+$")
    for path in _sources(DASHBOARD):
        for node in ast.walk(_tree(path)):
            values: list[ast.expr | None] = []
            if isinstance(node, ast.Call) and _call_name(node) not in ("t", "translate"):
                values = [*node.args, *(k.value for k in node.keywords)]
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                values = [*node.args.defaults, *node.args.kw_defaults]
            else:
                continue
            for value in _texts(values):
                if pattern.match(value) and not _FILE_NAME.search(value):
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", value


def _error_sites() -> dict[str, list[set[str]]]:
    """Error code to the parameter names passed at each raise site in explainers/."""
    sites: dict[str, list[set[str]]] = {}
    for path in _sources(EXPLAINERS):
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.Call):
                continue
            code = _text(next((k.value for k in node.keywords if k.arg == "code"), None))
            if code is not None:
                params = {k.arg for k in node.keywords if k.arg is not None and k.arg != "code"}
                sites.setdefault(code, []).append(params)
    return sites


def _module_lists(path: Path, suffix: str) -> list[str]:
    """String items of module-level list constants whose names end with ``suffix``."""
    found: list[str] = []
    for node in _tree(path).body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.List)
            and any(isinstance(t, ast.Name) and t.id.endswith(suffix) for t in node.targets)
        ):
            found += _texts(node.value.elts)
    return found


def _missing(values: Iterable[str], prefix: str = "", suffix: str = "") -> list[str]:
    """The keys ``prefix + value + suffix`` that the catalog lacks."""
    return sorted(key for key in (f"{prefix}{v}{suffix}" for v in values) if key not in EN)


# ----------------------------------------------------------------------------- the catalogs


def test_catalogs_have_the_same_keys():
    """Check that the English and Korean catalogs have exactly the same keys."""
    assert sorted(set(EN) - set(KO)) == [], "missing in ko.json"
    assert sorted(set(KO) - set(EN)) == [], "missing in en.json"


def test_catalog_files_are_sorted_flat_objects():
    """Check that each catalog file is a flat object of strings with its keys sorted."""
    for lang, data in CATALOGS.items():
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()), lang
        assert list(data) == sorted(data), f"{lang}.json keys are not sorted"


def test_catalogs_load_through_the_package():
    """Check that dashboard.i18n reads the same catalogs and translates from them."""
    for lang in LANGS:
        assert i18n.catalog(lang) == CATALOGS[lang]
    assert i18n.translate("ko", "nav.data") == KO["nav.data"] != "nav.data"
    assert i18n.translate("en", "common.row_n", n="7") == EN["common.row_n"].format(n="7")


def test_placeholders_are_the_same_in_both_languages():
    """Check that each key has the same set of {placeholders} in English and Korean."""
    differ = {
        key: (_fields(EN[key]), _fields(KO[key]))
        for key in EN.keys() & KO.keys()
        if _fields(EN[key]) != _fields(KO[key])
    }
    assert differ == {}


def test_templates_are_valid_format_strings():
    """Check that every template parses with str.format and uses only named fields."""
    for lang, data in CATALOGS.items():
        for key, template in data.items():
            fields = list(string.Formatter().parse(template))  # raises on a stray brace
            for _, name, spec, conversion in fields:
                if name is not None:
                    assert name.isidentifier(), (lang, key, name)
                    assert not spec and not conversion, (lang, key, "params arrive as text")


def test_no_value_is_empty():
    """Check that no template is empty or only whitespace."""
    for lang, data in CATALOGS.items():
        assert [k for k, v in data.items() if not v.strip()] == [], lang


def test_korean_catalog_is_translated():
    """Check that most Korean values with letters contain Hangul (not left in English)."""
    hangul = re.compile(r"[\uac00-\ud7a3]")
    with_letters = []
    for key, value in KO.items():
        text = re.sub(r"\{[^}]*\}|`[^`]*`", "", value)
        if re.search(r"[A-Za-z\uac00-\ud7a3]", text):
            with_letters.append((key, bool(hangul.search(text))))
    share = sum(ok for _, ok in with_letters) / len(with_letters)
    assert share > 0.9, [k for k, ok in with_letters if not ok]
    same = [
        k
        for k in EN
        if EN[k] == KO[k]
        and hangul.search(KO[k]) is None
        and re.search(r"[a-z]{4,}", re.sub(r"\{[^}]*\}", "", EN[k]))
    ]
    assert same == [], "English words left untranslated in ko.json"


def test_templates_are_safe_for_streamlit_markdown():
    """Check that no template holds LaTeX dollars or HTML, and emphasis and code marks pair up."""
    for lang, data in CATALOGS.items():
        for key, value in data.items():
            assert "$" not in value, (lang, key)
            assert not re.search(r"<[A-Za-z/!]", value), (lang, key)
            assert "~" not in value, (lang, key)
            assert value.count("**") % 2 == 0, (lang, key)
            assert value.count("`") % 2 == 0, (lang, key)


def test_points_unit_reads_as_percentage_points():
    """Check that unit.points gives "+21 points" in English and "+21%p" in Korean."""
    assert i18n.translate("en", "unit.points", value="+21") == "+21 points"
    assert i18n.translate("ko", "unit.points", value="+21") == "+21%p"


# ----------------------------------------------------------------------------- keys used in code


def test_source_scan_finds_the_calls():
    """Check that the AST scan sees the app's t() calls, so the key tests cannot pass empty."""
    static = _texts(arg for _, _, arg in _translate_calls())
    dynamic = [arg for _, _, arg in _translate_calls() if isinstance(arg, ast.JoinedStr)]
    assert len(static) > 150 and len(dynamic) > 10
    assert len(list(_helper_keys())) > 10


def test_every_static_key_exists():
    """Check that every t("...") / translate(lang, "...") key in dashboard/ is in the catalog."""
    missing = [
        f"{where}: {key}"
        for where, _, arg in _translate_calls()
        if (key := _text(arg)) is not None and key not in EN
    ]
    assert missing == []


def test_every_key_given_to_a_helper_exists():
    """Check that keys handed to helpers (page_header, output_selector, downloads) exist."""
    assert [f"{where}: {key}" for where, key in _helper_keys() if key not in EN] == []


def test_every_dynamic_family_has_templates():
    """Check that each f-string key family used with t() matches at least one catalog key."""
    missing = []
    for where, _, arg in _translate_calls():
        if isinstance(arg, ast.JoinedStr):
            pattern = _family_pattern(arg)
            if not any(pattern.fullmatch(key) for key in EN):
                missing.append(f"{where}: {ast.unparse(arg)}")
    assert missing == []


def test_calls_pass_every_placeholder_their_template_needs():
    """Check that each t()/translate() call passes all the {placeholders} of its template(s)."""
    problems = []
    static = set(_texts(arg for _, _, arg in _translate_calls()))
    for where, call, arg in _translate_calls():
        passed = _passed_params(call)
        if passed is None:
            continue
        if (key := _text(arg)) is not None:
            keys = [key] if key in EN else []
        elif isinstance(arg, ast.JoinedStr):
            pattern = _family_pattern(arg)
            keys = [key for key in EN if pattern.fullmatch(key) and key not in static]
        else:
            continue
        for key in keys:
            needed = _fields(EN[key])
            if not passed and key in REPLACE_FILLED:
                continue
            if passed and needed - passed or not passed and needed:
                problems.append(f"{where}: {key} needs {sorted(needed)}, gets {sorted(passed)}")
    for where, key in _helper_keys():
        if key in EN and _fields(EN[key]):
            problems.append(f"{where}: {key} is given to a helper that passes no parameters")
    assert problems == []


def test_replace_filled_chart_labels_keep_their_placeholders():
    """Check that chart labels filled by str.replace keep the placeholders the charts fill."""
    for key, fields in REPLACE_FILLED.items():
        assert _fields(EN[key]) == fields, key


# ----------------------------------------------------------------------------- dynamic families


def test_column_kinds_roles_and_reasons_are_translated():
    """Check that every column kind, role and exclusion reason of the profiler has a label."""
    reasons = set(REASON_TEXT) | set(typing.get_args(_profiling.Reason))
    assert _missing(typing.get_args(_profiling.Kind), "kind.") == []
    assert _missing(typing.get_args(_profiling.Role), "role.") == []
    assert _missing(reasons, "reason.") == []


def test_tasks_and_task_choices_are_translated():
    """Check that every task and task choice of the schema has a label."""
    assert _missing(typing.get_args(_schema.Task), "task.") == []
    assert _missing(typing.get_args(_schema.TaskChoice), "task_choice.") == []
    assert _missing(_module_lists(DASHBOARD / "views" / "data.py", "TASKS"), "task_choice.") == []


def test_class_weight_choices_are_translated():
    """Check that every class-weight mode of the trainer has a label."""
    assert _missing(typing.get_args(_training.ClassWeight), "model.class_weight_") == []


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def _evaluated_metrics() -> tuple[set[str], set[str]]:
    """Overall and per-class metric names the engine computes for each task (tiny models)."""
    rng = np.random.default_rng(0)
    n = 120
    x = rng.normal(size=(n, 2))
    frames = {
        "binary": np.where(x[:, 0] > 0, "yes", "no"),
        "multiclass": np.digitize(x[:, 0], [-0.5, 0.5]).astype(str),
        "regression": 2 * x[:, 0] + x[:, 1],
    }
    overall: set[str] = set()
    per_class: set[str] = set()
    for task, y in frames.items():
        frame = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "y": y})
        table = read_table(_csv(frame), name="t.csv")
        schema = build_schema(table, target="y", task=task)  # type: ignore[arg-type]
        dataset = build_dataset(table, schema)
        model = train_model(dataset, options=TrainingOptions(n_estimators=5))
        evaluation = evaluate_model(model, dataset)
        overall |= set(evaluation.metrics)
        per_class |= {name for values in evaluation.per_class.values() for name in values}
    return overall, per_class


def test_every_metric_has_a_label_and_help():
    """Check that each metric of the engine, the threshold view and the Model page is translated."""
    overall, per_class = _evaluated_metrics()
    threshold = set(threshold_stats(np.array([0, 1]), np.array([0.2, 0.8]), 0.5))
    shown = set(_module_lists(DASHBOARD / "views" / "model.py", "_METRICS"))
    assert shown, "the Model page's metric lists were not found"
    with_help = overall | threshold | shown
    assert _missing(with_help | per_class, "metric.") == []
    assert _missing(with_help, "metric.", "_help") == []


def _progress_stages() -> set[str]:
    """Stage names passed as the last argument of progress/report callbacks."""
    stages: set[str] = set()
    for path in [*_sources(EXPLAINERS), *_sources(DASHBOARD / "services")]:
        for node in ast.walk(_tree(path)):
            if (
                isinstance(node, ast.Call)
                and _call_name(node) in ("progress", "report")
                and len(node.args) == 3
            ):
                stages |= set(_texts(node.args[2:]))
    return stages


def test_every_progress_stage_is_translated():
    """Check that each stage name the engine and services report has a progress message."""
    stages = _progress_stages()
    assert {"training", "shap"} <= stages
    assert _missing(stages, "progress.") == []


def test_row_lists_and_modes_are_translated():
    """Check that every row-chooser mode and every row list of every task has a label."""
    from dashboard.views import _rows

    tasks = typing.get_args(_schema.Task)
    kinds = {k for task in tasks for k in _rows.list_kinds(SimpleNamespace(task=task))}  # type: ignore[arg-type]
    assert _missing(kinds, "rows.list_") == []
    assert _missing(_rows.MODES, "rows.mode_") == []


def test_export_chart_names_are_translated():
    """Check that every chart the Export page offers has a translated name."""
    path = DASHBOARD / "views" / "export.py"
    names: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.FunctionDef) and node.name == "_chart_figures":
            tuples = [item for item in ast.walk(node) if isinstance(item, ast.Tuple)]
            names |= set(_texts(item.elts[0] for item in tuples if item.elts))
    assert names, "the Export page's chart list was not found"
    assert _missing(names, "export.chart_") == []


def _table_warning_codes() -> set[str]:
    """Warning codes a Table can carry: reader notes, decoder notes, renaming checks."""
    codes: set[str] = set()
    for name in ("_io/reading.py", "_io/decoding.py", "_io/column_names.py"):
        for node in ast.walk(_tree(EXPLAINERS / name)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and ast.unparse(node.func) == "notes.append"
            ):
                codes |= set(_texts(node.args[:1]))
            elif (
                isinstance(node, ast.Return)
                and isinstance(node.value, ast.Tuple)
                and len(node.value.elts) == 3
                and isinstance(node.value.elts[2], ast.Tuple)
            ):
                codes |= set(_texts(node.value.elts[2].elts))
            elif (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Dict)
                and any(isinstance(t, ast.Name) and t.id == "checks" for t in node.targets)
            ):
                codes |= set(_texts(node.value.keys))
    return codes


def test_table_warnings_are_translated():
    """Check that every Table.warnings code has a message under table_warning."""
    codes = _table_warning_codes()
    assert {"empty_columns_dropped", "duplicate_column_names", "encoding_guessed"} <= codes
    assert _missing(codes, "table_warning.") == []


def test_units_of_the_samples_format_in_both_languages():
    """Check that every unit of the bundled data dictionaries formats with its value."""
    units = set()
    for path in (ROOT / "sample_data").glob("*.json"):
        for column in json.loads(path.read_text(encoding="utf-8")).get("columns", {}).values():
            if column.get("unit"):
                units.add(column["unit"])
    assert units
    for lang in LANGS:
        for unit in units:
            text = format_value(12.5, unit, lang)  # type: ignore[arg-type]
            assert "12.5" in text and "{" not in text, (lang, unit, text)
    for key in EN:
        if key.startswith("unit_value.") and key != "unit_value.default":
            assert _fields(EN[key]) == {"value"}, key
    assert _fields(EN["unit_value.default"]) == {"value", "unit"}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
@pytest.mark.parametrize("prediction", [0.8, 0.4, 0.401])
def test_narrative_uses_only_catalog_text(lang, task, prediction):
    """Check that the plain-language summary has every sentence it can need, in each direction."""
    drivers = [
        Driver("age", 67.0, "years", 0.2),
        Driver("sex", "F", None, -0.1),
        Driver("bmi", None, "kg/m²", 0.05),
    ]
    facts = Facts(
        task,
        "outcome",
        prediction,
        0.4,
        drivers,
        label="yes",
        top_label="other" if task == "multiclass" else None,
        top_probability=0.5 if task == "multiclass" else None,
    )
    text = summarize(facts, lang)
    assert "narrative." not in text and "unit." not in text and "{" not in text, text
    empty = summarize(Facts(task, "outcome", 0.4, 0.4, [], label="yes"), lang)
    assert "narrative." not in empty and "{" not in empty, empty


# ----------------------------------------------------------------------------- engine errors


def _codes_by_regex() -> set[str]:
    found: set[str] = set()
    for path in _sources(EXPLAINERS):
        found |= set(re.findall(r"\bcode\s*=\s*[\"']([A-Za-z0-9_]+)[\"']", path.read_text("utf-8")))
    return found


def test_every_error_code_has_a_message():
    """Check that each code="..." raised in explainers/ has an error.<code> message."""
    codes = set(_error_sites())
    assert codes == _codes_by_regex(), "the AST and regex scans disagree"
    assert len(codes) > 20
    assert _missing(codes, "error.") == []
    assert {"error.generic_with_detail", "error.unexpected"} <= set(EN)


def test_error_messages_need_only_params_every_raise_site_passes():
    """Check that no error message needs a parameter that some raise site of its code leaves out."""
    problems = []
    for code, sites in _error_sites().items():
        key = f"error.{code}"
        if key not in EN:
            continue
        always = set.intersection(*sites)
        for lang in LANGS:
            extra = _fields(CATALOGS[lang][key]) - always
            if extra:
                problems.append(f"{lang} {key}: {sorted(extra)} not passed at every raise site")
    assert problems == []


@pytest.mark.parametrize("lang", LANGS)
def test_error_message_fills_every_code(lang):
    """Check that error_message gives a filled, translated text for each code and its params."""
    for code, sites in _error_sites().items():
        for params in sites:
            error = DataError("English message", code=code, **{p: f"v_{p}" for p in params})
            text = i18n.error_message(error, lang)
            expected = {p: escape_md(f"v_{p}") for p in params}
            assert text == i18n.translate(lang, f"error.{code}", **expected), code
            assert "{" not in text and "English message" not in text, (code, text)


def test_unknown_error_code_falls_back_to_the_generic_message():
    """Check that an unknown error code gives the generic message with the English detail."""
    text = i18n.error_message(DataError("Plain detail", code="no_such_code"), "ko")
    assert text.startswith(KO["error.generic_with_detail"].split("{")[0])
    assert "Plain detail" in text


def test_units_read_in_korean_on_charts(monkeypatch):
    """Check that a data-dictionary unit is written the Korean way, in the session's language
    too. Unknown units pass through."""
    assert i18n.unit_label("ko", "years") == KO["unit_name.years"] == "세"
    assert i18n.unit_label("en", "years") == EN["unit_name.years"]
    assert i18n.unit_label("ko", "mg/dL") == "mg/dL"
    assert i18n.unit_label("ko", None) is None
    monkeypatch.setattr(session_text, "current_lang", lambda: "ko")
    assert session_text.unit_label("years") == "세"


@pytest.mark.parametrize(
    ("value", "shown"),
    [(2.1e-06, "2.1e-06"), (-0.00046, "-0.00046"), (0.0006, "0.001"), (0.5, "0.500"), (0, "0")],
)
def test_tiny_numbers_keep_their_digits(value, shown):
    """Check that a number too small for 3 decimals (an RMSE of a target in micro-units) is
    shown with 3 significant digits, as Python's ``g`` format writes it, not as 0.000."""
    from dashboard.i18n import fmt_number

    assert fmt_number(value) == shown
