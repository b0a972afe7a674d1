"""The target a person would guess, identifiers by name, personal data by content, workbooks."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from synthetic_tables import FIRST_NAMES, to_csv_bytes

from explainers import DataError, build_schema, read_table
from explainers.cli import main


def _schema(frame: pd.DataFrame, **kwargs):
    return build_schema(read_table(to_csv_bytes(frame), name="t.csv"), **kwargs)


def _churn(n: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 72, n)
    churn = np.where(rng.random(n) < 1 / (1 + np.exp((tenure - 20) / 10)), "Yes", "No")
    return pd.DataFrame(
        {
            "customer_id": [f"{i:04d}-ABCD" for i in range(n)],
            "gender": rng.choice(["Male", "Female"], n),
            "phone_service": rng.choice(["Yes", "No"], n),
            "tenure": tenure,
            "churn": churn,
            "monthly_charges": rng.normal(65, 20, n).round(2),
            "total_charges": (tenure * rng.normal(65, 20, n)).round(2),
        }
    )


def test_a_named_outcome_beats_the_last_column():
    """Check that 'churn' is the target, not the numeric last column, and why is said."""
    schema = _schema(_churn())
    assert schema.display_names[schema.target] == "churn"
    assert schema.task == "binary" and schema.target_reason == "named"
    guess = next(f for f in schema.findings if f.code == "target_guess")
    assert guess.columns[0] == "churn"


def test_yes_no_service_columns_and_categories_named_name_are_features():
    """Check that phone_service (Yes/No) and clinic_name (4 clinics) are not personal data."""
    frame = _churn()
    frame["clinic_name"] = np.random.default_rng(1).choice(
        ["North Clinic", "South Clinic", "East Clinic", "West Clinic"], len(frame)
    )
    schema = _schema(frame)
    assert schema.column("phone_service").kind == "boolean"
    assert {"phone_service", "clinic_name", "gender"} <= set(schema.features)
    assert schema.column("customer_id").reason == "identifier"


def test_person_names_and_phone_numbers_are_personal_by_content():
    """Check that real-looking names and phone numbers are personal data."""
    rng = np.random.default_rng(2)
    n = 200
    frame = pd.DataFrame(
        {
            "patient_name": [
                f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {chr(65 + i % 26)}{'ark' if i % 2 else 'im'}"
                for i in range(n)
            ],
            "contact_phone": [f"+82 10-{1000 + i:04d}-{5000 + 3 * i:04d}" for i in range(n)],
            "x": rng.normal(size=n),
            "outcome": rng.integers(0, 2, n),
        }
    )
    schema = _schema(frame)
    assert schema.column("patient_name").reason == "personal"
    assert schema.column("contact_phone").reason == "personal"


@pytest.mark.parametrize(
    "name", ["subject_id", "visit.id", "PatientID", "recordno", "mrn", "환자번호", "등록번호"]
)
def test_named_identifiers_are_identifiers_even_when_repeated(name):
    """Check that an ID column repeated across visits (3 rows per patient) is an identifier."""
    rng = np.random.default_rng(3)
    ids = np.repeat(np.arange(1000, 1100), 3)
    frame = pd.DataFrame(
        {
            name: ids,
            "ct_value": rng.normal(25, 5, ids.size).round(1),
            "result": rng.choice(["positive", "negative"], ids.size),
        }
    )
    schema = _schema(frame)
    assert schema.column(name).reason == "identifier"
    assert schema.display_names[schema.target] == "result"


def test_a_code_with_few_values_named_id_is_a_category():
    """Check that drug_id with 4 drugs stays a feature: few values are a category."""
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {
            "drug_id": rng.integers(1, 5, 300),
            "dose": rng.normal(size=300),
            "response": rng.integers(0, 2, 300),
        }
    )
    assert "drug_id" in _schema(frame).features


def test_a_row_number_on_a_small_table_is_an_identifier():
    """Check that an exported row-number column in a 30-row table is an identifier."""
    rng = np.random.default_rng(5)
    y = np.sort(rng.integers(0, 2, 30))  # sorted by outcome: the row number follows it
    frame = pd.DataFrame({"Unnamed: 0": np.arange(30), "x": rng.normal(size=30), "outcome": y})
    assert _schema(frame).column("Unnamed: 0").reason == "identifier"


def test_r_row_names_with_gaps_under_an_empty_header_are_an_identifier():
    """Check that R's write.csv row names (an empty header; labels kept from before a subset,
    so they do not count up by one) are an identifier, not a feature."""
    rng = np.random.default_rng(3)
    labels = rng.permutation(np.arange(1, 400))[:150]  # 150 of 399 original rows, shuffled
    lines = ['"","age","weight","low"']
    for label in labels:
        lines.append(f'"{label}",{rng.integers(15, 45)},{rng.normal(60, 9):.1f},{rng.integers(2)}')
    table = read_table("\n".join(lines).encode(), name="birthwt.csv")
    schema = build_schema(table, target="low")
    (row_names,) = [c for c in schema.columns if table.original_names[c.name].strip() == ""]
    assert row_names.role == "excluded" and row_names.reason == "identifier"
    assert {"age", "weight"} <= {schema.display_names[f] for f in schema.features}


def test_a_shuffled_rank_is_a_feature_but_a_counter_in_file_order_is_not():
    """Check that a column holding a rank (a shuffled 1..n, as in Guerry's Wealth or Clergy
    rankings) is a feature, while the same values counting up in the file's order are a row
    number."""
    rng = np.random.default_rng(4)
    n = 86
    frame = pd.DataFrame(
        {
            "Wealth": rng.permutation(np.arange(1, n + 1)),
            "counter": np.arange(1, n + 1),
            "Literacy": rng.integers(10, 80, n),
            "outcome": rng.integers(0, 2, n),
        }
    )
    schema = _schema(frame, target="outcome")
    assert "Wealth" in schema.features
    assert schema.column("counter").reason == "identifier"


def test_a_guess_that_cannot_train_is_skipped_with_its_reason():
    """Check that an outcome with a 2-row class is skipped, said, and the next one is used."""
    rng = np.random.default_rng(6)
    n = 300
    outcome = np.array(["yes"] * 150 + ["no"] * 148 + ["maybe"] * 2)
    frame = pd.DataFrame(
        {"x": rng.normal(size=n), "status": rng.integers(0, 2, n), "outcome": outcome}
    )
    schema = _schema(frame)
    assert schema.display_names[schema.target] == "status"
    assert schema.skipped_targets == (("outcome", "rare_class"),)
    skipped = next(f for f in schema.findings if f.code == "target_skipped")
    assert skipped.columns == ("outcome",)


def test_a_named_outcome_with_a_rare_class_stops_instead_of_giving_way_to_a_shape(tmp_path, capsys):
    """Check that 'outcome' with a one-row class stops the guess with its reason (the user
    merges the class or chooses), rather than some unnamed column being explained instead."""
    rng = np.random.default_rng(8)
    n = 200
    frame = pd.DataFrame(
        {
            "bmi": rng.normal(27, 4, n),
            "smoker": rng.choice(["yes", "no"], n),
            "outcome": ["yes"] + ["no"] * (n - 1),
        }
    )
    with pytest.raises(DataError, match="only 1 row;") as caught:
        _schema(frame)
    assert caught.value.code == "rare_class"
    data = tmp_path / "t.csv"
    data.write_bytes(to_csv_bytes(frame))
    assert main([str(data), "--out", str(tmp_path / "o"), "--device", "cpu"]) == 2
    assert "error: One class of the target 'outcome' has only 1 row" in capsys.readouterr().err


def test_a_named_outcome_whose_numbers_contradict_the_name_is_not_guessed():
    """Check that 'death' holding day numbers (as in MASS's Aids2: the day of death or of the
    end of follow-up) and 'class' holding 133 class IDs are not taken for the outcome their
    name suggests: the two-valued 'status' is."""
    rng = np.random.default_rng(9)
    n = 400
    for name, values in (
        ("death", rng.integers(8000, 12000, n)),
        ("class", rng.integers(1, 134, n)),
    ):
        frame = pd.DataFrame(
            {
                "age": rng.integers(20, 70, n),
                "status": rng.choice(["A", "D"], n),
                "iq": rng.normal(100, 15, n),
                name: values,
            }
        )
        schema = _schema(frame)
        assert schema.display_names[schema.target] == "status", name
        assert name in {schema.display_names[f] for f in schema.features}


def test_a_calendar_column_is_not_the_last_column_fallback(tmp_path, capsys):
    """Check that a last column holding the year (many values, as in Grunfeld's 1935-1954)
    is not guessed as the target when nothing else is named or class-like, and that the
    CLI says on stderr how the target was guessed."""
    rng = np.random.default_rng(10)
    n = 200
    frame = pd.DataFrame(
        {
            "capital": rng.normal(100, 20, n),
            "invest": rng.normal(50, 10, n),
            "year": rng.integers(1935, 1955, n),
        }
    )
    schema = _schema(frame)
    assert schema.display_names[schema.target] == "invest"
    data = tmp_path / "t.csv"
    data.write_bytes(to_csv_bytes(frame))
    assert main([str(data), "--out", str(tmp_path / "o"), "--device", "cpu"]) == 0
    assert "note: The target 'invest' was guessed" in capsys.readouterr().err


@pytest.mark.parametrize("fill", [np.nan, "yes"])
def test_a_named_outcome_that_is_empty_or_constant_stops(fill):
    """Check that an empty or constant 'outcome' is an error naming it, not another guess."""
    rng = np.random.default_rng(7)
    frame = pd.DataFrame(
        {"x": rng.normal(size=50), "y2": rng.integers(0, 2, 50), "outcome": [fill] * 50}
    )
    with pytest.raises(DataError, match="'outcome' is named as the outcome") as info:
        _schema(frame)
    assert info.value.code == "unusable_named_target"


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["나이", "성별", "사망여부", "혈압"], "사망여부"),
        (["age", "in_hospital_death", "bp"], "in_hospital_death"),
        (["age", "test_result", "patient_class"], "test_result"),
        (["age", "marital_status", "smoker"], "smoker"),
    ],
)
def test_names_are_read_in_english_and_korean(names, expected):
    """Check that outcome words lead, and look-alikes (marital_status) do not."""
    rng = np.random.default_rng(8)
    frame = pd.DataFrame({n: rng.integers(0, 2, 120) for n in names})
    schema = _schema(frame)
    assert schema.display_names[schema.target] == expected


def _workbook(sheets: dict[str, pd.DataFrame], *, title: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            start = 2 if title and name == "data" else 0
            frame.to_excel(writer, sheet_name=name, index=False, startrow=start)
            if title and name == "data":
                writer.sheets[name].cell(row=1, column=1, value=title)
    return buffer.getvalue()


def test_the_sheet_with_the_data_is_read_and_its_title_row_skipped():
    """Check that a note sheet first does not hide the table on the second sheet."""
    rng = np.random.default_rng(9)
    data = pd.DataFrame({"age": rng.integers(20, 80, 60), "outcome": rng.integers(0, 2, 60)})
    note = pd.DataFrame({"About this file": ["Exported from the registry", "Do not share"]})
    table = read_table(
        _workbook({"README": note, "data": data}, title="Table 1. Patients"), name="book.xlsx"
    )
    assert table.reading.sheet == "data" and table.reading.sheets == ("README", "data")
    assert table.reading.header_row == 2
    assert list(table.frame.columns) == ["age", "outcome"]
    assert table.frame["age"].tolist() == data["age"].tolist()
    chosen = read_table(_workbook({"README": note, "data": data}), name="b.xlsx", sheet="README")
    assert list(chosen.frame.columns) == ["About this file"]


def test_an_unknown_sheet_and_a_bad_header_row_are_refused():
    """Check the errors for a sheet that does not exist and a header row past the data."""
    book = _workbook({"data": pd.DataFrame({"a": [1, 2], "b": [3, 4]})})
    with pytest.raises(DataError, match="no sheet named 'other'") as info:
        read_table(book, name="b.xlsx", sheet="other")
    assert info.value.code == "unknown_sheet"
    with pytest.raises(DataError, match="cannot be the header row") as info:
        read_table(book, name="b.xlsx", header_row=10)
    assert info.value.code == "bad_header_row"


def test_cli_reads_the_chosen_sheet_and_reports_reading(tmp_path):
    """Check --sheet and --header-row, and the summary's reading and warnings."""
    rng = np.random.default_rng(10)
    data = pd.DataFrame(
        {
            "lab": [f"{v:,.0f}" for v in rng.normal(3000, 900, 80)],
            "age": rng.integers(20, 80, 80),
            "died": rng.integers(0, 2, 80),
        }
    )
    data.loc[3, "lab"] = "."
    path = tmp_path / "book.xlsx"
    path.write_bytes(_workbook({"notes": pd.DataFrame({"n": ["x"]}), "data": data}, title="Cohort"))
    out = tmp_path / "out"
    assert (
        main([str(path), "--out", str(out), "--sheet", "data", "--header-row", "3", "--rows", "50"])
        == 0
    )
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    reading = summary["reading"]
    assert reading["sheet"] == "data" and reading["header_row"] == 3
    assert {"column": "lab", "tokens": ["."], "count": 1} in reading["missing_tokens"]
    assert {"column": "lab", "formats": ["thousands_separator"]} in reading["converted_to_numbers"]
    assert summary["target"] == "died"
    assert "target_guess" in {w["code"] for w in summary["warnings"]}
    assert main([str(path), "--out", str(out), "--sheet", "nope"]) == 2


def test_a_constant_outcome_beside_another_named_outcome_is_skipped_and_said():
    """Check that a constant 'outcome' beside 'churn' is skipped with its reason, not silently."""
    rng = np.random.default_rng(11)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=120),
            "churn": rng.choice(["Yes", "No"], 120),
            "status": rng.integers(0, 2, 120),
            "outcome": "done",
        }
    )
    schema = _schema(frame)
    assert schema.display_names[schema.target] == "churn"  # specific beats generic 'status'
    assert ("outcome", "constant_target") in schema.skipped_targets


