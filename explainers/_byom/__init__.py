"""Bring your own model: an uploaded XGBoost model file, checked and matched to a table.

``model_file`` checks the file's bytes and parses it in a sandboxed child process
(``probe``, run as a script); ``checks`` compares the model's features and target
with the table; ``attach`` builds the schema, dataset and model wrapper from them.
"""
