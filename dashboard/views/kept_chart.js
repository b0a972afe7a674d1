// A plotly chart that stays mounted between reruns (see _kept_chart.py). Streamlit calls
// the default export with the same parentElement each time the figure changes; the
// first call draws the chart, every later one updates it in place with Plotly.react.
// No data value is ever logged: an error shows a fixed message only.

const LOADING = "__xaiPlotlyLoading";
// The plotly.js this script loaded. Not window.Plotly: Streamlit's own chart bundle sets
// that name to its plotly.js when it loads, earlier or later than this one.
const PLOTLY = "__xaiPlotly";

function loadScript(url) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.async = true;
    script.onload = () => {
      // the load event follows the script's run in the same task: window.Plotly is its own
      const Plotly = window.Plotly;
      if (Plotly && Plotly.react) {
        window[PLOTLY] = Plotly;
        resolve(Plotly);
      } else reject(new Error("plotly.js loaded without Plotly"));
    };
    script.onerror = () => {
      script.remove();
      reject(new Error("plotly.js could not be fetched"));
    };
    document.head.appendChild(script);
  });
}

// Where plotly.js may be: the component route next to the page the browser shows (right
// behind a proxy that strips a path prefix), the same one level up (a page address that
// ends in "/"), then the address the server built from its own base path.
function plotlyUrls(spec) {
  const here = window.location.href;
  const urls = [];
  if (spec.plotlyPath) {
    urls.push(new URL(spec.plotlyPath, here).href);
    const path = window.location.pathname;
    if (path.endsWith("/") && path.replace(/\/+$/, "").includes("/")) {
      urls.push(new URL(`../${spec.plotlyPath}`, here).href);
    }
  }
  if (spec.plotly) urls.push(new URL(spec.plotly, here).href);
  return [...new Set(urls)];
}

function loadPlotly(spec) {
  if (window[PLOTLY]) return Promise.resolve(window[PLOTLY]);
  if (!window[LOADING]) {
    window[LOADING] = plotlyUrls(spec)
      .reduce((tried, url) => tried.catch(() => loadScript(url)), Promise.reject(new Error("no address")))
      .catch((error) => {
        window[LOADING] = null; // the next draw tries again
        throw error;
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

// The message shown in place of a chart; only a fixed text, never a data value.
function showFailure(parentElement, gd, text) {
  let message = parentElement.querySelector(":scope > .xai-kept-chart-failed");
  if (!message) {
    message = document.createElement("p");
    message.className = "xai-kept-chart-failed";
    parentElement.insertBefore(message, gd);
  }
  message.textContent = text;
}

function listen(Plotly, gd, parentElement) {
  if (gd.__xaiListening) return;
  gd.__xaiListening = true;
  gd.addEventListener("fullscreenchange", () => {
    Promise.resolve(draw(Plotly, gd, gd.__xaiSpec, parentElement)).catch(() => undefined);
  });
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
  // Streamlit calls this function again for each new figure without a cleanup in between
  // (the cleanup runs only when the chart leaves the page), so each call takes a number and
  // only the latest one draws or reports: a slow earlier call never overwrites a newer row.
  const seq = (gd.__xaiSeq || 0) + 1;
  gd.__xaiSeq = seq;
  const current = () => gd.__xaiSeq === seq && gd.isConnected;
  loadPlotly(spec).then(
    (Plotly) => {
      if (!current()) return undefined;
      gd.style.display = ""; // shown again if an earlier figure failed
      return Promise.resolve()
        .then(() => draw(Plotly, gd, spec, parentElement))
        .then(() => {
          if (!current()) return;
          const message = parentElement.querySelector(":scope > .xai-kept-chart-failed");
          if (message) message.remove();
          listen(Plotly, gd, parentElement);
        })
        .catch((error) => {
          // the name and message of plotly's error only: they hold no cell value
          console.error("xai kept chart: the figure could not be drawn:", error && error.name, error && error.message);
          if (!current()) return;
          // the previous figure (another row's) must not stay on screen under the message
          Plotly.purge(gd);
          gd.style.display = "none";
          showFailure(parentElement, gd, spec.failed || "The chart could not be drawn.");
        });
    },
    (error) => {
      console.error("xai kept chart: plotly.js could not be loaded:", error && error.message);
      if (!current()) return;
      if (window[PLOTLY] && gd._fullLayout) window[PLOTLY].purge(gd);
      gd.style.display = "none";
      showFailure(parentElement, gd, spec.loadFailed || spec.failed || "The chart library could not be loaded.");
    },
  );
  return () => {
    // Runs when the chart leaves the page (not between figures): only then is the plot
    // released (its listeners and WebGL contexts). The check in a later task lets a chart
    // that is only moved keep its plot.
    setTimeout(() => {
      if (!gd.isConnected) {
        if (gd.__xaiResize) gd.__xaiResize.disconnect();
        if (window[PLOTLY]) window[PLOTLY].purge(gd);
      }
    }, 0);
  };
}
