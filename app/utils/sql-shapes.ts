/**
 * Statements built once per shape. A statement assembled from many drizzle `sql` fragments costs
 * its building and drizzle's walk of every fragment on each call (the customer list's page: about
 * 70 µs of a 2.9 ms page, ADR 0019), though its text depends only on its shape (the sort, the
 * direction, which filters are set), never on its values. Here a shape's statement is built once
 * with a slot (a drizzle placeholder) where each value goes, turned into text once, and each call
 * binds the values to that text: a statement of a few chunks, whatever the fragments were.
 *
 * A shape's statement may hold no value but its slots: a value written into it directly would be
 * remembered with the text and sent with every later call of the shape (another partner's id, an
 * old cursor), so building refuses it. Constants go in as slots too, or as SQL text.
 */
import { Param, Placeholder, SQL, StringChunk, is, sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";

const dialect = new PgDialect();

/** The slots of a statement: `slots.partner` stands for `values.partner` in the text. */
export type Slots<V> = { readonly [K in keyof V]: SQL };

interface Compiled {
  /** The text around the parameters: one more piece than there are parameters. */
  pieces: string[];
  /** The slot each parameter ($1, $2, …) takes its value from. */
  names: string[];
}

/** A statement whose text was not made by its slots alone (a value in it, a `$1` in a literal). */
export class ShapeError extends Error {}

export function compileShape(statement: SQL): Compiled {
  const { sql: text, params } = dialect.sqlToQuery(statement);
  const names = params.map((p, i) => {
    const slot = is(p, Placeholder) ? p : is(p, Param) && is(p.value, Placeholder) ? p.value : null;
    if (!slot) throw new ShapeError(`parameter $${i + 1} is a value, not a slot: a shape's statement takes values only through its slots`);
    return slot.name as string;
  });
  const pieces = text.split(/\$(\d+)\b/);
  // split with a capture group: text, number, text, number, …, text
  const numbers = pieces.filter((_, i) => i % 2 === 1);
  if (numbers.length !== names.length || numbers.some((n, i) => Number(n) !== i + 1)) {
    throw new ShapeError("the statement's text holds a $n that is not one of its parameters");
  }
  return { pieces: pieces.filter((_, i) => i % 2 === 0), names };
}

function bind(compiled: Compiled, values: Record<string, unknown>): SQL {
  const chunks: (StringChunk | Param)[] = [new StringChunk(compiled.pieces[0]!)];
  for (let i = 0; i < compiled.names.length; i++) {
    const name = compiled.names[i]!;
    if (!(name in values)) throw new ShapeError(`no value for the slot "${name}"`);
    chunks.push(new Param(values[name]), new StringChunk(compiled.pieces[i + 1]!));
  }
  return new SQL(chunks);
}

const slotProxy = new Proxy({}, { get: (_, name) => sql`${sql.placeholder(String(name))}` });

/**
 * Statements of one kind, remembered by shape. `statement(shape, build, values)`: `shape` is a key
 * naming everything `build` decides the text by; `build(slots)` writes the statement with
 * `slots.x` where `values.x` goes.
 */
export function statementShapes<V extends Record<string, unknown>>(limit = 1_000) {
  const cache = new Map<string, Compiled>();
  return (shape: string, build: (slots: Slots<V>) => SQL, values: V): SQL => {
    let compiled = cache.get(shape);
    if (!compiled) {
      compiled = compileShape(build(slotProxy as Slots<V>));
      if (cache.size >= limit) cache.clear();
      cache.set(shape, compiled);
    }
    return bind(compiled, values);
  };
}