def test_an_outcome_column_of_free_text_is_skipped_and_said():
    """Check that a column named 'outcome' holding a different note on every row (which no
    model can be trained on) is skipped with that reason, said in the guess's finding,
    not passed over in silence."""
    rng = np.random.default_rng(12)
    n = 150
    frame = pd.DataFrame(
        {
            "age": rng.normal(50, 10, n),
            "ward": rng.choice(["a", "b", "c"], n),
            "outcome": [
                f"discharged on day {rng.integers(1, 30)} to {rng.choice(['home', 'rehab'])}, "
                f"note {i}"
                for i in range(n)
            ],
        }
    )
    schema = _schema(frame)
    assert schema.target != "outcome"
    assert ("outcome", "text_target") in schema.skipped_targets
    said = " ".join(f.message for f in schema.findings)
    assert "'outcome' was not used as the target: it holds free text" in said


def test_a_calendar_column_is_never_the_target_by_shape():
    """Check that a last column holding the year (or 연도) a row was recorded is not guessed as
    the target: the last other column with few values is."""
    rng = np.random.default_rng(0)
    n = 300
    for calendar in ("year", "study_year", "연도"):
        frame = pd.DataFrame(
            {
                "bill_mm": rng.normal(40, 5, n),
                "island": rng.choice(["A", "B", "C"], n),
                "sex": rng.choice(["female", "male"], n),
                calendar: rng.choice([2007, 2008, 2009], n),
            }
        )
        schema = _schema(frame)
        assert schema.target == "sex", calendar
        assert schema.target_reason == "shape"


