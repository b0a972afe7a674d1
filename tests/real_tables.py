"""Real public tables that install offline inside PyPI packages, with documented expectations.

A module of its own (not conftest.py) so that tests can import it by name.

Every expectation below comes from the dataset's own documentation (the package's
docstring, DESCR or ``NOTE`` text, quoted in ``doc``), never from this tool's output.
Where a package ships the raw file in a format the tool reads (CSV, ``;``-separated),
its bytes are fed as they are, so reading is tested too. Where it ships another
format (ARFF, JSON, whitespace-separated with quoted names) or only a loader, the
table is written to CSV with the same column names and cell values, which ``note``
says. Large tables are cut to every n-th data line, deterministically (``note``).

Packages (the ``test`` extra): statsmodels, scikit-learn, scikit-survival,
palmerpenguins, vega_datasets.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import files

import pandas as pd

Task = str  # "binary" | "multiclass" | "regression"
Getter = Callable[[], tuple[str, bytes]]


@dataclass(frozen=True)
class RealTable:
    """One real table and what its documentation says a careful analyst would do with it."""

    id: str
    package: str
    get: Getter  # returns (file name, file bytes)
    target: str  # display name, as in the file
    task: Task
    doc: str  # which docstring / file, and the sentences that justify each expectation
    target_given: bool = False  # True: the doc's outcome name gives no clue; pass --target
    identifiers: tuple[str, ...] = ()  # excluded with code "identifier" or "personal"
    personal: tuple[str, ...] = ()  # excluded with code "personal"
    not_personal: tuple[str, ...] = ()  # never code "personal" (a category, a car model...)
    leaks: tuple[str, ...] = ()  # excluded with code "leakage" or "possible_leak"
    excluded: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (column, allowed codes)
    numeric_columns: tuple[str, ...] = ()  # features read as numbers (not categorical)
    missing_tokens: tuple[tuple[str, str], ...] = ()  # (column, token) the reader reports
    survival: tuple[str, str] = ()  # (time, event) of the documented endpoint, to be suggested
    note: str = ""  # how the bytes were made, when not the raw file as shipped


# ---------------------------------------------------------------------------- getters


def _package_bytes(package: str, *parts: str) -> bytes:
    return files(package).joinpath(*parts).read_bytes()


def _raw(package: str, *parts: str, every: int = 1) -> Getter:
    """The file as shipped; with ``every`` > 1, the header and every n-th data line."""

    def get() -> tuple[str, bytes]:
        data = _package_bytes(package, *parts)
        if every > 1:
            lines = data.splitlines(keepends=True)
            data = b"".join([lines[0], *lines[1::every]])
        return parts[-1], data

    return get


def _frame_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def _quoted_whitespace(package: str, *parts: str) -> Getter:
    """A whitespace-separated statsmodels file with 'quoted' names, rewritten as CSV."""

    def get() -> tuple[str, bytes]:
        text = _package_bytes(package, *parts).decode("utf-8")
        rows = [re.split(r"\s+", line.strip()) for line in text.splitlines() if line.strip()]
        rows[0] = [name.strip("'\"") for name in rows[0]]
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        return parts[-1].rsplit(".", 1)[0] + ".csv", buffer.getvalue().encode("utf-8")

    return get


def _arff(name: str, every: int = 1) -> Getter:
    """A scikit-survival ARFF file as CSV: names from @attribute, cells verbatim ('?' kept)."""

    def get() -> tuple[str, bytes]:
        text = _package_bytes("sksurv.datasets", "data", f"{name}.arff").decode("utf-8")
        names: list[str] = []
        rows: list[list[str]] = []
        in_data = False
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped or stripped.startswith("%"):
                continue
            if in_data:
                rows.append(next(csv.reader([stripped], quotechar="'", skipinitialspace=True)))
            elif stripped.lower().startswith("@attribute"):
                names.append(stripped.split(None, 2)[1].strip("'\""))
            elif stripped.lower().startswith("@data"):
                in_data = True
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(names)
        writer.writerows(rows[::every])
        return f"{name}.csv", buffer.getvalue().encode("utf-8")

    return get


def _sklearn(loader: str, **kwargs: object) -> Getter:
    def get() -> tuple[str, bytes]:
        from sklearn import datasets

        bunch = getattr(datasets, loader)(as_frame=True, **kwargs)
        return f"{loader.removeprefix('load_')}.csv", _frame_bytes(bunch.frame)

    return get


def _vega_cars() -> tuple[str, bytes]:
    from vega_datasets import local_data

    with warnings.catch_warnings():  # vega_datasets passes read_json a keyword pandas deprecates
        warnings.simplefilter("ignore")
        frame = local_data.cars()
    return "cars.csv", _frame_bytes(frame)


# ---------------------------------------------------------------------------- the corpus

SM = "statsmodels.datasets"

TABLES: tuple[RealTable, ...] = (
    # ------------------------------------------------------------------ statsmodels
    RealTable(
        id="sm_heart",
        package="statsmodels",
        get=_raw(SM, "heart", "heart.csv"),
        target="censors",
        target_given=True,
        task="binary",
        leaks=("survival",),
        numeric_columns=("age",),
        survival=("survival", "censors"),
        doc=(
            "statsmodels/datasets/heart/data.py (Stanford heart transplant, Miller 1976). "
            "NOTE: 'death - Days after surgery until death' (the file's `survival`), "
            "'censored - indicates if an observation is censored.  1 is uncensored' "
            "(`censors`: 1 = the death was observed). With death as the outcome, the "
            "survival time is follow-up that ends at death: a post-outcome leak."
        ),
    ),
    RealTable(
        id="sm_spector",
        package="statsmodels",
        get=_quoted_whitespace(SM, "spector", "spector.csv"),
        target="GRADE",
        task="binary",
        identifiers=("OBS",),
        numeric_columns=("GPA", "TUCE"),
        note="spector.csv is whitespace-separated with 'quoted' names; rewritten as CSV.",
        doc=(
            "statsmodels/datasets/spector/data.py. NOTE: 'Grade - binary variable indicating "
            "whether or not a student's grade improved. 1 indicates an improvement.'; "
            "'Number of Variables - 4' (Grade, TUCE, PSI, GPA): OBS is the observation "
            "number 1..32, and _get_data() drops it (data.iloc[:, [1, 2, 3, 4]])."
        ),
    ),
    RealTable(
        id="sm_anes96",
        package="statsmodels",
        get=_quoted_whitespace(SM, "anes96", "anes96.csv"),
        target="PID",
        target_given=True,
        task="multiclass",
        numeric_columns=("popul", "age", "TVnews"),
        note="anes96.csv is tab-separated with 'quoted' names; rewritten as CSV.",
        doc=(
            "statsmodels/datasets/anes96/data.py. load_pandas(): process_pandas(data, "
            "endog_idx=5, ...) makes `PID` the response ('PID - Party identification of "
            "respondent. 0 - Strong Democrat ... 6 - Strong Republican')."
        ),
    ),
    RealTable(
        id="sm_modechoice",
        package="statsmodels",
        get=_raw(SM, "modechoice", "modechoice.csv"),
        target="choice",
        target_given=True,
        task="binary",
        identifiers=("individual",),
        numeric_columns=("invc", "invt", "gc", "hinc"),
        doc=(
            "statsmodels/datasets/modechoice/data.py. NOTE: 'Number of observations: 840 "
            "Observations On 4 Modes for 210 Individuals.'; 'individual = 1 to 210' (an id "
            "repeated on each individual's 4 rows); 'choice = 0 - no 1 - yes'; "
            "load_pandas(): endog_idx=2 (choice). The file is ';'-separated."
        ),
    ),
    RealTable(
        id="sm_fair",
        package="statsmodels",
        get=_raw(SM, "fair", "fair.csv", every=3),
        target="affairs",
        target_given=True,
        task="regression",
        numeric_columns=("rate_marriage", "age", "yrs_married", "children", "educ"),
        note="header and every 3rd data line (2,122 of 6,366 rows).",
        doc=(
            "statsmodels/datasets/fair/data.py. DESCRLONG: 'The data is used as an example of "
            "regression with censored data.'; NOTE: 'affairs : measure of time spent in "
            "extramarital affairs'; load_pandas(): endog_idx=8 (affairs)."
        ),
    ),
    RealTable(
        id="sm_fair_pt",
        package="statsmodels",
        get=_raw(SM, "fair", "fair_pt.csv"),
        target="naffairs",
        target_given=True,
        task="regression",
        identifiers=("identifier",),
        excluded=(("constant", ("constant",)),),
        numeric_columns=("age", "nmarried", "education"),
        doc=(
            "statsmodels/datasets/fair/fair_pt.csv, shipped beside fair.csv (Fair 1978, "
            "Psychology Today sample, 601 rows) without a NOTE of its own; its header names "
            "an `identifier` column (unique per row) and a `constant` column (1.0 on every "
            "row, a regression intercept); `naffairs` is fair.csv's 'affairs' outcome."
        ),
    ),
    RealTable(
        id="sm_randhie",
        package="statsmodels",
        get=_raw(SM, "randhie", "randhie.csv", every=10),
        target="mdvis",
        target_given=True,
        task="regression",
        numeric_columns=("lncoins", "lpi", "fmde", "disea"),
        note="header and every 10th data line (2,019 of 20,190 rows).",
        doc=(
            "statsmodels/datasets/randhie/data.py (RAND Health Insurance Experiment). NOTE: "
            "'mdvis - Number of outpatient visits to an MD'; load_pandas(): endog_idx=0."
        ),
    ),
    RealTable(
        id="sm_statecrime",
        package="statsmodels",
        get=_raw(SM, "statecrime", "statecrime.csv"),
        target="murder",
        target_given=True,
        task="regression",
        identifiers=("state",),
        not_personal=("state",),
        numeric_columns=("poverty", "hs_grad", "urban", "single"),
        doc=(
            "statsmodels/datasets/statecrime/data.py. NOTE: 'state - All 50 states plus DC.' "
            "(one row each); 'murder - Rate of murders / 100,000 population.'; "
            "load_pandas(): process_pandas(data, endog_idx=2, ..., index_idx=0): murder is "
            "the response and state the row index (an identifier; a US state is no person)."
        ),
    ),
    # ------------------------------------------------------------------ vega_datasets
    RealTable(
        id="vg_seattle_weather",
        package="vega_datasets",
        get=_raw("vega_datasets", "_data", "seattle-weather.csv"),
        target="weather",
        task="multiclass",
        excluded=(("date", ("datetime", "identifier")),),
        numeric_columns=("precipitation", "temp_max", "temp_min", "wind"),
        doc=(
            "vega_datasets local_data.seattle_weather.description: 'precipitation totals, "
            "temperature extremes, wind speed, and weather type recorded daily in Seattle "
            "from 2012 to 2015' (one row per `date`; `weather` is the type: drizzle, rain, "
            "sun, snow, fog)."
        ),
    ),
    RealTable(
        id="vg_la_riots",
        package="vega_datasets",
        get=_raw("vega_datasets", "_data", "la-riots.csv"),
        target="type",
        target_given=True,
        task="multiclass",
        identifiers=("first_name", "last_name"),
        personal=("first_name", "last_name"),
        excluded=(("death_date", ("datetime", "leakage", "possible_leak")),),
        numeric_columns=("longitude", "latitude"),
        doc=(
            "vega_datasets local_data.la_riots.description: 'More than 60 people lost their "
            "lives amid the looting and fires ... This dataset contains metadata about each "
            "person, including the geographic coordinates of their death.' (Los Angeles Times "
            "Data Desk): first_name / last_name name the dead; `type` classifies each death."
        ),
    ),
    RealTable(
        id="vg_cars",
        package="vega_datasets",
        get=_vega_cars,
        target="Miles_per_Gallon",
        target_given=True,
        task="regression",
        not_personal=("Name",),
        numeric_columns=("Horsepower", "Weight_in_lbs", "Displacement", "Acceleration"),
        note="cars.json via local_data.cars(), written with to_csv(index=False).",
        doc=(
            "vega_datasets local_data.cars.description: 'Acceleration, horsepower, fuel "
            "efficiency, weight, and other characteristics of different makes and models of "
            "cars.' (Donoho et al 1982, StatLib auto-mpg: 'city-cycle fuel consumption in "
            "miles per gallon' is the quantity to predict). `Name` is a make and model, not a "
            "person; `Horsepower` has missing values."
        ),
    ),
    # ------------------------------------------------------------------ scikit-survival
    RealTable(
        id="ss_whas500",
        package="scikit-survival",
        get=_arff("whas500"),
        target="fstat",
        target_given=True,
        task="binary",
        leaks=("lenfol",),
        numeric_columns=("age", "hr", "sysbp", "bmi"),
        note="sksurv/datasets/data/whas500.arff as CSV.",
        survival=("lenfol", "fstat"),
        doc=(
            "sksurv.datasets.load_whas500: 'The endpoint is death, which occurred for 215 "
            "patients (43.0%).'; '*fstat*: boolean indicating whether the endpoint has been "
            "reached'; '*lenfol*: total length of follow-up (days from hospital admission "
            "date to date of last follow-up)' -- follow-up that ends at death."
        ),
    ),
    RealTable(
        id="ss_flchain",
        package="scikit-survival",
        get=_arff("flchain", every=4),
        target="death",
        task="binary",
        leaks=("futime", "chapter"),
        numeric_columns=("creatinine", "kappa", "lambda"),
        missing_tokens=(("creatinine", "?"),),
        note="sksurv/datasets/data/flchain.arff as CSV, every 4th row (1,969 of 7,874).",
        survival=("futime", "death"),
        doc=(
            "sksurv.datasets.load_flchain: 'The endpoint is death'; '*death*: boolean "
            "indicating whether the subject died'; '*futime*: total length of follow-up or "
            "time of death.'; 'chapter: for those who died, a grouping of their primary cause "
            "of death by chapter headings of the International Code of Diseases ICD-9'. "
            "ARFF writes '?' for missing (creatinine, and chapter for the living)."
        ),
    ),
    RealTable(
        id="ss_gbsg2",
        package="scikit-survival",
        get=_arff("GBSG2"),
        target="cens",
        target_given=True,
        task="binary",
        leaks=("time",),
        numeric_columns=("age", "tsize", "pnodes", "progrec", "estrec"),
        note="sksurv/datasets/data/GBSG2.arff as CSV.",
        survival=("time", "cens"),
        doc=(
            "sksurv.datasets.load_gbsg2: 'The endpoint is recurrence free survival, which "
            "occurred for 299 patients (43.6%).'; '*cens*: boolean indicating whether the "
            "endpoint has been reached'; '*time*: total length of follow-up'."
        ),
    ),
    RealTable(
        id="ss_veterans",
        package="scikit-survival",
        get=_arff("veteran"),
        target="Status",
        task="binary",
        leaks=("Survival_in_days",),
        numeric_columns=("Karnofsky_score", "Months_from_Diagnosis", "Age_in_years"),
        note="sksurv/datasets/data/veteran.arff as CSV.",
        survival=("Survival_in_days", "Status"),
        doc=(
            "sksurv.datasets.load_veterans_lung_cancer: 'The endpoint is death, which "
            "occurred for 128 patients (93.4%).'; '*Status*: boolean indicating whether the "
            "endpoint has been reached'; '*Survival_in_days*: total length of follow-up'."
        ),
    ),
    RealTable(
        id="ss_actg320",
        package="scikit-survival",
        get=_arff("actg320"),
        target="censor",
        target_given=True,
        task="binary",
        leaks=("time", "time_d"),
        numeric_columns=("cd4", "priorzdv", "age"),
        note="sksurv/datasets/data/actg320.arff as CSV (both endpoints' columns kept).",
        survival=("time", "censor"),
        doc=(
            "sksurv.datasets.load_aids (AIDS Clinical Trial): endpoint 'AIDS defining event, "
            "which occurred for 96 patients (8.3%)'; '*censor*: boolean indicating whether "
            "the endpoint has been reached'; '*time*: total length of follow-up'; 'If "
            "endpoint is death, the fields are named *censor_d* and *time_d*' (time_d is "
            "the follow-up to death or censoring)."
        ),
    ),
    # ------------------------------------------------------------------ palmerpenguins
    RealTable(
        id="pp_penguins_raw",
        package="palmerpenguins",
        get=_raw("palmerpenguins", "data", "penguins-raw.csv"),
        target="Species",
        target_given=True,
        task="multiclass",
        identifiers=("Individual ID", "Sample Number"),
        excluded=(
            ("Region", ("constant",)),
            ("Stage", ("constant",)),
            ("Date Egg", ("datetime",)),
        ),
        numeric_columns=(
            "Culmen Length (mm)",
            "Culmen Depth (mm)",
            "Flipper Length (mm)",
            "Body Mass (g)",
            "Delta 15 N (o/oo)",
            "Delta 13 C (o/oo)",
        ),
        doc=(
            "palmerpenguins.load_penguins_raw: '(classification)', 'Classes 3'; 'Species: A "
            "string denoting the penguin species'; 'Sample Number: An integer denoting the "
            "continuous numbering sequence for each sample'; 'Individual ID: A string "
            "denoting the unique ID for each individual in dataset' (repeats across years); "
            "'Region: ... region of Palmer LTER sampling grid' and 'Stage: ... reproductive "
            "stage at sampling' hold one value each; 'Date Egg: A date'. Missing is 'NA'."
        ),
    ),
    RealTable(
        id="pp_penguins",
        package="palmerpenguins",
        get=_raw("palmerpenguins", "data", "penguins.csv"),
        target="species",
        task="multiclass",
        numeric_columns=("bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"),
        doc=(
            "palmerpenguins.load_penguins: 'Load and return the penguins dataset "
            "(classification).'; return_X_y: 'target: ... The classification target "
            "(penguin species).'; size columns are 'A number' / 'An integer'; missing is 'NA'. "
            "The last column, year, is 'the study year (2007, 2008, or 2009)': when a penguin "
            "was measured, never the outcome, so the target is guessed from species' name."
        ),
    ),
    # ------------------------------------------------------------------ scikit-learn
    RealTable(
        id="sk_breast_cancer",
        package="scikit-learn",
        get=_sklearn("load_breast_cancer"),
        target="target",
        task="binary",
        numeric_columns=("mean radius", "worst area"),
        note="load_breast_cancer(as_frame=True).frame written with to_csv(index=False).",
        doc=(
            "sklearn DESCR 'Breast cancer Wisconsin (diagnostic) dataset': ':Class "
            "Distribution: 212 - Malignant, 357 - Benign'; the frame's `target` column."
        ),
    ),
    RealTable(
        id="sk_iris",
        package="scikit-learn",
        get=_sklearn("load_iris"),
        target="target",
        task="multiclass",
        numeric_columns=("petal length (cm)", "sepal width (cm)"),
        note="load_iris(as_frame=True).frame written with to_csv(index=False).",
        doc="sklearn DESCR 'Iris plants dataset': ':Number of Instances: 150 (50 in each of "
        "three classes)'; the frame's `target` column.",
    ),
    RealTable(
        id="sk_wine",
        package="scikit-learn",
        get=_sklearn("load_wine"),
        target="target",
        task="multiclass",
        numeric_columns=("alcohol", "proline"),
        note="load_wine(as_frame=True).frame written with to_csv(index=False).",
        doc="sklearn DESCR 'Wine recognition dataset': ':Number of Attributes: 13 numeric, "
        "predictive attributes and the class'; the frame's `target` column (3 classes).",
    ),
    RealTable(
        id="sk_diabetes",
        package="scikit-learn",
        get=_sklearn("load_diabetes", scaled=False),
        target="target",
        task="regression",
        numeric_columns=("age", "bmi", "bp", "s5"),
        note="load_diabetes(as_frame=True, scaled=False).frame written with to_csv(index=False).",
        doc=(
            "sklearn DESCR 'Diabetes dataset': ':Target: Column 11 is a quantitative measure "
            "of disease progression one year after baseline'."
        ),
    ),
)
