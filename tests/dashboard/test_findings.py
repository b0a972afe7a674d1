"""The Data and Model pages on messy real-world-like tables: how the file was read, workbook
sheets, leaks with their figures, a too-good score, the target guess, one-click fixes.

Expectations come from how each synthetic table was built (its known truth), not from
the app's own output.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from synthetic_tables import N_DOTS, messy_clinic_frame

from dashboard import findings, report
from dashboard import text as session_text
from dashboard.state import PENDING_UPLOAD_KEY
from dashboard.views._common import short_key

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
TIMEOUT = 240
HANGUL = re.compile(r"[가-힣]")


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("utf-8")


def _app(name: str, data: bytes, lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = lang
    at.session_state[PENDING_UPLOAD_KEY] = (name, data)
    return at.run()


def _clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _warnings(at: AppTest) -> str:
    return "\n".join(w.value for w in at.warning)


def _frames(at: AppTest) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe]


def _metric(at: AppTest, label: str) -> str:
    return str(next(m.value for m in at.metric if m.label == label))


@pytest.fixture(scope="module")
def messy() -> pd.DataFrame:
    """The messy table (built once)."""
    return messy_clinic_frame()


def _include_key(column: str) -> str:
    return f"w_include_{short_key(column)}"


def test_data_page_shows_the_leak_with_its_figure_and_one_click_includes_it(messy):
    """Check that a threshold leak is named with AUC 1.000 (also in the roles table), and its
    Include button makes it a feature, after which the model is near perfect and says so."""
    from sklearn.metrics import roc_auc_score

    truth = roc_auc_score(messy["outcome"] == "yes", messy["lab_marker"])
    assert truth == 1.0  # built to separate the classes: any held-out AUC is 1.000 too
    at = _app("messy.csv", _csv(messy))
    _clean(at)
    warnings = _warnings(at)
    assert "**lab\\_marker** (AUC 1.000)" in warnings, warnings
    assert "Possible leak" in warnings and "**followup\\_days**" in warnings, warnings
    assert "Too good to be true" not in warnings  # the leak is out: the model is honest
    roles = next(f for f in _frames(at) if "why" in f.columns).set_index("column")
    assert "AUC 1.000 on held-out rows" in roles.loc["lab_marker", "why"]
    assert roles.loc["lab_marker", "role"] == "Excluded"
    flagged = {"patient_id", "lab_marker", "followup_days"}  # ID, leak, after the outcome
    keys = {b.key for b in at.button if b.key and b.key.startswith("w_include_")}
    assert keys == {_include_key(c) for c in flagged}, keys
    features = int(_metric(at, "Features"))
    at.button(_include_key("lab_marker")).click().run()
    _clean(at)
    assert int(_metric(at, "Features")) == features + 1
    roles = next(f for f in _frames(at) if "why" in f.columns).set_index("column")
    assert roles.loc["lab_marker", "role"] == "Feature"
    warnings = _warnings(at)
    assert "(AUC 1.000)" not in warnings
    assert "Too good to be true" in warnings and "lab\\_marker" in warnings, warnings
    at.switch_page("views/model.py").run()  # the choice sticks across pages
    _clean(at)
    assert "Too good to be true" in _warnings(at)
    assert float(_metric(at, "AUC")) >= 0.99
    at.switch_page("views/data.py").run()
    assert int(_metric(at, "Features")) == features + 1


def test_reading_section_lists_markers_and_conversions(messy):
    """Check that "How the file was read" names the "." marker with its count, the money
    column read as numbers with its currency sign taken off and the percent column read as
    percent, and that the values are the ones typed."""
    at = _app("messy.csv", _csv(messy))
    _clean(at)
    assert any(x.label == "How the file was read" for x in at.expander)
    missing = next(f for f in _frames(at) if "Markers" in f.columns).set_index("Column")
    assert missing.loc["blood_pressure", "Markers"] == "“.”"
    assert missing.loc["blood_pressure", "Cells"] == str(N_DOTS)
    converted = next(f for f in _frames(at) if "How" in f.columns).set_index("Column")
    how = converted.loc["charges", "How"]
    assert "currency sign removed" in how and "thousands separators removed" in how, how
    assert converted.loc["copay_share", "How"] == "read as percent: 45% → 45"
    preview = next(f for f in _frames(at) if "charges" in f.columns and "outcome" in f.columns)
    expected = messy["charges"].str.replace(r"[$,]", "", regex=True).astype(float)
    assert np.allclose(preview["charges"].to_numpy(), expected.head(len(preview)).to_numpy())
    shares = messy["copay_share"].str.rstrip("%").astype(float).head(len(preview))
    assert np.array_equal(preview["copay_share"].to_numpy(), shares.to_numpy())
    assert int(preview["blood_pressure"].isna().sum()) == int(
        (messy["blood_pressure"].head(len(preview)) == ".").sum()
    )


def test_korean_data_page_translates_findings_and_reading(messy):
    """Check that the findings, the flagged columns and the reading section are in Korean."""
    at = _app("messy.csv", _csv(messy), lang="ko")
    _clean(at)
    warnings = _warnings(at)
    assert "정보 누설" in warnings and "AUC 1.000" in warnings, warnings
    assert "누설 가능성" in warnings
    assert any(x.label == "파일을 읽은 방법" for x in at.expander)
    labels = {b.label for b in at.button if b.key and b.key.startswith("w_include_")}
    assert labels == {"포함"}


def _separable_pair(n: int = 1500, seed: int = 4) -> pd.DataFrame:
    """``a + b > 1`` decides the outcome exactly; each alone only partly (AUC about 0.83);
    ``c`` and ``d`` are noise."""
    rng = np.random.default_rng(seed)
    a, b, c, d = rng.uniform(size=(4, n))
    return pd.DataFrame(
        {"a": a, "b": b, "c": c, "d": d, "outcome": np.where(a + b > 1, "pos", "neg")}
    )


def test_model_page_warns_of_a_near_perfect_score():
    """Check that two columns that together decide the label give a near-perfect warning on
    the Model page naming both, while neither alone is excluded as a leak."""
    from sklearn.metrics import roc_auc_score

    frame = _separable_pair()
    alone = [roc_auc_score(frame["outcome"] == "pos", frame[c]) for c in ("a", "b")]
    assert max(alone) < 0.9  # neither is a leak by itself
    at = _app("pair.csv", _csv(frame))
    _clean(at)
    assert int(_metric(at, "Features")) == 4  # nothing excluded
    at.switch_page("views/model.py").run()
    _clean(at)
    warnings = _warnings(at)
    assert "Too good to be true" in warnings, warnings
    assert "**a**" in warnings and "**b**" in warnings, warnings
    assert "One column dominates" not in warnings  # two equal drivers share the importance
    assert at.warning[0].value.startswith("**Too good")  # near the top of the page


def _workbook(n: int = 300) -> tuple[bytes, pd.DataFrame, pd.DataFrame]:
    """A note sheet first, the table on "Data" under a title and a blank row (header on row
    3), and a smaller table on "Other"."""
    from openpyxl import Workbook

    rng = np.random.default_rng(2)
    x = rng.normal(size=n)
    data = pd.DataFrame(
        {
            "age": rng.integers(20, 90, n),
            "x": x.round(3),
            "group": rng.choice(["a", "b", "c"], n),
            "outcome": np.where(x + rng.normal(0, 0.5, n) > 0, "yes", "no"),
        }
    )
    other = pd.DataFrame(
        {
            "dose": rng.uniform(1, 5, 120).round(2),
            "weight": rng.normal(70, 9, 120).round(1),
            "response": rng.choice(["good", "poor"], 120),
        }
    )
    book = Workbook()
    notes = book.active
    notes.title = "Notes"
    for line in ("Trial export", "Exported by the data team", "Do not edit"):
        notes.append([line])
    sheet = book.create_sheet("Data")
    sheet.append(["Study table, all sites"])
    sheet.append([])
    for row in [list(data.columns), *data.itertuples(index=False)]:
        sheet.append([v.item() if hasattr(v, "item") else v for v in row])
    extra = book.create_sheet("Other")
    for row in [list(other.columns), *other.itertuples(index=False)]:
        extra.append([v.item() if hasattr(v, "item") else v for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), data, other


def test_workbook_reads_the_fullest_sheet_and_the_picker_switches_sheets():
    """Check that the sheet with the table (not the note sheet first) is read, its header row
    (3, under a title) found, and that the sheet picker and header row reach the reader."""
    content, data, other = _workbook()
    at = _app("trial.xlsx", content)
    _clean(at)
    assert _metric(at, "Rows") == f"{len(data):,}"
    assert _metric(at, "Columns") == str(len(data.columns))
    text = "\n".join(m.value for m in at.markdown)
    assert "Sheet read: **Data**, chosen as the sheet with the most data" in text, text
    assert "row 3 of the sheet; the rows above it" in text
    assert at.selectbox(key="w_sheet").options == ["Notes", "Data", "Other"]
    assert at.number_input(key="w_header_row").value == 3
    at.selectbox(key="w_sheet").select("Other").run()
    _clean(at)
    assert _metric(at, "Rows") == f"{len(other):,}"
    assert _metric(at, "Columns") == str(len(other.columns))
    assert "Sheet read: **Other**, as you chose" in "\n".join(m.value for m in at.markdown)
    at.switch_page("views/model.py").run()  # the choice sticks for the session
    at.switch_page("views/data.py").run()
    assert _metric(at, "Rows") == f"{len(other):,}"
    at.selectbox(key="w_sheet").select("Data").run()
    at.number_input(key="w_header_row").set_value(4).run()  # the first data row as header
    _clean(at)
    assert _metric(at, "Rows") == f"{len(data) - 1:,}"
    at.number_input(key="w_header_row").set_value(900).run()  # past the last row
    assert not at.exception
    assert "cannot be the header row" in at.error[0].value
    at.button(key="w_reading_reset").click().run()
    _clean(at)
    assert _metric(at, "Rows") == f"{len(data):,}"


def _churn(n: int = 500, seed: int = 0) -> pd.DataFrame:
    """``churn`` is driven by ``x``; ``status`` is an unrelated account state."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return pd.DataFrame(
        {
            "tenure": rng.integers(1, 70, n),
            "contract": rng.choice(["month", "year"], n),
            "x": x,
            "churn": np.where(rng.random(n) < 1 / (1 + np.exp(-2 * x)), "Yes", "No"),
            "status": rng.choice(["active", "paused"], n),
        }
    )