def test_species_is_read_as_a_classification_target():
    """Check that a column named species is the guessed target even when it comes first."""
    rng = np.random.default_rng(1)
    n = 300
    frame = pd.DataFrame(
        {
            "species": rng.choice(["Adelie", "Gentoo", "Chinstrap"], n),
            "bill_mm": rng.normal(40, 5, n),
            "sex": rng.choice(["female", "male"], n),
        }
    )
    assert _schema(frame).target == "species"


def test_repeated_column_names_are_shown_by_their_numbered_names():
    """Check that a file repeating a column name shows each of those columns by the numbered
    name the reader gave it (one name, one column: charts, pickers and summary.json), while
    a name the file does not repeat is shown as it is."""
    rng = np.random.default_rng(12)
    n = 120
    lines = ["age,age,smoker,outcome"]
    for _ in range(n):
        lines.append(f"{rng.integers(20, 80)},{rng.normal(25, 4):.1f},yes,{rng.integers(2)}")
    table = read_table("\n".join(lines).encode(), name="d.csv")
    schema = build_schema(table, target="outcome")
    shown = [schema.display_names[f] for f in schema.features]
    assert sorted(shown) == ["age", "age (2)"]  # smoker is constant, excluded
    assert len(set(schema.display_names.values())) == len(schema.display_names)


