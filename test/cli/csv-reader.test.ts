import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCsv } from "../../src/cli/csv-reader";

/** Feeds `text` to the reader in the given pieces (as Buffers, the way a file stream does). */
async function read(pieces: string[] | string) {
  const chunks = (typeof pieces === "string" ? [pieces] : pieces).map((p) => Buffer.from(p, "utf8"));
  const records = [];
  for await (const record of readCsv(
    (async function* () {
      yield* chunks;
    })(),
  )) {
    records.push(record);
  }
  return records;
}

const quote = (field: string) => (/[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field);

describe("readCsv", () => {
  it("splits rows and fields, with the line each row starts on", async () => {
    expect(await read("a,b,c\n1,2,3\r\n\n4,,6")).toEqual([
      { fields: ["a", "b", "c"], line: 1 },
      { fields: ["1", "2", "3"], line: 2 },
      { fields: ["4", "", "6"], line: 4 },
    ]);
  });

  it("reads quoted fields with commas, doubled quotes and line breaks, counting their lines", async () => {
    expect(await read('id,note\n1,"a, ""b""\r\nc"\n2,x\n')).toEqual([
      { fields: ["id", "note"], line: 1 },
      { fields: ["1", 'a, "b"\r\nc'], line: 2 },
      { fields: ["2", "x"], line: 4 },
    ]);
  });

  it("skips a byte-order mark and decodes characters split across chunks", async () => {
    const bytes = Buffer.from("\uFEFFname\nJosé 🚀\n", "utf8");
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    const records = [];
    for await (const r of readCsv(
      (async function* () {
        yield* chunks;
      })(),
    )) {
      records.push(r);
    }
    expect(records.map((r) => r.fields)).toEqual([["name"], ["José 🚀"]]);
  });

  it("marks a row with text after a closing quote, and goes on with the next", async () => {
    const records = await read('a,"b"c,d\n1,2,3\n');
    expect(records[0]).toMatchObject({
      line: 1,
      error: expect.stringMatching(/after the closing quote of field 2/),
    });
    expect(records[1]).toEqual({ fields: ["1", "2", "3"], line: 2 });
  });

  it("marks a quote that is never closed", async () => {
    const records = await read('a,b\n1,"never closed\n2,3\n');
    expect(records).toHaveLength(2);
    expect(records[1]).toMatchObject({ line: 2, error: "a quoted field opened on line 2 is never closed" });
  });

  it("reads back whatever was written, however the stream is chunked", async () => {
    const field = fc.string({ unit: fc.constantFrom("a", "é", ",", '"', "\n", "\r\n", " ", "1") });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.boolean(),
        async (rows, cuts, crlf) => {
          const text = rows.map((r) => r.map(quote).join(",")).join(crlf ? "\r\n" : "\n");
          const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const pieces = [0, ...at].map((start, i) => text.slice(start, [...at, text.length][i]));
          const records = await read(pieces);
          expect(records.map((r) => r.fields)).toEqual(rows);
          expect(records.every((r) => r.error === undefined)).toBe(true);
        },
      ),
    );
  });
});
