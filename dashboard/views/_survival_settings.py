"""The Data page's survival choices: the time/event pair the profiler recognised, offered
in one click, and the time column and event value pickers of the settings form.

Not a page itself.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import findings, services, state
from dashboard.safe_text import escape_md, plain, shown_names
from dashboard.state import Settings
from dashboard.text import t

NO_TIME = ""  # the time picker's "none" option
MAX_EVENT_VALUES = 20  # a status column with more values than this is not offered as event


def offer(schema: services.Schema) -> None:
    """When the table looks like time to an event and the task is not survival: say why
    (the follow-up time leaks into a yes/no target) and offer the survival task."""
    suggestion = schema.survival_suggestion
    if suggestion is None or schema.task == "survival":
        return
    with st.container(border=True):
        texts = findings.warnings_of(schema.findings, schema, ("survival_time_leak",))
        for text in texts:
            st.warning(text, icon=":material/timer:")
        if not texts:
            st.markdown(
                t(
                    "survival.offer",
                    time=escape_md(suggestion.time_display),
                    event=escape_md(suggestion.event_display),
                )
            )
        event_value = suggestion.event_value
        if suggestion.needs_event_value or suggestion.inverted:  # the user says which value
            values = list(suggestion.event_values)
            if suggestion.inverted:
                st.caption(t("survival.inverted_note", event=escape_md(suggestion.event_display)))
            event_value = st.selectbox(
                t("survival.event_value", event=plain(suggestion.event_display)),
                options=values,
                index=values.index(event_value or "1") if (event_value or "1") in values else None,
                placeholder=t("survival.event_value_placeholder"),
                key="w_offer_event_value",
                help=t("survival.event_value_help"),
            )
        if st.button(
            t("survival.use"),
            key="w_use_survival",
            type="primary",
            icon=":material/timeline:",
            disabled=suggestion.needs_event_value and event_value is None,
        ):
            current = state.settings()
            roles = tuple(
                (k, v) for k, v in current.roles if k not in (suggestion.time, suggestion.event)
            )
            state.set_settings(
                replace(
                    current,
                    target=suggestion.event,
                    task="survival",
                    roles=roles,
                    time=suggestion.time,
                    event_value=event_value,
                )
            )
            st.rerun()


def _time_options(table: services.Table) -> list[str]:
    frame = table.frame
    numeric = [str(c) for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    return [NO_TIME, *numeric]


def pickers(
    schema: services.Schema | None, table: services.Table, current: Settings
) -> tuple[str | None, str | None]:
    """The survival task's time column and event value, inside the settings form.

    They are used only when the task chosen is survival; the time column defaults to the
    one in use or the one the profiler recognised (none: the engine looks for a pair).
    """
    suggestion = schema.survival_suggestion if schema is not None else None
    in_use = schema is not None and schema.task == "survival"
    if not in_use and suggestion is None and current.task != "survival":
        return None, None
    options = _time_options(table)
    default = current.time or (schema.time if schema is not None else None)
    if default is None and suggestion is not None:
        default = suggestion.time
    names = shown_names(table.original_names)
    left, right = st.columns(2)
    time = left.selectbox(
        t("survival.time_column"),
        options=options,
        index=options.index(default) if default in options else 0,
        format_func=lambda n: t("survival.time_auto") if n == NO_TIME else plain(names.get(n, n)),
        help=t("survival.time_help"),
    )
    event_value = right.text_input(
        t("survival.event_value_any"),
        value=current.event_value or (schema.event_value if in_use and schema else None) or "",
        max_chars=80,
        help=t("survival.event_value_help"),
    )
    return (time or None), (event_value.strip() or None)