def test_target_guess_says_why_and_offers_the_next_candidates():
    """Check that the guess (churn, a specific outcome word, over the generic status) says
    why, and that a candidate button makes another column the target: status was drawn at
    random, so the model trained on it finds no signal, while churn follows x."""
    at = _app("churn.csv", _csv(_churn()))
    _clean(at)
    assert any(m.value == "Target: **churn** (guessed)" for m in at.markdown) or any(
        "**churn**" in m.value and m.value.startswith("Target:") for m in at.markdown
    )
    guess = next(m.value for m in at.markdown if "was guessed" in m.value)
    assert "from its name" in guess
    at.switch_page("views/model.py").run()
    _clean(at)
    assert float(_metric(at, "AUC")) > 0.75
    at.switch_page("views/data.py").run()
    buttons = {b.label: b for b in at.button if b.key and b.key.startswith("w_target_")}
    assert "Use status as the target" in buttons, list(buttons)
    buttons["Use status as the target"].click().run()
    _clean(at)
    assert any(m.value == "Target: **status**" for m in at.markdown)
    at.switch_page("views/model.py").run()
    _clean(at)
    assert float(_metric(at, "AUC")) < 0.65


def test_empty_named_outcome_stops_with_a_translated_error():
    """Check that an empty column named "outcome" gives the Korean message naming it."""
    frame = _separable_pair(n=200)
    frame["outcome"] = ""
    at = _app("empty.csv", _csv(frame), lang="ko")
    assert not at.exception
    message = at.error[0].value
    assert "outcome" in message and HANGUL.search(message), message


