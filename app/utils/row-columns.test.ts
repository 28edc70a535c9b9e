import { describe, expect, it } from "vitest";
import { fromColumns, packRows, toColumns, unpackRows } from "./row-columns";

describe("rows as columns", () => {
  const rows = [
    { id: "a", name: "Alpha Bakery", types: ["reseller", "advisor"], pending: false },
    { id: "b", name: "Beta \"Brewery\"", types: [], pending: true },
    { id: "c", name: "", types: ["dap"], pending: false },
  ];

  it("come back as the same rows, keys in the same order, through a JSON round trip too", () => {
    const columns = toColumns(rows);
    expect(columns).toEqual({ id: ["a", "b", "c"], name: ["Alpha Bakery", "Beta \"Brewery\"", ""], types: [["reseller", "advisor"], [], ["dap"]], pending: [false, true, false] });
    expect(fromColumns(columns)).toEqual(rows);
    const back = fromColumns(JSON.parse(JSON.stringify(columns)) as typeof columns);
    expect(back).toEqual(rows);
    expect(Object.keys(back[1]!)).toEqual(["id", "name", "types", "pending"]);
  });

  it("have no columns for no rows, and give no rows back", () => {
    expect(toColumns([])).toEqual({});
    expect(fromColumns(toColumns<{ id: string }>([]))).toEqual([]);
  });

  it("packed, are one JSON text of the columns and unpack to the same rows", () => {
    const packed = packRows(rows);
    expect(typeof packed).toBe("string");
    expect(JSON.parse(packed)).toEqual(toColumns(rows));
    const back = unpackRows(packed);
    expect(back).toEqual(rows);
    expect(Object.keys(back[0]!)).toEqual(["id", "name", "types", "pending"]);
    expect(unpackRows(packRows([]))).toEqual([]);
  });

  it("refuse, by type, values JSON would not carry unchanged", () => {
    // @ts-expect-error a Date would come back a string
    packRows([{ id: "a", at: new Date() }]);
    // @ts-expect-error undefined would be dropped
    packRows([{ id: "a", note: undefined as string | undefined }]);
  });
});
