import { describe, expect, it } from "vitest";
import {
  CHART_PIXEL_RATIO,
  compactTokens,
  renderUsageChart,
  renderUsageChartSvg,
  type UsageChartInput,
} from "../../src/charts/usage-chart";
import { PNG_SIGNATURE, darkPixels, decodePng, pngChunks } from "./png";

const DAYS = ["Mon 16", "Tue 17", "Wed 18", "Thu 19", "Fri 20", "Sat 21", "Sun 22"];

function week(overrides: Partial<UsageChartInput> = {}): UsageChartInput {
  return {
    title: "Platform · week of 16 March",
    days: DAYS,
    series: [
      { name: "Alice Martin", values: [120_000, 340_000, 280_000, 410_000, 390_000, 20_000, 0] },
      { name: "Bob Brown", values: [80_000, 120_000, 150_000, 90_000, 210_000, 0, 5_000] },
      { name: "others", values: [30_000, 45_000, 25_000, 60_000, 35_000, 5_000, 2_000] },
    ],
    ...overrides,
  };
}

// At the default 900 × 450 layout and 2× pixels: the title sits in the top band, the legend on
// the right. Only text is darker than the palette, so dark pixels there are drawn glyphs.
const TITLE_BAND = { x: 0, y: 0, width: 1200, height: 130 };
const LEGEND_BAND = { x: 1300, y: 130, width: 500, height: 600 };

describe("renderUsageChart", () => {
  it("returns a PNG of the layout size times the pixel ratio (default 1800 × 900)", async () => {
    const png = await renderUsageChart(week());
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const chunks = pngChunks(png);
    expect(chunks[0].type).toBe("IHDR");
    expect(chunks.at(-1)?.type).toBe("IEND");
    expect(chunks[0].data.readUInt32BE(0)).toBe(900 * CHART_PIXEL_RATIO);
    expect(chunks[0].data.readUInt32BE(4)).toBe(450 * CHART_PIXEL_RATIO);

    const small = decodePng(await renderUsageChart(week({ width: 640, height: 320 })));
    expect([small.width, small.height]).toEqual([1280, 640]);
  });

  it("draws its text with the shipped font: title and legend glyphs are on the image", async () => {
    const image = decodePng(await renderUsageChart(week()));
    // Without a loaded font resvg draws no text at all and both bands are empty.
    expect(darkPixels(image, TITLE_BAND)).toBeGreaterThan(1500);
    expect(darkPixels(image, LEGEND_BAND)).toBeGreaterThan(1500);

    const longer = decodePng(
      await renderUsageChart(week({ title: "Platform · week of 16 March · and a longer title" })),
    );
    expect(darkPixels(longer, TITLE_BAND)).toBeGreaterThan(darkPixels(image, TITLE_BAND) + 1000);

    // One member: no "others" and a shorter legend, so fewer glyphs where the legend goes.
    const alone = decodePng(await renderUsageChart(week({ series: [week().series[0]] })));
    expect(darkPixels(alone, LEGEND_BAND)).toBeLessThan(darkPixels(image, LEGEND_BAND) / 2);
  });

  it("labels the axis, the bars and the legend with readable token counts", async () => {
    const svg = await renderUsageChartSvg(week());
    expect(svg).toContain('font-family="Inter"');
    for (const text of [
      "800k",
      "Alice Martin · 1.56m",
      "Bob Brown · 655k",
      "Others · 202k",
      "635k",
      "Mon 16",
    ]) {
      expect(svg).toContain(`>${text}<`);
    }
    expect(svg).toContain("2.42m in total");
    // The biggest member is stacked on the axis; "others" on top.
    expect(svg.indexOf("Alice Martin")).toBeLessThan(svg.indexOf("Others ·"));
  });

  it("says there was no usage when every day is zero, and draws no legend", async () => {
    const zero = week({ series: week().series.map((s) => ({ ...s, values: DAYS.map(() => 0) })) });
    const svg = await renderUsageChartSvg(zero);
    expect(svg).toContain(">No usage in this period<");
    expect(svg).not.toContain("Alice Martin");
    const image = decodePng(await renderUsageChart(zero));
    expect(image.width).toBe(1800);
    expect(darkPixels(image, TITLE_BAND)).toBeGreaterThan(1500);

    expect(await renderUsageChartSvg(week({ series: [] }))).toContain(">No usage in this period<");
  });

  it("keeps ten members in colour and folds the rest into others", async () => {
    const members = Array.from({ length: 14 }, (_, i) => ({
      name: `Member ${String(i + 1).padStart(2, "0")}`,
      values: DAYS.map(() => (20 - i) * 1_000),
    }));
    const svg = await renderUsageChartSvg(week({ series: members }));
    expect(svg).toContain(">Member 10 · 77k<");
    expect(svg).not.toContain("Member 11");
    // Members 11 to 14: (10 + 9 + 8 + 7) × 1,000 × 7 days.
    expect(svg).toContain(">Others · 238k<");
  });

  it("writes huge numbers compactly and escapes or drops what a name can't draw", async () => {
    const svg = await renderUsageChartSvg(
      week({
        series: [
          { name: '🤖 Bob <Brown> & "Co"', values: [9e14, 8e14, 0, 0, 0, 0, 1e12] },
          { name: "🚀🔥", values: [1, 0, 0, 0, 0, 0, 0] },
          { name: "A name far too long to fit in any legend at all", values: [5, 0, 0, 0, 0, 0, 0] },
        ],
      }),
    );
    expect(svg).toContain(">900t<");
    expect(svg).toContain('>Bob &lt;Brown&gt; &amp; "Co" · 1700t<');
    expect(svg).toContain(">(no name) · 1<");
    expect(svg).toContain(">A name far too long to… · 5<");
    expect(svg).not.toMatch(/\p{Extended_Pictographic}/u);
    const png = await renderUsageChart(week({ series: [{ name: "🤖 <&>", values: DAYS.map(() => 1e15) }] }));
    expect(decodePng(png).width).toBe(1800);
  });

  it("refuses input no caller should build, saying what was wrong", async () => {
    await expect(renderUsageChart(week({ days: [] }))).rejects.toThrow(/needs 1 to 31 days/);
    await expect(renderUsageChart(week({ days: ["Mon", "Mon"] }))).rejects.toThrow(/unique/);
    await expect(renderUsageChart(week({ series: [{ name: "Alice", values: [1, 2] }] }))).rejects.toThrow(
      'Series "Alice" has 2 values; give one per day (7).',
    );
    await expect(
      renderUsageChart(week({ series: [{ name: "Alice", values: DAYS.map(() => -1) }] })),
    ).rejects.toThrow(/not a token count/);
    await expect(renderUsageChart(week({ width: 50 }))).rejects.toThrow(/width must be a whole number/);
  });
});

describe("compactTokens", () => {
  it.each([
    [0, "0"],
    [950, "950"],
    [1_000, "1k"],
    [10_000, "10k"],
    [12_345, "12.3k"],
    [1_500_000, "1.5m"],
    [999_950, "1m"],
    [2_000_000_000, "2b"],
    [3.25e12, "3.25t"],
    [1e15, "1000t"],
  ])("%d tokens → %s", (n, text) => {
    expect(compactTokens(n)).toBe(text);
  });
});
