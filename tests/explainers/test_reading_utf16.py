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


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 40,
        (np.arange(3000) % 200).astype("<u2").tobytes(),  # small 16-bit integers: high bytes 0
        (np.arange(3000) % 200).astype(">u2").tobytes(),
    ],
    ids=["all-bytes", "uint16-le", "uint16-be"],
)
def test_binary_bytes_with_zeros_are_still_refused(data):
    """Check that bytes with zeros that are not UTF-16 text stay refused as binary, among
    them 16-bit integers, whose zero high bytes look like UTF-16's."""
    with pytest.raises(DataError, match="not a text table"):
        read_table(data, name="junk.csv")
