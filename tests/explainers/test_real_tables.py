"""Real public tables through the xai-explain contract, against their documentation.

The corpus and every expectation live in ``tests/real_tables.py``; each expectation
cites the dataset's own documentation. Each table is run once (``--rows 200``) and the
tests below read that run's ``summary.json`` and ``model.json``.
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from real_tables import TABLES, RealTable

from explainers import build_schema, read_table
from explainers.cli import main

EXCLUDED_AS_ID = {"identifier", "personal"}
EXCLUDED_AS_LEAK = {"leakage", "possible_leak"}


@dataclass(frozen=True)
class Outcome:
    """What one CLI run left behind."""

    rc: int
    stderr: str
    summary: dict
    feature_types: tuple[str, ...]

    def dropped(self) -> dict[str, str]:
        """Dropped column display name -> code."""
        return {d["name"]: d["code"] for d in self.summary.get("dropped_columns", [])}

    def where(self, column: str) -> str:
        """Where a column ended up, for failure messages."""
        if column in self.summary.get("features", []):
            return "a feature"
        if column in self.dropped():
            return f"dropped with code {self.dropped()[column]!r}"
        if column == self.summary.get("target"):
            return "the target"
        return "nowhere in the summary"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Each table run once through the CLI, on demand; keyed by table id."""
    cache: dict[str, Outcome] = {}

    def run(table: RealTable) -> Outcome:
        if table.id not in cache:
            folder = tmp_path_factory.mktemp(table.id)
            name, data = table.get()
            path = folder / name
            path.write_bytes(data)
            out = folder / "out"
            argv = [str(path), "--out", str(out), "--rows", "200", "--device", "cpu"]
            if table.target_given:
                argv += ["--target", table.target]
            stderr = io.StringIO()
            with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
                rc = main(argv)
            summary, types = {}, ()
            if rc == 0:
                summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
                model = json.loads((out / "model.json").read_text(encoding="utf-8"))
                types = tuple(model["learner"].get("feature_types") or ())
            cache[table.id] = Outcome(rc, stderr.getvalue(), summary, types)
        return cache[table.id]

    return run


def _ok(runs, table: RealTable) -> Outcome:
    outcome = runs(table)
    assert outcome.rc == 0, f"{table.id}: exit {outcome.rc}: {outcome.stderr.strip()[-400:]}"
    return outcome


def _with(attribute: str) -> list:
    return [pytest.param(t, id=t.id) for t in TABLES if getattr(t, attribute)]


ALL = [pytest.param(t, id=t.id) for t in TABLES]


def test_corpus_is_broad():
    """At least 18 real tables from at least 4 packages, with unique ids and a citation each."""
    assert len(TABLES) >= 18
    assert len({t.package for t in TABLES}) >= 4
    assert len({t.id for t in TABLES}) == len(TABLES)
    assert all(t.doc.strip() and t.task in {"binary", "multiclass", "regression"} for t in TABLES)


@pytest.mark.parametrize("table", ALL)
def test_target_and_task(runs, table):
    """The documented outcome is the target (guessed unless its name gives no clue)."""
    outcome = _ok(runs, table)
    summary = outcome.summary
    assert summary["target"] == table.target, (
        f"{table.id}: target {summary['target']!r}, the documentation says {table.target!r}"
    )
    assert summary["task"] == table.task
    assert table.target not in summary["features"]


@pytest.mark.parametrize("table", _with("survival"))
def test_time_to_event_tables_get_the_documented_pair(table):
    """A table whose documentation gives a follow-up time and an endpoint gets them suggested
    as the survival task's time and event (the app offers it; the user confirms the value)."""
    name, data = table.get()
    schema = build_schema(read_table(data, name=name), target=table.target)
    suggestion = schema.survival_suggestion
    assert suggestion is not None, f"{table.id}: no time/event pair suggested"
    pair = (suggestion.time_display, suggestion.event_display)
    assert pair == table.survival, f"{table.id}: suggested {pair}, documented {table.survival}"
    assert suggestion.event_value is None  # every documented endpoint here is coded 1


def test_gbsg2_survival_counts_the_documented_events(tmp_path):
    """GBSG2 as survival with the pair it recognises: 'recurrence free survival, which
    occurred for 299 patients (43.6%)' (sksurv.datasets.load_gbsg2), not the 387 censored."""
    table = next(t for t in TABLES if t.id == "ss_gbsg2")
    name, data = table.get()
    (tmp_path / name).write_bytes(data)
    out = tmp_path / "out"
    argv = [str(tmp_path / name), "--task", "survival", "--out", str(out), "--device", "cpu"]
    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        assert main(argv) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["time"], summary["event"], summary["n_events"]) == ("time", "cens", 299)


@pytest.mark.parametrize("table", _with("identifiers"))
def test_identifiers_are_excluded(runs, table):
    """Documented identifiers (also when repeated per subject) are excluded as identifiers."""
    outcome = _ok(runs, table)
    wrong = {
        c: outcome.where(c)
        for c in table.identifiers
        if outcome.dropped().get(c) not in EXCLUDED_AS_ID
    }
    assert not wrong, f"{table.id}: identifiers not excluded as identifier/personal: {wrong}"


