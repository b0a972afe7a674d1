"""read_table: formats, encodings, delimiters, limits, and typed errors that quote no cell."""

from __future__ import annotations

import gzip
import io
import struct
import tracemalloc
import zipfile
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from explainers import DataError, ExplainerError, Table, read_table

SECRET = "SECRET_CELL_7431"  # planted in files; must never reach a message or params


def _refused(data, code: str, match: str, *, secret: str = SECRET, **kwargs) -> DataError:
    """Read ``data`` expecting a DataError with ``code``; check that ``secret`` is not quoted."""
    with pytest.raises(DataError, match=match) as info:
        read_table(data, **kwargs)
    error = info.value
    assert isinstance(error, ValueError) and isinstance(error, ExplainerError)
    assert error.code == code, (error.code, error.params)
    assert secret not in str(error) and secret not in repr(error.params)
    return error


def _same_as_pandas(table: Table, data: bytes, **read_csv_kwargs) -> None:
    expected = pd.read_csv(io.BytesIO(data), **read_csv_kwargs)
    pd.testing.assert_frame_equal(table.frame, expected, check_dtype=False)


def _zip(entries: dict[str, bytes], *, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _declare_unpacked_size(data: bytes, member: str, size: int) -> bytes:
    """Patch the central directory so ``member`` claims to unpack to ``size`` bytes."""
    out = bytearray(data)
    start = 0
    while (start := out.find(b"PK\x01\x02", start)) >= 0:
        (name_length,) = struct.unpack_from("<H", out, start + 28)
        if out[start + 46 : start + 46 + name_length] == member.encode():
            struct.pack_into("<I", out, start + 24, size)
            return bytes(out)
        start += 4
    raise AssertionError(f"{member} not in the archive")


_WORKBOOK = {  # the names of an .xlsx package, not a valid workbook
    "[Content_Types].xml": b"<Types/>",
    "xl/workbook.xml": b"<workbook/>",
    "xl/worksheets/sheet1.xml": f"<sheetData><c><v>{SECRET}</v></c></sheetData>".encode(),
}


@pytest.mark.parametrize("data", [b"", b"   \n\n\r\n", "\ufeff".encode()])
def test_empty_file(data):
    _refused(data, "empty_file", "empty", name="empty.csv")


@pytest.mark.parametrize("data", [b"age,sex,outcome\n", b"age,sex,outcome\n\n\n", b"age;sex\r\n"])
def test_header_only(data):
    _refused(data, "header_only", "no data rows", name="h.csv")


def test_single_data_row_reads():
    data = f"age,name,score\n41,{SECRET},2.5\n".encode()
    table = read_table(data, name="one.csv")
    assert (table.n_rows, table.n_columns, table.format, table.delimiter) == (1, 3, "csv", ",")
    assert table.frame.loc[0, "name"] == SECRET
    _same_as_pandas(table, data)


def test_png_named_csv_is_binary():
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) + SECRET.encode() * 10
    error = _refused(data, "binary_file", "not a text table", name="photo.csv")
    assert error.params["kind"] == "png"


def test_text_with_a_zero_byte_is_refused_as_damaged_text():
    """Check that a CSV with a stray NUL byte in a cell is refused as damaged text (what
    to do: save it again), not as an image or document; the message quotes no cell."""
    data = f"age,ward,outcome\n51,be\x00ta,0\n48,{SECRET},1\n".encode()
    error = _refused(data, "nul_bytes", "zero bytes", name="export.csv")
    assert error.params["offset"] == data.index(b"\x00")


def test_html_is_refused():
    data = f"<html><body><table><tr><td>{SECRET}</td></tr></table></body></html>\n".encode()
    error = _refused(data, "unsupported_format", "HTML", name="page.csv")
    assert error.params["kind"] == "markup"


def test_zip_that_is_not_a_workbook():
    data = _zip({"inner/data.csv": f"a,b\n1,{SECRET}\n".encode()})
    _refused(data, "zip_archive", "zip archive", name="book.xlsx")


def test_zip_bomb_declared_size_is_refused_before_unpacking():
    data = _declare_unpacked_size(_zip(_WORKBOOK), "xl/worksheets/sheet1.xml", 0xFFFF0000)
    error = _refused(data, "compressed_bomb", "would unpack to", name="bomb.xlsx")
    assert error.params["unpacked_bytes"] > error.params["limit_bytes"]


