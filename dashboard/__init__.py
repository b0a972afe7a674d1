"""The Streamlit app: pages, plotly chart builders, state and i18n."""
