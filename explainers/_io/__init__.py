"""Reading a file into a table: detect the content, decode, parse, clean.

``reading`` is the entry point; the other modules are its steps: ``content``
(what the bytes are), ``decoding`` (which text encoding), ``delimited`` (delimiter,
header, the first broken row), ``workbook`` and ``parquet`` (binary formats),
``column_names``, ``cleaning`` (missing markers, typed numbers), ``limits`` and
``bounded`` (size limits).
"""
