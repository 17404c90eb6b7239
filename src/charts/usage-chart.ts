import path from "node:path";
import { renderAsync } from "@resvg/resvg-js";
import type { TopLevelSpec } from "vega-lite";
import { interTextWidth } from "./inter-metrics";

/** One stacked layer: a member (or "others"), with tokens per day in the same order as `days`. */
export interface UsageChartSeries {
  name: string;
  values: number[];
}

export interface UsageChartInput {
  title: string;
  /** Labels for the x axis, one per day, e.g. "Mon 16". */
  days: string[];
  /** Top members by name, plus a series named "others" for everyone else. */
  series: UsageChartSeries[];
  /** Layout size in CSS pixels; the PNG has CHART_PIXEL_RATIO times as many pixels each way. */
  width?: number;
  height?: number;
}

export const CHART_WIDTH = 900;
export const CHART_HEIGHT = 450;
/** Slack's clients are mostly on HiDPI screens: at 1× the axis text comes out blurry. */
export const CHART_PIXEL_RATIO = 2;
/** The series name that collects everyone outside the top members (any case). */
export const OTHERS = "others";

const MAX_DAYS = 31;
const MAX_SIDE = 4000;
/** Named layers beyond this are folded into "others": past ten, colours stop being told apart. */
const MAX_NAMED = 10;
const MAX_NAME_CHARS = 24;

// Tableau 10 without its grey (kept for "others") plus a light blue: distinct, colour-blind friendly.
const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#a0cbe8",
];
const OTHERS_COLOUR = "#bab0ac";
const TEXT = "#1d1c1d";
const MUTED = "#616061";

// Servers have no system fonts: resvg draws text only with fonts it is handed, so ship Inter
// (OFL, TTF: resvg reads TTF/OTF, not woff2) and make every SVG text node ask for it.
const FONT_FAMILY = "Inter";
const FONT_DIR = path.dirname(require.resolve("@expo-google-fonts/inter/package.json"));
export const CHART_FONT_FILES = [
  path.join(FONT_DIR, "400Regular", "Inter_400Regular.ttf"),
  path.join(FONT_DIR, "600SemiBold", "Inter_600SemiBold.ttf"),
];

const UNITS: [number, string][] = [
  [1e12, "t"],
  [1e9, "b"],
  [1e6, "m"],
  [1e3, "k"],
];

/** 950 → "950", 12_345 → "12.3k", 1_500_000 → "1.5m": three significant digits at most. */
export function compactTokens(n: number): string {
  for (const [index, [size, suffix]] of UNITS.entries()) {
    if (n < size) continue;
    const scaled = Number((n / size).toPrecision(3));
    // 999,950 rounds to "1000k": say "1m" instead.
    if (scaled >= 1000 && index > 0) {
      const [bigger, biggerSuffix] = UNITS[index - 1];
      return `${Number((n / bigger).toPrecision(3))}${biggerSuffix}`;
    }
    return `${scaled}${suffix}`;
  }
  return String(Math.round(n));
}

/** The same rule as compactTokens, as a Vega expression for the axis labels. */
function compactExpression(value: string): string {
  return UNITS.reduceRight(
    (otherwise, [size, suffix]) =>
      `${value} >= ${size} ? format(${value} / ${size}, '.3~r') + '${suffix}' : ${otherwise}`,
    `format(${value}, '~r')`,
  );
}

// Inter has no emoji and resvg has no fallback font: a pictograph would be a blank box.
const UNDRAWABLE =
  /[\p{Extended_Pictographic}\p{Emoji_Modifier}\p{Regional_Indicator}\p{Cc}\p{Cf}\u{fe0e}\u{fe0f}\u{20e3}]/gu;

/** A name as the chart can draw it: no emoji or control characters, one line, short. */
function displayName(name: string): string {
  const clean = name.replace(UNDRAWABLE, "").replace(/\s+/g, " ").trim();
  const chars = [...clean];
  if (chars.length === 0) return "(no name)";
  if (chars.length <= MAX_NAME_CHARS) return clean;
  const kept = chars.slice(0, MAX_NAME_CHARS - 1).join("");
  return `${kept.trimEnd()}…`;
}