@pytest.mark.parametrize("table", _with("personal"))
def test_personal_data_is_excluded(runs, table):
    """Names of people are excluded as personal data."""
    outcome = _ok(runs, table)
    wrong = {c: outcome.where(c) for c in table.personal if outcome.dropped().get(c) != "personal"}
    assert not wrong, f"{table.id}: personal columns not excluded as personal: {wrong}"


@pytest.mark.parametrize("table", _with("not_personal"))
def test_not_personal_is_not_called_personal(runs, table):
    """A car model or a US state is not a person."""
    outcome = _ok(runs, table)
    wrong = [c for c in table.not_personal if outcome.dropped().get(c) == "personal"]
    assert not wrong, f"{table.id}: called personal data: {wrong}"


@pytest.mark.parametrize("table", _with("leaks"))
def test_post_outcome_columns_are_excluded(runs, table):
    """Follow-up time and cause of death, recorded at or after the outcome, are excluded."""
    outcome = _ok(runs, table)
    wrong = {
        c: outcome.where(c) for c in table.leaks if outcome.dropped().get(c) not in EXCLUDED_AS_LEAK
    }
    assert not wrong, f"{table.id}: post-outcome columns not excluded as leaks: {wrong}"
    for column in table.leaks:
        reason = next(
            d["reason"] for d in outcome.summary["dropped_columns"] if d["name"] == column
        )
        assert reason.strip(), f"{table.id}: {column} excluded without a reason"


@pytest.mark.parametrize("table", _with("excluded"))
def test_other_documented_exclusions(runs, table):
    """Constant columns and dates are excluded with a fitting code."""
    outcome = _ok(runs, table)
    wrong = {
        c: outcome.where(c) for c, codes in table.excluded if outcome.dropped().get(c) not in codes
    }
    assert not wrong, f"{table.id}: expected exclusions {dict(table.excluded)}; got {wrong}"


@pytest.mark.parametrize("table", _with("numeric_columns"))
def test_numeric_columns_are_read_as_numbers(runs, table):
    """Documented measurements stay features, and the model sees them as numbers."""
    outcome = _ok(runs, table)
    features = outcome.summary["features"]
    assert len(outcome.feature_types) == len(features), "model.json lacks feature_types"
    wrong = {}
    for column in table.numeric_columns:
        if column not in features:
            wrong[column] = outcome.where(column)
        elif outcome.feature_types[features.index(column)] == "c":
            wrong[column] = "read as a category"
    assert not wrong, f"{table.id}: not numeric features: {wrong}"


@pytest.mark.parametrize("table", _with("missing_tokens"))
def test_missing_tokens_are_reported(runs, table):
    """The reader says which cells it read as missing, per column."""
    outcome = _ok(runs, table)
    reading = outcome.summary.get("reading")
    assert isinstance(reading, dict), f"{table.id}: summary has no 'reading'"
    reported = {
        (m["column"], token) for m in reading.get("missing_tokens", []) for token in m["tokens"]
    }
    missing = [pair for pair in table.missing_tokens if pair not in reported]
    assert not missing, f"{table.id}: tokens not reported {missing}; reported {sorted(reported)}"


@pytest.mark.parametrize("table", ALL)
def test_a_near_perfect_score_is_questioned(runs, table):
    """Never a near-perfect score without a near_perfect_score warning."""
    outcome = _ok(runs, table)
    metrics = outcome.summary["metrics"]
    near_perfect = (
        (metrics.get("auc") is not None and metrics["auc"] >= 0.99)
        or metrics.get("accuracy") == 1
        or (metrics.get("r2") is not None and metrics["r2"] >= 0.98)
    )
    if near_perfect:
        codes = {w["code"] for w in outcome.summary.get("warnings", [])}
        assert "near_perfect_score" in codes, (
            f"{table.id}: metrics { ({k: v for k, v in metrics.items() if k != 'per_class'}) } "
            f"and no near_perfect_score warning (warnings: {sorted(codes)})"
        )


def test_registry_files_are_real():
    """Every getter yields a named, non-trivial file (the corpus itself can break)."""
    for table in TABLES:
        name, data = table.get()
        assert name and len(data) > 200, table.id
        assert table.target.encode() in data.splitlines()[0], f"{table.id}: target not in header"


def test_a_constant_outcome_named_as_such_stops(tmp_path: Path, capsys):
    """flchain cut to its survivors: `death` is constant, so the run stops and names it."""
    flchain = next(t for t in TABLES if t.id == "ss_flchain")
    _, data = flchain.get()
    lines = data.decode("utf-8").splitlines()
    death = lines[0].split(",").index("death")
    alive = [line for line in lines[1:] if line.split(",")[death] == "alive"]
    assert len(alive) > 1000
    path = tmp_path / "flchain_survivors.csv"
    path.write_text("\n".join([lines[0], *alive]) + "\n", encoding="utf-8")
    rc = main([str(path), "--out", str(tmp_path / "out"), "--rows", "200", "--device", "cpu"])
    err = capsys.readouterr().err
    assert rc == 2, f"exit {rc}; stderr: {err[-300:]}"
    assert "error:" in err and "death" in err, err