def test_zip_bomb_real_ratio_is_refused():
    # 40 MB of zeros packs into about 40 KB; the limit is 20 x max_bytes.
    data = _zip(_WORKBOOK | {"xl/worksheets/sheet1.xml": b"\0" * (40 << 20)})
    assert len(data) < 1 << 20
    _refused(data, "compressed_bomb", "would unpack to", name="bomb.xlsx", max_bytes=1 << 20)


def test_gzip_bomb_named_csv():
    data = gzip.compress(f"a,b\n1,{SECRET}\n".encode() + b"0" * (30 << 20))
    error = _refused(data, "compressed_file", "compressed", name="data.csv")
    assert error.params["kind"] == "gzip"


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (f"a,b,c\n1,2,3\n4,5,6\n7,{SECRET},8,9\n10,11,12\n".encode(), 4),
        (f"a,b\n\n1,2\n3,{SECRET},5\n".encode(), 4),  # a blank line before the bad one
        (f"a,b\r\n1,2\r\n3,{SECRET},5\r\n".encode(), 3),
        (f'a,b\n1,"x\ny"\n3,{SECRET},5\n'.encode(), 4),  # a quoted line break counts
        (f"a;b\n1;2\n3;{SECRET};5\n".encode(), 3),
    ],
)
def test_ragged_rows_name_the_line(data, line):
    error = _refused(data, "ragged_rows", f"Line {line} has", name="r.csv")
    assert error.params["line"] == line


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (f'a,b,c\n1,2,3\n4,"{SECRET},6\n7,8,9\n'.encode(), 3),
        (f'a,b,c\n1,2,3\n4,5,"{SECRET}\n'.encode(), 3),
        (f'a,b\n1,{SECRET}\n"'.encode(), 3),  # a lone quote as the very last byte
        (f'"a,b\n1,{SECRET}\n'.encode(), 1),
        (f'a\n{SECRET}\n"x\n'.encode(), 3),
    ],
)
def test_unclosed_quote_names_the_line(data, line):
    error = _refused(data, "unclosed_quote", f"starts on line {line}", name="q.csv")
    assert error.params["line"] == line


def test_trailing_delimiter_on_some_rows_reads():
    table = read_table(b"a,b\n1,2\n3,4,\n5,6\n", name="t.csv")
    assert list(table.frame.columns) == ["a", "b"]
    assert table.frame["a"].tolist() == [1, 3, 5] and table.frame["b"].tolist() == [2, 4, 6]


def test_long_values_are_not_taken_for_an_open_quote():
    big = "x" * 200_000  # over the csv module's default 128 KiB field limit
    for data in (f"a,b\n1,{big}\n", f'a,b\n1,"{big}"\n', f"a\n{big}\n", f'a\n"{big}"\n'):
        table = read_table(data.encode(), name="long.csv")
        assert table.frame.iloc[0, -1] == big


def test_duplicate_names_are_numbered_and_kept():
    table = read_table(f"a,a,b,a,a (2)\n1,2,3,4,{SECRET}\n".encode(), name="d.csv")
    assert list(table.frame.columns) == ["a", "a (3)", "b", "a (4)", "a (2)"]
    assert table.original_names == {
        "a": "a",
        "a (3)": "a",
        "b": "b",
        "a (4)": "a",
        "a (2)": "a (2)",
    }
    assert table.frame["a (4)"].tolist() == [4]
    assert "duplicate_column_names" in table.warnings


def test_xgboost_refused_characters_are_renamed():
    xgboost = pytest.importorskip("xgboost")
    table = read_table(b"x[1],y]2,<z,ok\n1,2,3,4\n5,6,7,8\n", name="x.csv")
    assert list(table.frame.columns) == ["x(1)", "y)2", "ltz", "ok"]
    assert table.original_names["x(1)"] == "x[1]" and table.original_names["ltz"] == "<z"
    assert "unsafe_characters_in_column_names" in table.warnings
    matrix = xgboost.DMatrix(table.frame)  # refuses names with [ ] <
    assert matrix.feature_names == list(table.frame.columns)


def test_emoji_names_and_values():
    data = "\U0001f600 score,note\n1,\U0001f525hot\n2,ok\n".encode()
    table = read_table(data, name="e.csv")
    assert list(table.frame.columns) == ["\U0001f600 score", "note"]
    assert table.frame["note"].tolist() == ["\U0001f525hot", "ok"]
    _same_as_pandas(table, data)


def test_very_long_name_is_cut():
    name = "n" * 10_000
    table = read_table(f"{name},b\n1,2\n".encode(), name="l.csv")
    safe = table.frame.columns[0]
    assert len(safe) == 201 and safe.endswith("…") and safe.startswith("n" * 200)
    assert table.original_names[safe] == name
    assert "long_column_names" in table.warnings


