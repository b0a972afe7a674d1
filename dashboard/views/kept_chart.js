// A plotly chart that stays mounted between reruns (see _kept_chart.py). Streamlit calls
// the default export with the same parentElement each time the figure changes; the
// first call draws the chart, every later one updates it in place with Plotly.react.
// No data value is ever logged: an error shows a fixed message only.

const LOADING = "__xaiPlotlyLoading";

function loadPlotly(url) {
  if (window.Plotly && window.Plotly.react) return Promise.resolve(window.Plotly);
  if (!window[LOADING]) {
    window[LOADING] = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = url;
      script.async = true;
      script.onload = () =>
        window.Plotly && window.Plotly.react
          ? resolve(window.Plotly)
          : reject(new Error("plotly.js loaded without Plotly"));
      script.onerror = () => {
        window[LOADING] = null; // the next draw tries again
        script.remove();
        reject(new Error("plotly.js could not be fetched"));
      };
      document.head.appendChild(script);
    });
  }
  return window[LOADING];
}

function themeValue(style, name, fallback) {
  const value = style.getPropertyValue(name).trim();
  return value && value !== "unset" ? value : fallback;
}

// Whether a CSS colour is light (the background of a light theme).
function isLight(color) {
  let rgb = null;
  const hex = color.match(/^#([0-9a-f]{3}|[0-9a-f]{6})([0-9a-f]{2})?$/i);
  if (hex) {
    const h = hex[1].length === 3 ? hex[1].replace(/./g, "$&$&") : hex[1];
    rgb = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
  } else {
    const m = color.match(/rgba?\(([^)]+)\)/i);
    if (m) rgb = m[1].split(",").slice(0, 3).map((v) => parseFloat(v));
  }
  if (!rgb || rgb.some((v) => Number.isNaN(v))) return true;
  return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 127.5;
}

// The defaults Streamlit's own plotly theme gives a chart (its grey text and grid lines,
// fonts and sizes), read from the app's theme, light or dark, through the CSS variables
// Streamlit sets around a component.
function themeLayout(element) {
  const style = getComputedStyle(element);
  const background = themeValue(style, "--st-background-color", "#ffffff");
  const light = isLight(background);
  const text = light ? "#808495" : "#e6eaf1";
  const grid = light ? "#e6eaf1" : "#31333F";
  const heading = themeValue(style, "--st-heading-color", light ? "#31333F" : "#fafafa");
  const border = themeValue(style, "--st-border-color", grid);
  const font = themeValue(style, "--st-font", "sans-serif");
  const headingFont = themeValue(style, "--st-heading-font", font);
  const palette = themeValue(style, "--st-chart-categorical-colors", "");
  const colorway = palette ? palette.split(",").map((c) => c.trim()).filter(Boolean) : undefined;
  const axis = {
    zerolinecolor: grid,
    gridcolor: grid,
    tickcolor: grid,
    tickfont: { color: text, size: 12 },
    minor: { gridcolor: grid },
    automargin: true,
  };
  return {
    ...(colorway && colorway.length ? { colorway } : {}),
    font: { color: text, family: font, size: 12 },
    title: { font: { family: headingFont, size: 16, color: heading }, xanchor: "left", x: 0, pad: { l: 4 } },
    legend: { font: { size: 12, color: text }, bordercolor: "rgba(0,0,0,0)", borderwidth: 0, valign: "top" },
    paper_bgcolor: background,
    plot_bgcolor: background,
    xaxis: { ...axis, showgrid: false, zeroline: false, title: { font: { color: text, size: 14 }, standoff: 20 } },
    yaxis: { ...axis, ticklabelposition: "outside", title: { font: { color: text, size: 14 }, standoff: 24 } },
    margin: { pad: 8, r: 0, l: 0 },
    hoverlabel: { bgcolor: background, bordercolor: border, font: { color: text, family: font, size: 12 } },
  };
}

function withTheme(figure, element) {
  const layout = { ...(figure.layout || {}) };
  layout.template = { layout: themeLayout(element) };
  const title = layout.title;
  const bold = (text) => (text.startsWith("<b>") ? text : `<b>${text}</b>`);
  if (title && typeof title === "object" && typeof title.text === "string" && title.text) {
    layout.title = { ...title, text: bold(title.text) };
  } else if (typeof title === "string" && title) {
    layout.title = { text: bold(title) };
  }
  return { data: figure.data || [], layout };
}