interface Layer {
  label: string;
  colour: string;
  values: number[];
  total: number;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function checkInput(input: UsageChartInput): void {
  const { days, series } = input;
  if (days.length === 0 || days.length > MAX_DAYS)
    throw new RangeError(`A usage chart needs 1 to ${MAX_DAYS} days; it was given ${days.length}.`);
  if (new Set(days).size !== days.length)
    throw new RangeError(`Each day label must be unique; got ${days.join(", ")}.`);
  for (const s of series) {
    if (s.values.length !== days.length)
      throw new RangeError(
        `Series "${s.name}" has ${s.values.length} values; give one per day (${days.length}).`,
      );
    if (s.values.some((v) => !Number.isFinite(v) || v < 0))
      throw new RangeError(`Series "${s.name}" has a value that is not a token count (a number ≥ 0).`);
  }
  for (const [side, value] of [
    ["width", input.width],
    ["height", input.height],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 200 && value <= MAX_SIDE))
      throw new RangeError(`The chart's ${side} must be a whole number of pixels from 200 to ${MAX_SIDE}.`);
  }
}

/**
 * The layers to stack, biggest first: members with no tokens are left out, members past the tenth
 * join "others", and each legend label carries the member's total for the period.
 */
function layers(input: UsageChartInput): Layer[] {
  const zeros = input.days.map(() => 0);
  const others = { values: [...zeros] };
  const addTo = (target: { values: number[] }, values: number[]) =>
    values.forEach((v, i) => (target.values[i] += v));
  const named: { name: string; values: number[]; total: number }[] = [];
  for (const s of input.series) {
    if (s.name.trim().toLowerCase() === OTHERS) addTo(others, s.values);
    else named.push({ name: displayName(s.name), values: s.values, total: sum(s.values) });
  }
  // Stable: members with equal totals keep the caller's order.
  const ranked = named.filter((m) => m.total > 0).sort((a, b) => b.total - a.total);
  for (const extra of ranked.splice(MAX_NAMED)) addTo(others, extra.values);

  const seen = new Map<string, number>();
  const result: Layer[] = ranked.map((m, i) => {
    const count = (seen.get(m.name) ?? 0) + 1;
    seen.set(m.name, count);
    const name = count > 1 ? `${m.name} (${count})` : m.name;
    return {
      label: `${name} · ${compactTokens(m.total)}`,
      colour: PALETTE[i],
      values: m.values,
      total: m.total,
    };
  });
  const othersTotal = sum(others.values);
  if (othersTotal > 0) {
    result.push({
      label: `Others · ${compactTokens(othersTotal)}`,
      colour: OTHERS_COLOUR,
      values: others.values,
      total: othersTotal,
    });
  }
  return result;
}

function chartSpec(input: UsageChartInput, stack: Layer[], width: number, height: number): TopLevelSpec {
  const { days } = input;
  const dayTotals = days.map((_, i) => sum(stack.map((layer) => layer.values[i])));
  const grandTotal = sum(dayTotals);
  const peak = Math.max(0, ...dayTotals);
  // A zero-height bar would still draw its white outline across the axis.
  const rows = stack.flatMap((layer, order) =>
    days
      .map((day, i) => ({ day, member: layer.label, order, tokens: layer.values[i] }))
      .filter((row) => row.tokens > 0),
  );
  const totals = days
    .map((day, i) => ({ day, total: dayTotals[i], label: compactTokens(dayTotals[i]) }))
    .filter((d) => d.total > 0);
  const x = {
    field: "day",
    type: "ordinal" as const,
    sort: days,
    scale: { domain: days, paddingInner: 0.28, paddingOuter: 0.14 },
    axis: { title: null, labelAngle: 0, labelPadding: 8, ticks: false, domainColor: "#c8c8c8" },
  };
  // Headroom so the total above the tallest bar stays inside the plot.
  const yScale = peak > 0 ? { domain: [0, peak * 1.12], nice: true } : { domain: [0, 1] };
  const y = {
    field: "tokens",
    type: "quantitative" as const,
    stack: "zero" as const,
    scale: yScale,
    axis: {
      // The subtitle already says these are tokens per day.
      title: null,
      labelExpr: compactExpression("datum.value"),
      tickCount: 5,
      tickMinStep: 1,
      ...(peak > 0 ? {} : { values: [0] }),
      domain: false,
      ticks: false,
      gridColor: "#ebebeb",
    },
  };

  return {
    width,
    height,
    autosize: { type: "fit", contains: "padding" },
    padding: { top: 20, left: 20, right: 24, bottom: 16 },
    background: "#ffffff",
    title: {
      text: input.title,
      subtitle:
        grandTotal > 0
          ? `Tokens per day, by member · ${compactTokens(grandTotal)} in total`
          : "Tokens per day, by member",
      anchor: "start",
      offset: 18,
    },
    config: {
      font: FONT_FAMILY,
      view: { stroke: null },
      title: {
        fontSize: 18,
        fontWeight: 600,
        color: TEXT,
        subtitleFontSize: 13,
        subtitleColor: MUTED,
        subtitlePadding: 6,
        limit: width - 60,
      },
      axis: { labelFontSize: 12, labelColor: MUTED, titleFontSize: 12 },
      legend: {
        labelFontSize: 13,
        labelColor: TEXT,
        labelLimit: 0,
        symbolType: "square",
        symbolSize: 140,
        symbolStrokeWidth: 0,
        rowPadding: 7,
        offset: 24,
      },
    },
    layer: [
      {
        data: { values: rows },
        mark: { type: "bar", stroke: "#ffffff", strokeWidth: 0.75 },
        encoding: {
          x,
          y,
          color: {
            field: "member",
            type: "nominal",
            scale: { domain: stack.map((l) => l.label), range: stack.map((l) => l.colour) },
            legend: stack.length > 0 ? { title: null, orient: "right" } : null,
          },
          // The biggest member sits on the axis, where bars are easiest to compare.
          order: { field: "order", type: "quantitative", sort: "ascending" },
        },
      },
      {
        data: { values: totals },
        mark: { type: "text", baseline: "bottom", dy: -5, fontSize: 12, fontWeight: 600, color: TEXT },
        encoding: {
          x,
          y: { field: "total", type: "quantitative" },
          text: { field: "label", type: "nominal" },
        },
      },
      ...(grandTotal > 0
        ? []
        : [
            {
              data: { values: [{ text: "No usage in this period" }] },
              mark: {
                type: "text" as const,
                x: { expr: "width / 2" },
                y: { expr: "height / 2" },
                fontSize: 15,
                color: MUTED,
              },
              encoding: { text: { field: "text", type: "nominal" as const } },
            },
          ]),
    ],
  };
}