def test_inf_values_are_numbers():
    table = read_table(b"a,b,c\n1,inf,Infinity\n2,-inf,-Infinity\n3,4.5,1\n", name="i.csv")
    for column in ("b", "c"):
        assert table.frame[column].dtype == np.float64
    assert np.isposinf(table.frame.loc[0, "b"]) and np.isneginf(table.frame.loc[1, "c"])


def test_many_distinct_strings_read():
    n = 50_000
    data = ("id,code\n" + "".join(f"{i},s{i:06d}x\n" for i in range(n))).encode()
    table = read_table(data, name="many.csv")
    assert table.n_rows == n and table.frame["code"].nunique() == n
    _same_as_pandas(table, data)


def test_hex_like_text_stays_text():
    data = b"id,code\n1,0x1F\n2,0xff\n"
    table = read_table(data, name="hex.csv")
    assert table.frame["code"].tolist() == ["0x1F", "0xff"]
    _same_as_pandas(table, data)


def test_missing_booleans_are_nan_like_pandas():
    data = b"a,flag\n1,True\n2,\n3,false\n"
    table = read_table(data, name="b.csv")
    assert table.frame["flag"].tolist()[0] is True and table.frame["flag"].isna().tolist()[1]
    _same_as_pandas(table, data)


@pytest.mark.parametrize("encoding", ["cp949", "euc-kr"])
def test_korean_excel_export(encoding):
    frame = pd.DataFrame(
        {
            "이름": ["홍길동", "김철수", "이영희"],
            "나이": [30, 41, 57],
            "진단": ["당뇨", "고혈압", "정상"],
            "수치": [1.5, 2.25, -0.5],
        }
    )
    buffer = io.BytesIO()
    frame.to_csv(buffer, index=False, encoding=encoding)
    table = read_table(buffer.getvalue(), name="한글.csv")
    assert table.encoding == "cp949"
    pd.testing.assert_frame_equal(table.frame, frame, check_dtype=False)


def test_utf8_bom_does_not_leak_into_first_name():
    for data in ("\ufeffid,b\n1,2\n".encode(), '\ufeff"id",b\n1,2\n'.encode()):
        table = read_table(data, name="bom.csv")
        assert table.encoding == "utf-8-sig"
        assert list(table.frame.columns) == ["id", "b"]
        assert table.original_names["id"] == "id"
        _same_as_pandas(table, data, encoding="utf-8-sig")


def test_latin1_text_is_read():
    data = "name,city\nJosé,Zürich\nRené,Köln\nGröße,Sète\n".encode("latin-1")
    table = read_table(data, name="w.csv")
    assert table.encoding in ("cp1252", "latin-1") and "encoding_guessed" in table.warnings
    assert table.frame["city"].tolist() == ["Zürich", "Köln", "Sète"]
    _same_as_pandas(table, data, encoding="latin-1")


def test_unknown_encoding_is_read_as_latin1_with_a_warning():
    # The design: undecodable bytes fall back to Windows-1252 or Latin-1, which never
    # fail, with a warning; the table's shape survives whatever the letters become.
    rng = np.random.default_rng(0)
    cells = [bytes(rng.integers(0x80, 0x100, 12, dtype=np.uint8)) for _ in range(20)]
    data = b"id,junk\n" + b"".join(b"%d,%s\n" % (i, c) for i, c in enumerate(cells))
    table = read_table(data, name="junk.csv")
    assert table.encoding in ("cp1252", "latin-1") and "encoding_guessed" in table.warnings
    assert table.frame.shape == (20, 2) and table.frame["id"].tolist() == list(range(20))


def test_byte_order_mark_that_lies_is_refused():
    data = b"\xff\xfe" + "a,b\n1,".encode("utf-16-le") + b"\x00\xdc" + SECRET.encode("utf-16-le")
    error = _refused(data, "unknown_encoding", "byte-order mark", name="u16.csv")
    assert error.params["line"] == 2


@pytest.mark.parametrize(
    ("sep", "name"),
    [(",", "c.csv"), (";", "s.csv"), ("\t", "t.tsv"), ("|", "p.txt"), ("\t", "t.csv")],
)
def test_delimiters_are_sniffed(sep, name):
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3],
            "note": ["a, b", "c; d", "e | f"],
            "value": [0.5, -1.25, 3.0],
            "group": ["x", "y", "x"],
        }
    )
    data = frame.to_csv(index=False, sep=sep).encode()
    table = read_table(data, name=name)
    assert table.delimiter == sep
    assert table.format == ("tsv" if sep == "\t" else "csv")
    _same_as_pandas(table, data, sep=sep)
    pd.testing.assert_frame_equal(table.frame, frame, check_dtype=False)


