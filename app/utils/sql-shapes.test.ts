import { sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { ShapeError, statementShapes, type Slots } from "./sql-shapes";

const dialect = new PgDialect();
const query = (statement: SQL) => dialect.sqlToQuery(statement);

type V = { partner: string; size: number; name: string | null };

/** The same statement written with values in place of the slots. */
function direct(shape: { named: boolean; desc: boolean }, values: V): SQL {
  return sql`select id from t where partner = ${values.partner}${shape.named ? sql` and name = ${values.name}` : sql``}
    order by id ${sql.raw(shape.desc ? "desc" : "asc")} limit ${values.size} offset ${values.size}`;
}
function slotted(shape: { named: boolean; desc: boolean }, v: Slots<V>): SQL {
  return sql`select id from t where partner = ${v.partner}${shape.named ? sql` and name = ${v.name}` : sql``}
    order by id ${sql.raw(shape.desc ? "desc" : "asc")} limit ${v.size} offset ${v.size}`;
}

describe("statements built once per shape", () => {
  it("give the text and parameters the statement written with its values gives, call after call", () => {
    const statements = statementShapes<V>();
    const calls: [{ named: boolean; desc: boolean }, V][] = [
      [{ named: true, desc: false }, { partner: "p1", size: 25, name: "Alpha" }],
      [{ named: true, desc: false }, { partner: "p2", size: 50, name: "Beta" }], // same shape, new values
      [{ named: false, desc: true }, { partner: "p3", size: 100, name: null }],
      [{ named: true, desc: false }, { partner: "p4", size: 200, name: "it's $1" }],
    ];
    for (const [shape, values] of calls) {
      const built = statements(JSON.stringify(shape), (v) => slotted(shape, v), values);
      expect(query(built)).toEqual(query(direct(shape, values)));
    }
  });

  it("build a shape once", () => {
    const statements = statementShapes<V>();
    let builds = 0;
    const build = (v: Slots<V>) => (builds++, slotted({ named: false, desc: false }, v));
    for (const partner of ["a", "b", "c"]) statements("one", build, { partner, size: 1, name: null });
    expect(builds).toBe(1);
  });

  it("refuse a value written into the statement instead of a slot (it would be remembered for every later call)", () => {
    const statements = statementShapes<V>();
    expect(() => statements("leaky", (v) => sql`select 1 where partner = ${"p1"} and size = ${v.size}`, { partner: "p1", size: 1, name: null })).toThrow(ShapeError);
  });

  it("refuse a statement whose text holds a $n of its own", () => {
    const statements = statementShapes<V>();
    expect(() => statements("dollar", (v) => sql`select '$1' as label where partner = ${v.partner}`, { partner: "p", size: 1, name: null })).toThrow(ShapeError);
  });

  it("refuse a call without a value for one of its slots", () => {
    const statements = statementShapes<V>();
    expect(() => statements("missing", (v) => sql`select ${v.name}`, { partner: "p", size: 1 } as V)).toThrow(/no value for the slot "name"/);
  });
});