# ----------------------------------------------------------------------------- texts


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_every_finding_code_reads_in_both_languages(lang, monkeypatch):
    """Check that each finding code and parameter gives a filled sentence in each language."""
    from explainers import Finding

    monkeypatch.setattr(session_text, "current_lang", lambda: lang)
    cases = (
        [
            Finding("target_guess", "", ("y",), {"reason": r})
            for r in ("named", "shape", "last_column", "model")
        ]
        + [
            Finding("target_skipped", "", ("y",), {"why": w})
            for w in ("constant_target", "rare_class", "too_few_rows", "something_new")
        ]
        + [
            Finding("small_target_scale", "", ("level",), {"spread": 2.3e-05}),
            Finding("possible_leak", "", ("futime", "death_date")),
            Finding("leakage", "", tuple(f"c{i}" for i in range(7))),
            Finding("near_perfect_score", "", ("a", "b"), {"metric": "R²", "score": 0.991}),
            Finding("dominant_feature", "", ("a",), {"share": 0.72}),
            Finding("numbers_with_text", "", ("crp", "hb"), {"shares": {"crp": 0.873}}),
            Finding(
                "long_category_values", "", ("note",), {"cells": {"note": 3}, "max_chars": 1000}
            ),
        ]
    )
    for finding in cases:
        text = findings.finding_text(finding)
        assert text and "{" not in text, finding
        assert lang == "en" or HANGUL.search(text), text
    long_text = findings.finding_text(cases[-1])
    assert "1,000" in long_text and ("cells: 3" if lang == "en" else "3칸") in long_text
    assert "87%" in findings.finding_text(cases[-2]) and "**hb**" in findings.finding_text(
        cases[-2]
    )
    assert "72%" in findings.finding_text(cases[-3])
    assert "0.991" in findings.finding_text(cases[-4])
    assert ("2 more" if lang == "en" else "2개") in findings.finding_text(cases[-5])
    small = next(f for f in cases if f.code == "small_target_scale")
    assert "2.3e-05" in findings.finding_text(small) and "**level**" in findings.finding_text(small)