def test_european_semicolon_file_with_decimal_commas():
    """Check that decimal commas in a ``;`` file are numbers, as pandas reads them when told."""
    data = b"id;price;name\n1;1,5;a\n2;2,25;b\n"
    table = read_table(data, name="eu.csv")
    assert table.delimiter == ";"
    _same_as_pandas(table, data, sep=";", decimal=",")
    assert [(c.column, c.formats) for c in table.reading.converted] == [
        ("price", ("decimal_comma",))
    ]


@pytest.mark.parametrize("line", ["sep=;\n", '"sep=;"\r\n', "SEP=;\n"])
def test_excels_delimiter_line_names_the_delimiter(line):
    """Check that Excel's ``sep=;`` first line is read as Excel reads it, an instruction:
    the table below it equals pandas' reading told to skip that line (decimal commas too)."""
    body = "id;price;name\n1;1,5;a\n2;2,25;b\n3;7;c\n"
    data = (line + body).encode()
    table = read_table(data, name="excel.csv")
    assert table.delimiter == ";" and list(table.frame.columns) == ["id", "price", "name"]
    expected = pd.read_csv(io.BytesIO(data), sep=";", decimal=",", skiprows=1)
    pd.testing.assert_frame_equal(table.frame, expected, check_dtype=False)
    with pytest.raises(DataError, match="empty"):
        read_table(line.encode(), name="excel.csv")


def test_comment_lines_above_the_header_are_skipped():
    """Check that ``#`` lines above the header (an export's notes, delimiters inside) are
    skipped as pandas skips them when told, the header row says where the names were, and
    a warning says so."""
    body = "age,score,ward,outcome\n51,11,beta,0\n48,82,beta,1\n56,79,alpha,1\n"
    data = ("# exported by tool, 2026-12-03\n#   site: north, south\n" + body).encode()
    table = read_table(data, name="export.csv")
    expected = pd.read_csv(io.BytesIO(data), skiprows=2)
    pd.testing.assert_frame_equal(table.frame, expected, check_dtype=False)
    assert "comment_lines_skipped" in table.warnings and table.reading.header_row == 2
    # CRLF line ends and another delimiter below the notes
    data = b"# title only\r\nage;score\r\n1;2\r\n3;4\r\n"
    table = read_table(data, name="t.csv")
    assert list(table.frame.columns) == ["age", "score"] and table.frame.shape == (2, 2)


def test_a_header_that_starts_with_a_hash_is_the_header():
    """Check that ``#id,age,outcome`` above rows of three fields is read as the header (a
    column named ``#id``), not skipped as a comment."""
    data = b"#id,age,outcome\n1,30,0\n2,41,1\n3,52,0\n"
    table = read_table(data, name="t.csv")
    assert list(table.frame.columns) == ["#id", "age", "outcome"]
    assert "comment_lines_skipped" not in table.warnings and table.reading.header_row == 0


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_header_lines_repeated_among_the_rows_are_left_out(end):
    """Check that a file joined end to end (each part's header line among the rows) reads
    as pandas reads the same rows without those lines, numbers as numbers, with a note."""
    header = '"age",score,ward,outcome'
    parts = [["51.2,11,beta,0", "48.6,82,beta,1"], ["56.4,79,alpha,1", "44.1,25,gamma,0"]]
    data = end.join([header, *parts[0], header, *parts[1], header]).encode()
    table = read_table(data, name="joined.csv")
    clean = end.join([header, *parts[0], *parts[1]]).encode()
    pd.testing.assert_frame_equal(table.frame, pd.read_csv(io.BytesIO(clean)), check_dtype=False)
    assert table.frame["age"].dtype.kind == "f" and "repeated_header_rows" in table.warnings


def _decimal_frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "age": rng.integers(18, 90, 40),
            "bmi": np.round(rng.normal(25, 4, 40), 3),
            "ratio": rng.random(40),
            "tiny": rng.normal(0, 1e-6, 40),
            "sex": rng.choice(["F", "M"], 40),
            "수치": [0.1, 0.2, 0.3, 1234.5678] * 10,
        }
    )


