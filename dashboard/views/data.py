"""Data page: pick a sample or upload a file; target, task and column roles; profile."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard import column_profile, findings, services, state
from dashboard.i18n import fmt_number, has_key
from dashboard.safe_text import escape_md, plain, shown_names
from dashboard.state import Settings
from dashboard.text import error_message, t
from dashboard.views import _column_profile, _findings, _open_analysis, _reading, _survival_settings
from dashboard.views import _common as ui
from explainers import Role, TaskChoice

UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "parquet"]
MODEL_TYPES = ["json", "ubj"]
TASKS: list[TaskChoice] = ["auto", "binary", "multiclass", "regression", "survival"]
PREVIEW_ROWS = 500


def _on_sample_change() -> None:
    sample_id = state.widget_value("sample_select")
    if services.is_sample_id(sample_id):
        services.use_sample(sample_id)


def _sample_label(sample_id: str) -> str:
    info = next(s for s in services.samples() if s.id == sample_id)
    lang = state.language()
    title = info.title.get(lang, info.title["en"])
    mark = t("data.synthetic_mark") if info.synthetic else t("data.real_mark")
    return (
        f"{title} · {t(f'task.{info.task}')} · {fmt_number(info.n_rows)} "
        f"{t('data.rows_word')}{mark}"
    )


def _source_picker() -> None:
    left, right = st.columns(2, gap="large")
    current = state.source()
    with left:
        st.subheader(t("data.samples"), anchor=False)
        ids = [s.id for s in services.samples()]
        state.set_widget_value(
            "sample_select", current.name if current and current.is_sample else None
        )
        st.selectbox(
            t("data.sample_label"),
            options=ids,
            format_func=_sample_label,
            index=None,
            placeholder=t("data.sample_placeholder"),
            key="sample_select",
            on_change=_on_sample_change,
        )
        meta = services.sample_meta(current)
        if meta is not None:
            st.caption(
                escape_md(
                    meta.description.get(state.language(), meta.description["en"]), max_len=600
                )
            )
        _open_analysis.picker()
    with right:
        st.subheader(t("data.upload"), anchor=False)
        uploaded = st.file_uploader(
            t("data.upload_label"),
            type=UPLOAD_TYPES,
            key="upload_file",
            help=t("data.upload_help", mb=fmt_number(st.get_option("server.maxUploadSize"))),
        )
        if uploaded is not None and not state.upload_seen(uploaded.file_id):
            state.set_upload(uploaded.name, uploaded.getvalue(), token=uploaded.file_id)
        st.caption(t("data.privacy_note"))
        now = state.source()
        if now is None or now.kind != "analysis":  # a saved analysis brings its own model
            _model_picker()


def _model_target(table: services.Table, analysis: services.Analysis | None) -> None:
    """With an uploaded model, the target is the one choice left: any column it does not use."""
    used = set(analysis.features) if analysis is not None else set()
    names = [str(c) for c in table.frame.columns if str(c) not in used]
    if not names:
        return
    current = analysis.schema.target if analysis is not None else state.settings().target
    index = names.index(current) if current in names else None
    display = shown_names(table.original_names)
    choice = st.selectbox(
        t("data.target"),
        options=names,
        index=index,
        key="w_model_target",
        format_func=lambda n: plain(display.get(n, n)),
        placeholder=t("data.target_placeholder"),
    )
    if choice is not None and choice != current:
        state.set_settings(replace(state.settings(), target=choice))
        st.rerun()


def _model_picker() -> None:
    """Bring your own XGBoost model (JSON/UBJSON) instead of training one."""
    current = state.model_file()
    with st.expander(
        t("data.model_upload_title"), expanded=current is not None, icon=":material/upload_file:"
    ):
        st.caption(t("data.model_upload_help"))
        uploaded = st.file_uploader(
            t("data.model_upload_label"), type=MODEL_TYPES, key="upload_model"
        )
        if uploaded is not None and not state.model_file_seen(uploaded.file_id):
            state.set_model_file(uploaded.name, uploaded.getvalue(), token=uploaded.file_id)
            current = state.model_file()
        if current is not None:
            st.markdown(t("data.model_in_use", name=escape_md(current.name, max_len=60)))
            if st.button(
                t("data.model_remove"), key="w_model_remove", icon=":material/model_training:"
            ):
                state.clear_model_file()
                st.rerun()


def _quality_warnings(analysis: services.Analysis | None, table: services.Table) -> None:
    messages = [
        t(f"table_warning.{code}") for code in table.warnings if has_key(f"table_warning.{code}")
    ]
    if analysis is not None:
        messages += [
            t(f"model_warning.{code}")
            for code in analysis.warnings
            if has_key(f"model_warning.{code}")
        ]
    renamed = column_profile.renamed_columns(table)
    if renamed:
        messages.append(t("data.warn_renamed", n=fmt_number(len(renamed))))
    if analysis is not None:
        dataset = analysis.dataset
        if dataset.n_dropped_missing_target:
            messages.append(
                t(
                    "data.warn_dropped",
                    n=fmt_number(dataset.n_dropped_missing_target),
                    target=escape_md(analysis.model.target_display),
                )
            )
        if dataset.n_inf_replaced:
            messages.append(t("data.warn_inf", n=fmt_number(dataset.n_inf_replaced)))
        excluded = analysis.schema.excluded
        if excluded:
            messages.append(t("data.warn_excluded", n=fmt_number(len(excluded))))
    for message in messages:
        st.warning(message, icon=":material/warning:")
    if renamed:
        with st.expander(t("data.renamed_title")):
            columns = [t("data.col_original"), t("data.col_used")]
            st.dataframe(pd.DataFrame(renamed, columns=columns), hide_index=True)


def _settings_form(schema: services.Schema, table: services.Table) -> None:
    current = state.settings()
    names = [str(c) for c in table.frame.columns]
    display = shown_names(table.original_names)
    st.subheader(t("data.settings_title"), anchor=False)
    st.caption(t("data.settings_intro"))
    profiles = [c for c in schema.columns if c.role != "target"]
    frame = pd.DataFrame(
        {
            "column": [plain(c.display_name, max_len=80) for c in profiles],
            "kind": [t(f"kind.{c.kind}") for c in profiles],
            "role": [t(f"role.{c.role}") for c in profiles],
            "why": [findings.reason_text(c) for c in profiles],
        }
    )
    role_options = [t("role.feature"), t("role.excluded")]
    with st.form(f"w_settings_{ui.short_key(current.key())}", border=True):
        left, right = st.columns(2)
        target = left.selectbox(
            t("data.target"),
            options=names,
            index=names.index(schema.target),
            format_func=lambda n: plain(display.get(n, n), max_len=80),
            help=t("data.target_help"),
        )
        task = right.selectbox(
            t("data.task"),
            options=TASKS,
            index=TASKS.index(current.task),
            format_func=lambda v: t(f"task_choice.{v}"),
            help=t("data.task_help", task=t(f"task.{schema.task}")),
        )
        time, event_value = _survival_settings.pickers(schema, table, current)
        edited = st.data_editor(
            frame,
            hide_index=True,
            width="stretch",
            disabled=["column", "kind", "why"],
            column_config={
                "column": st.column_config.TextColumn(t("data.col_column")),
                "kind": st.column_config.TextColumn(t("data.col_kind")),
                "role": st.column_config.SelectboxColumn(
                    t("data.col_role"), options=role_options, required=True
                ),
                "why": st.column_config.TextColumn(t("data.col_why"), width="large"),
            },
            key=f"w_roles_{ui.short_key(current.key())}",
        )
        submitted = st.form_submit_button(
            t("data.apply"), type="primary", icon=":material/refresh:"
        )
    if submitted:
        roles: dict[str, Role] = dict(current.roles)
        for profile, role_text in zip(profiles, edited["role"], strict=True):
            role: Role = "feature" if role_text == role_options[0] else "excluded"
            if role != profile.role:
                roles[profile.name] = role
        roles.pop(target, None)
        survival = task == "survival"
        state.set_settings(
            Settings(
                target=target,
                task=task,
                roles=tuple(sorted(roles.items())),
                time=time if survival else None,
                event_value=event_value if survival else None,
            )
        )
        st.rerun()


def _fallback_settings(table: services.Table, error: BaseException) -> None:
    """When the current settings fail: let the user pick another target and task, starting
    from the target that failed (chosen, or named in the error), so that its task can be
    changed in one step."""
    names = [str(c) for c in table.frame.columns]
    failed = state.settings().target or getattr(error, "params", {}).get("column")
    display = shown_names(table.original_names)
    shown = [display.get(n, n) for n in names]
    start = next((i for i, n in enumerate(names) if failed in (n, shown[i])), 0)
    with st.form("w_settings_fallback"):
        target = st.selectbox(
            t("data.target"),
            options=names,
            index=start,
            format_func=lambda n: plain(display.get(n, n)),
        )
        task = st.selectbox(
            t("data.task"), options=TASKS, format_func=lambda v: t(f"task_choice.{v}")
        )
        time, event_value = _survival_settings.pickers(None, table, state.settings())
        if st.form_submit_button(t("data.apply"), type="primary"):
            survival = task == "survival"
            state.set_settings(
                Settings(
                    target=target,
                    task=task,
                    time=time if survival else None,
                    event_value=event_value if survival else None,
                )
            )
            st.rerun()


def _body() -> None:
    ui.page_header("data.title", "data.intro")
    _source_picker()
    source = state.source()
    if source is None:
        st.info(t("data.start"), icon=":material/arrow_upward:")
        return
    st.divider()
    if source.kind == "analysis":
        _open_analysis.overview(source)
        return
    try:
        table = services.load_table(source)
    except services.data_error_types() as error:
        st.error(error_message(error), icon=":material/error:")
        _reading.reset_choice(source)
        return
    _reading.workbook_controls(source, table)
    # The analysis comes above the table's preview and profile, but the preview and
    # profile are drawn first when the schema is known before training: the browser loads
    # the chart library and draws them while the model trains.
    head, tail = st.container(), st.container()
    schema, analysis, tail_drawn = None, None, False
    if state.model_file() is not None:  # the uploaded model decides features and task
        with head:
            analysis = ui.current_analysis(quiet=False)
        state.pop_notices()  # "the target was guessed": this page says why, below
        schema = analysis.schema if analysis is not None else None
    else:
        try:
            schema = services.load_schema(source, state.settings())
        except services.data_error_types() as error:
            with head:
                st.error(error_message(error), icon=":material/error:")
                _fallback_settings(table, error)
        if schema is not None:  # the model trains while the preview and profile are drawn
            services.start_analysis(source, state.settings(), state.model_settings())
            with tail:
                _table_itself(source, schema, table)
            tail_drawn = True
            with head:
                analysis = ui.current_analysis(quiet=False)
            state.pop_notices()  # "the target was guessed": this page says why, below
    with head:
        _analysis_part(source, table, schema, analysis)
    if not tail_drawn:
        with tail:
            _table_itself(source, schema, table)


def _analysis_part(
    source: state.Source,
    table: services.Table,
    schema: services.Schema | None,
    analysis: services.Analysis | None,
) -> None:
    """What the page says about the analysis: the overview, findings, how the file was
    read, and the settings."""
    _overview(table, schema, analysis)
    if schema is not None and state.model_file() is None:
        _survival_settings.offer(schema)
        _findings.data_fixes(schema, analysis)
    _quality_warnings(analysis, table)
    _reading.how_it_was_read(source, table)
    if state.model_file() is not None:
        st.info(t("data.model_decides"), icon=":material/upload_file:")
        _model_target(table, analysis)
    elif schema is not None:
        _settings_form(schema, table)


def _table_itself(
    source: state.Source, schema: services.Schema | None, table: services.Table
) -> None:
    """The table's preview, column profile and (for a sample) data dictionary."""
    st.subheader(t("data.preview_title"), anchor=False)
    st.caption(
        t(
            "data.preview_caption",
            n=fmt_number(min(PREVIEW_ROWS, len(table.frame))),
            total=fmt_number(len(table.frame)),
        )
    )
    preview = table.frame.head(PREVIEW_ROWS)
    st.dataframe(preview, width="stretch", height=300)
    _column_profile.show_profile(source, schema, table)
    _column_profile.show_dictionary(source)


def _overview(
    table: services.Table, schema: services.Schema | None, analysis: services.Analysis | None
) -> None:
    cols = st.columns([1, 1, 1, 2])  # the task name is the longest value
    cols[0].metric(t("data.metric_rows"), fmt_number(len(table.frame)))
    cols[1].metric(t("data.metric_columns"), fmt_number(len(table.frame.columns)))
    if schema is not None:
        cols[2].metric(t("data.metric_features"), fmt_number(len(schema.features)))
        cols[3].metric(t("data.metric_task"), t(f"task.{schema.task}"))
        guessed = t("data.guessed_tag") if schema.target_guessed else ""
        target = escape_md(schema.display_names[schema.target])
        if schema.task == "survival" and schema.time is not None:
            time = escape_md(schema.display_names.get(schema.time, schema.time))
            event_value = escape_md(schema.event_value or "")
            key = "data.survival_line_value" if schema.event_value else "data.survival_line"
            st.markdown(t(key, event=target, time=time, value=event_value, guessed=guessed))
        else:
            st.markdown(t("data.target_line", target=target, guessed=guessed))
        _findings.data_warnings(schema, analysis)
    if analysis is not None:
        ui.model_headline(analysis)


ui.run_page(_body)