def test_report_lists_the_findings_escaped():
    """Check that the HTML report carries the findings, as text, before the charts."""
    import plotly.graph_objects as go

    lines = [findings.plain_text("**Leak.** **a\\_b** (AUC 1.000) <script>")]
    assert lines == ["Leak. a_b (AUC 1.000) <script>"]
    page = report.charts_html(
        "T", [("chart", go.Figure())], findings=lines, findings_title="Check"
    ).decode()
    assert "<li>Leak. a_b (AUC 1.000) &lt;script&gt;</li>" in page
    assert page.index("Check") < page.index("chart")


@pytest.mark.parametrize(
    ("lang", "words"), [("en", "Numbers read as categories"), ("ko", "숫자가 범주로")]
)
def test_data_page_says_which_columns_of_numbers_were_read_as_categories(lang, words):
    """Check that a lab column of numbers with '<5' and words is named on the Data page with
    its share of numbers, in the user's language."""
    rng = np.random.default_rng(4)
    n = 240
    crp = [f"{v:.1f}" for v in rng.gamma(2.0, 8.0, n)]
    crp[::6] = ["<5", "pending", "see note", ">100"] * (len(crp[::6]) // 4)
    frame = pd.DataFrame({"age": rng.integers(20, 90, n), "crp": crp})
    frame["outcome"] = rng.choice(["yes", "no"], n)
    at = _app("labs.csv", _csv(frame), lang=lang)
    assert not at.exception
    warnings = _warnings(at)
    assert words in warnings and "crp" in warnings and "83%" in warnings, warnings