def test_xlsx_round_trip():
    frame = _decimal_frame()
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, engine="openpyxl")
    table = read_table(buffer.getvalue(), name="book.xlsx")
    assert table.format == "xlsx" and table.encoding is None
    pd.testing.assert_frame_equal(table.frame, frame, check_dtype=False)
    assert table.frame["bmi"].dtype == np.float64 and table.frame["tiny"].dtype == np.float64


def test_parquet_round_trip_with_decimals():
    frame = _decimal_frame()
    arrow = pa.Table.from_pandas(frame, preserve_index=False).append_column(
        "price", pa.array([Decimal("12.34"), None] * 20, pa.decimal128(10, 2))
    )
    buffer = io.BytesIO()
    pq.write_table(arrow, buffer)
    table = read_table(buffer.getvalue(), name="t.parquet")
    assert table.format == "parquet"
    expected = frame.assign(price=[12.34, np.nan] * 20)
    pd.testing.assert_frame_equal(table.frame, expected, check_dtype=False)
    assert table.frame["price"].dtype == np.float64


@pytest.mark.parametrize(
    "kind", [pa.binary(), pa.large_binary(), pa.binary(4)], ids=["binary", "large", "fixed"]
)
def test_parquet_bytes_columns_are_read_as_text_and_explained(kind):
    """Check that a Parquet column of bytes (UTF-8 or not) is read as text, UTF-8 bytes as
    they decode and others with replacement marks, and that the table trains (raw bytes
    crashed the profiling with a UnicodeDecodeError)."""
    from explainers import explain_file

    rng = np.random.default_rng(3)
    n = 80
    raw = [bytes(rng.integers(128, 256, 4).astype(np.uint8)) for _ in range(n)]
    text = [f"ab{i % 10:02d}".encode() for i in range(n)]
    arrow = pa.table(
        {
            "blob": pa.array(raw, kind),
            "code": pa.array(text, kind),
            "age": pa.array(rng.integers(20, 80, n)),
            "outcome": pa.array(rng.choice(["yes", "no"], n)),
        }
    )
    buffer = io.BytesIO()
    pq.write_table(arrow, buffer)
    table = read_table(buffer.getvalue(), name="t.parquet")
    assert list(table.frame["code"]) == [b.decode() for b in text]
    assert list(table.frame["blob"]) == [b.decode("utf-8", "replace") for b in raw]
    run = explain_file(buffer.getvalue(), name="t.parquet", target="outcome")
    assert "age" in run.dataset.X.columns


def test_xlsx_header_only():
    buffer = io.BytesIO()
    pd.DataFrame(columns=["a", "b"]).to_excel(buffer, index=False)
    _refused(buffer.getvalue(), "header_only", "no data rows", name="h.xlsx")


def test_too_many_cells_csv_and_parquet():
    frame = pd.DataFrame({"a": range(10), "b": range(10), "c": [SECRET] * 10})
    error = _refused(
        frame.to_csv(index=False).encode(),
        "too_many_cells",
        "limit of 20 cells",
        name="c.csv",
        max_cells=20,
    )
    assert error.params["columns"] == 3
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    _refused(
        buffer.getvalue(), "too_many_cells", "limit of 20 cells", name="c.parquet", max_cells=20
    )
    assert read_table(frame.to_csv(index=False).encode(), max_cells=30).n_rows == 10


def test_oversized_path_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.write(f"a,b\n1,{SECRET}\n".encode())
        handle.truncate(1 << 30)  # sparse: 1 GiB on paper, nothing on disk
    tracemalloc.start()
    try:
        error = _refused(path, "too_large", "larger than the limit of 200 MB")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20, peak
    assert error.params["size_bytes"] == 1 << 30


class _EndlessStream(io.RawIOBase):
    """A CSV stream that never ends; records how much was asked of it."""

    name = "endless.csv"
    served = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        assert size is not None and size >= 0, "read to the end of an endless stream"
        chunk = (b"a,b\n" + b"1,2\n" * (size // 4 + 1))[:size]
        self.served += len(chunk)
        return chunk


def test_stream_is_read_only_up_to_the_limit():
    stream = _EndlessStream()
    _refused(stream, "too_large", "larger than the limit", max_bytes=10_000)
    assert stream.served == 10_001
    _refused(b"a,b\n" + b"1,2\n" * 100, "too_large", "larger than the limit", max_bytes=100)
    small = read_table(io.BytesIO(b"a,b\n1,2\n"), max_bytes=8)
    assert small.source_name == "upload" and small.n_rows == 1


def test_missing_path(tmp_path):
    _refused(tmp_path / "nope.csv", "file_not_found", "not found")
