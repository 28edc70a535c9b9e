import { describe, expect, it } from "vitest";
import { fromColumns, toColumns } from "./row-columns";

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
});
