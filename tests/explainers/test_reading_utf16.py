"""UTF-16 text without a byte-order mark (some Windows exports), checked against Python's codecs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from explainers import DataError, read_table


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(encoding):
    """Check that UTF-16 text without a byte-order mark reads as the table it holds (it was
    refused as a binary file), accents included."""
    frame = pd.DataFrame({"age": [31, 45, 52] * 10, "city": ["Zoë", "Ann", "Łódź"] * 10})
    frame["outcome"] = [0, 1] * 15
    table = read_table(frame.to_csv(index=False).encode(encoding), name="export.csv")
    assert table.encoding == encoding
    pd.testing.assert_frame_equal(table.frame, frame, check_dtype=False)


def _korean_frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 60
    frame = pd.DataFrame(
        {
            "나이": rng.integers(20, 90, n),
            "지역": rng.choice(["서울", "부산", "대구광역시", "제주"], n),
            "혈압": rng.normal(120, 15, n).round(1),
        }
    )
    frame["결과"] = rng.choice(["생존", "사망"], n)
    return frame


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("delimiter", [",", "\t"])
def test_korean_utf16_without_a_byte_order_mark_is_read(encoding, delimiter):
    """Check that Korean UTF-16 text without a byte-order mark (high bytes not zero) reads
    as the table it holds, as pandas reads the same text."""
    frame = _korean_frame()
    text = frame.to_csv(index=False, sep=delimiter)
    table = read_table(text.encode(encoding), name="내보내기.csv")
    assert table.encoding == encoding
    pd.testing.assert_frame_equal(table.frame, frame, check_dtype=False)


def test_korean_utf8_and_digit_files_are_not_taken_for_utf16():
    """Check that the same Korean table in UTF-8 and a file of digits (whose byte pairs read
    as Hangul letters in UTF-16) are read as UTF-8."""
    frame = _korean_frame()
    assert read_table(frame.to_csv(index=False).encode(), name="k.csv").encoding == "utf-8"
    digits = "a,b\n" + "\n".join(f"1{i % 10}1{i % 9},101{i % 7}" for i in range(400))
    assert read_table(digits.encode(), name="d.csv").encoding == "utf-8"


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 40,
        np.random.default_rng(0).integers(0, 2**16, 3000).astype("<u2").tobytes(),
        (np.arange(3000) % 200).astype("<u2").tobytes(),  # small 16-bit integers: high bytes 0
        (np.arange(3000) % 200).astype(">u2").tobytes(),
    ],
    ids=["all-bytes", "random-uint16", "uint16-le", "uint16-be"],
)
def test_binary_bytes_with_zeros_are_still_refused(data):
    """Check that bytes with zeros that are not UTF-16 text stay refused as binary, among
    them 16-bit integers, whose zero high bytes look like UTF-16's."""
    with pytest.raises(DataError, match="not a text table"):
        read_table(data, name="junk.csv")
