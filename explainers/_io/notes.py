"""What each of the reader's notes (``Table.warnings`` codes) says, in plain English.

The app shows its own translations of these codes; the CLI prints these texts and
``summary.json`` keeps them beside their codes.
"""

from __future__ import annotations

READING_NOTES = {
    "comment_lines_skipped": (
        "Lines starting with # above the column names (notes or metadata) were skipped; "
        "the column names were read from the line below them."
    ),
    "duplicate_column_names": (
        "Some column names appeared more than once; the repeats were numbered, e.g. 'age (2)'."
    ),
    "empty_column_names": "Some columns had no name; they were named by position.",
    "empty_columns_dropped": "Columns with no name and no values were removed.",
    "encoding_guessed": (
        "The text encoding had to be guessed (Windows-1252 or Latin-1). If letters look "
        "wrong, save the file as UTF-8."
    ),
    "invalid_bytes_replaced": (
        "Some bytes were not valid UTF-8 and were replaced, so a few characters may show "
        "as a replacement mark."
    ),
    "long_column_names": "Column names longer than 200 characters were shortened.",
    "repeated_header_rows": (
        "Lines repeating the column names below the header (files joined end to end) were left out."
    ),
    "single_column": (
        "No delimiter was found, so the file was read as a single column. Check that it is "
        "a table separated by commas, tabs, semicolons, pipes or spaces."
    ),
    "unsafe_characters_in_column_names": (
        "Square brackets, the less-than sign and control characters in column names were "
        "replaced, because the model cannot use them."
    ),
}


def reading_note(code: str) -> str:
    """The English text of a reader's note; the code itself for one this module lacks."""
    return READING_NOTES.get(code, code)