def test_names_that_differ_only_by_spaces_are_shown_by_their_numbered_names():
    """Check that columns named ``age``, `` age`` and ``age  `` (alike on screen) are shown as
    three distinct names, and that ``Age`` (another name to the eye) is shown as it is."""
    rng = np.random.default_rng(13)
    lines = ["age, age,age  ,Age,outcome"]
    for _ in range(150):
        values = ",".join(str(v) for v in rng.integers(1, 90, 4))
        lines.append(f"{values},{rng.choice(['yes', 'no'])}")
    schema = build_schema(read_table("\n".join(lines).encode(), name="d.csv"), target="outcome")
    shown = sorted(schema.display_names[f] for f in schema.features)
    assert shown == ["Age", "age", "age (2)", "age (3)"], shown


def test_a_blank_header_is_shown_by_the_name_the_reader_gave_it():
    """Check that a column with a blank header (R's row names, as R's write.csv leaves
    them) is shown by the reader's name for it, never as an empty label."""
    rng = np.random.default_rng(14)
    lines = ['"","height","weight","outcome"']
    for i in range(150):
        lines.append(f'"{i + 1}",{rng.normal(170, 9):.1f},{rng.normal(70, 8):.1f},{i % 2}')
    table = read_table("\n".join(lines).encode(), name="r.csv")
    assert "" in {o.strip() for o in table.original_names.values()}  # the file's blank name
    schema = build_schema(table, target="outcome")
    shown = set(schema.display_names.values())
    assert all(name.strip() for name in shown), shown
    assert {"height", "weight", "outcome"} <= shown


def test_reading_facts_name_a_blank_header_by_the_readers_name():
    """Check that summary.json's reading facts (missing markers) name a column whose header
    is blank by the reader's name, not by an empty string."""
    from explainers.cli import reading_of

    rng = np.random.default_rng(15)
    lines = ['"","height","outcome"']
    for i in range(120):
        code = "NA" if i % 10 == 0 else f"{rng.normal(5, 1):.2f}"
        lines.append(f"{code},{rng.normal(170, 9):.1f},{i % 2}")
    table = read_table("\n".join(lines).encode(), name="r.csv")
    blank = next(safe for safe, o in table.original_names.items() if not o.strip())
    columns = [m["column"] for m in reading_of(table)["missing_tokens"]]
    assert columns == [blank], columns