// A toolbar button that shows the chart on the whole screen and back (the one
// st.plotly_chart adds), labelled in the user's language.
const CORNERS =
  "M0 0h360v110H110v250H0zM640 0h360v360H890V110H640zM0 640h110v250h250v110H0zM890 640h110v360H640V890h250z";

function toggleFullscreen(gd) {
  if (document.fullscreenElement) return document.exitFullscreen();
  return gd.requestFullscreen ? gd.requestFullscreen() : undefined;
}

// The same config object for the same settings: Plotly.react draws the plot afresh when
// its config changes, and a new button (a new click function) would count as a change.
function plotConfig(gd, spec, full) {
  const labels = spec.labels || {};
  const wanted = JSON.stringify([spec.config || {}, full, labels]);
  if (gd.__xaiConfig && gd.__xaiConfig.wanted === wanted) return gd.__xaiConfig.config;
  const base = spec.config || {};
  const title = full ? labels.exit || "Exit full screen" : labels.open || "Full screen";
  const config = {
    ...base,
    // Nothing leaves the machine: plotly's "share" upload to Plotly Cloud is never offered.
    showSendToCloud: false,
    showEditInChartStudio: false,
    showLink: false,
    modeBarButtonsToRemove: [
      ...(base.modeBarButtonsToRemove || []),
      "sendChartToCloud",
      "lasso2d",
      "select2d",
    ],
    modeBarButtonsToAdd: [
      { name: title, title, icon: { width: 1000, height: 1000, path: CORNERS }, click: () => toggleFullscreen(gd) },
      ...(base.modeBarButtonsToAdd || []),
    ],
  };
  gd.__xaiConfig = { wanted, config };
  return config;
}

function draw(Plotly, gd, spec, host) {
  const { data: traces, layout } = withTheme(spec.figure, host);
  const full = document.fullscreenElement === gd;
  if (full) layout.height = window.innerHeight;
  gd.style.background = full ? layout.template.layout.paper_bgcolor : "";
  return Plotly.react(gd, traces, layout, plotConfig(gd, spec, full));
}

export default function ({ data, parentElement }) {
  const spec = typeof data === "string" ? JSON.parse(data) : data;
  if (typeof spec.figure === "string") spec.figure = JSON.parse(spec.figure);
  let gd = parentElement.querySelector(":scope > .xai-kept-chart");
  if (!gd) {
    gd = document.createElement("div");
    gd.className = "xai-kept-chart";
    gd.style.width = "100%";
    parentElement.appendChild(gd);
  }
  gd.__xaiSpec = spec; // what a fullscreen change redraws
  const height = (spec.figure.layout && spec.figure.layout.height) || 450;
  gd.style.minHeight = `${height}px`;
  let cancelled = false;
  loadPlotly(spec.plotly)
    .then((Plotly) => {
      if (cancelled) return undefined;
      const message = parentElement.querySelector(":scope > .xai-kept-chart-failed");
      if (message) message.remove();
      const drawn = draw(Plotly, gd, spec, parentElement);
      if (!gd.__xaiListening) {
        gd.__xaiListening = true;
        gd.addEventListener("fullscreenchange", () => draw(Plotly, gd, gd.__xaiSpec, parentElement));
        if (window.ResizeObserver) {
          let last = gd.clientWidth;
          gd.__xaiResize = new ResizeObserver(() => {
            // only a displayed plot can be resized (a hidden one keeps its size)
            if (gd.clientWidth !== last && gd.clientWidth > 0 && gd._fullLayout && gd.isConnected) {
              last = gd.clientWidth;
              Promise.resolve(Plotly.Plots.resize(gd)).catch(() => undefined);
            }
          });
          gd.__xaiResize.observe(gd);
        }
      }
      return drawn;
    })
    .catch(() => {
      if (cancelled || parentElement.querySelector(":scope > .xai-kept-chart-failed")) return;
      const message = document.createElement("p");
      message.className = "xai-kept-chart-failed";
      message.textContent = spec.failed || "The chart could not be drawn.";
      parentElement.insertBefore(message, gd);
    });
  return () => {
    cancelled = true;
    // Called before each update and once when the chart leaves the page: only then is
    // the plot released (its listeners and WebGL contexts).
    setTimeout(() => {
      if (!gd.isConnected) {
        if (gd.__xaiResize) gd.__xaiResize.disconnect();
        if (window.Plotly) window.Plotly.purge(gd);
      }
    }, 0);
  };
}