type Engines = { vegaLite: typeof import("vega-lite"); vega: typeof import("vega") };
let engines: Promise<Engines> | undefined;

/**
 * vega-lite and vega are ES modules with top-level await: `require` can't load them, so a dynamic
 * import (kept as one by tsx and vitest) loads them once, on the first chart.
 */
function loadEngines(): Promise<Engines> {
  engines ??= Promise.all([import("vega-lite"), import("vega")]).then(([vegaLite, vega]) => {
    measureTextInInter(vega);
    return { vegaLite, vega };
  });
  return engines;
}

interface TextItem {
  fontSize?: number | null;
  fontWeight?: string | number | null;
  limit?: number | null;
}

/**
 * Vega sizes legends and places labels by text width, which without a canvas it guesses at 0.8 em
 * a character; hand it Inter's real widths (the hook vega-scenegraph leaves for this, as vl-convert
 * uses). Only charts use vega in this process, so replacing the shared function is safe.
 */
function measureTextInInter(vega: typeof import("vega")): void {
  const { textMetrics } = vega as unknown as {
    textMetrics: { width: (item: TextItem, text: unknown) => number };
  };
  textMetrics.width = (item, text) => {
    const line = text == null ? "" : String(text).trim();
    const size = item.fontSize == null ? 11 : Number(item.fontSize) || 0;
    const weight = item.fontWeight;
    const bold = weight === "bold" || Number(weight) >= 600;
    const width = interTextWidth(line, size, bold);
    // Vega truncates text past its limit to fit it, so the limit is as wide as it gets.
    return item.limit != null && item.limit > 0 ? Math.min(width, item.limit) : width;
  };
}

/** The chart as SVG, text in Inter. Exported for tests that check what was drawn. */
export async function renderUsageChartSvg(input: UsageChartInput): Promise<string> {
  checkInput(input);
  const width = input.width ?? CHART_WIDTH;
  const height = input.height ?? CHART_HEIGHT;
  const { vegaLite, vega } = await loadEngines();
  const { spec } = vegaLite.compile(chartSpec(input, layers(input), width, height));
  const view = new vega.View(vega.parse(spec), { renderer: "none", logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The week's usage per day, stacked by member, as a PNG of (width × height) × CHART_PIXEL_RATIO
 * pixels (default 1800 × 900). Rasterised off the main thread, so the event loop keeps
 * answering Slack while it draws. Throws RangeError on input the caller should never build.
 */
export async function renderUsageChart(input: UsageChartInput): Promise<Buffer> {
  const svg = await renderUsageChartSvg(input);
  const image = await renderAsync(svg, {
    font: { fontFiles: CHART_FONT_FILES, loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    fitTo: { mode: "zoom", value: CHART_PIXEL_RATIO },
    background: "#ffffff",
    logLevel: "off",
  });
  return image.asPng();
}
