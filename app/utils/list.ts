/**
 * The list kit's URL side, shared by server and browser (imports nothing from app/modules). Every
 * list — customers, subscriptions, admin relationships, links, leads, product keys, staff, audit,
 * the directory — keeps its state in the URL and reads it with what is here:
 *
 * - **One cursor codec.** A page position is the boundary row's key values (its sort value and id,
 *   say) as base64url JSON: `encodeCursor([...])`. A list decodes it with its own zod tuple
 *   (`cursorCodec(z.tuple([...]))`) into real types — a timestamp that exists, a uuid, text
 *   without NUL — or into nothing, and then shows its first page: a crafted cursor is never a 500
 *   (ADR 0027). In the URL state a cursor is only text of the right shape; the list's module
 *   decodes it where it builds the keyset condition.
 * - **One URL-state schema per list**, built from its fields by `listState`: `read` is forgiving
 *   (a bad value is ignored or falls back to its default, so a hand-edited URL still shows a list),
 *   `readStrict` refuses bad filters (for work on the whole filtered set: bulk selections, exports,
 *   where "ignore the filter" would act on more rows than asked).
 * - **Hrefs**: `listHref` changes some state and starts again at the first page; `pagerLinks`
 *   gives first / previous / next / last from a page's boundary cursors.
 */
import { z } from "zod";
import { INT8, utcTimestampText, uuid } from "~/utils/input";

// ---- Cursors ----

/** Longest cursor read from a URL (a 1,000-character sort value, JSON-escaped, in base64). */
export const CURSOR_MAX_LENGTH = 4000;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/** A page position for the URL: the boundary row's key values as base64url JSON (UTF-8). */
export function encodeCursor(key: readonly unknown[]): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(JSON.stringify(key))) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Reads a cursor into the key `schema` describes (a tuple of real types). Anything else — not
 * base64url, not UTF-8 JSON, another shape, a value of the wrong type or range — is undefined, and
 * the list shows its first page.
 */
export function decodeCursor<S extends z.ZodTypeAny>(value: string | null | undefined, schema: S): z.output<S> | undefined {
  if (!value || value.length > CURSOR_MAX_LENGTH || !BASE64URL.test(value)) return undefined;
  try {
    const bytes = Uint8Array.from(atob(value.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    const parsed = schema.safeParse(JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)));
    return parsed.success ? (parsed.data as z.output<S>) : undefined;
  } catch {
    return undefined;
  }
}

export interface CursorCodec<K> {
  /** The key's schema (a zod tuple). */
  schema: z.ZodType<K, z.ZodTypeDef, unknown>;
  encode(key: K): string;
  /** The key, or undefined for an absent or bad cursor (the first page). */
  decode(value: string | null | undefined): K | undefined;
}

/** A list's cursor: its key's tuple schema with the one codec. */
export function cursorCodec<S extends z.ZodTypeAny>(schema: S): CursorCodec<z.output<S>> {
  return { schema, encode: (key) => encodeCursor(key as readonly unknown[]), decode: (value) => decodeCursor(value, schema) };
}

/** The key of a newest-first list: the boundary row's creation time (UTC text to the microsecond, so no row is skipped or repeated at millisecond ties) and its id. */
export type TimeCursor = readonly [createdText: string, id: string];
export const timeCursor: CursorCodec<TimeCursor> = cursorCodec(z.tuple([utcTimestampText, uuid()]));

/** The key of a list paged by a row id (an int8 identity column). */
export const rowIdCursor: CursorCodec<readonly [number]> = cursorCodec(z.tuple([z.number().int().positive().max(INT8.max)]));

// ---- URL state ----

/** The page sizes every list with a size choice offers. */
export const PAGE_SIZES = [25, 50, 100, 200] as const;
export type PageSize = (typeof PAGE_SIZES)[number];
export const DEFAULT_PAGE_SIZE: PageSize = 50;

/** A page size: one of PAGE_SIZES (default 50). */
export const pageSizeField = z.coerce
  .number()
  .refine((n): n is PageSize => (PAGE_SIZES as readonly number[]).includes(n), "Choose a page size from the list.")
  .default(DEFAULT_PAGE_SIZE);

/** A cursor in the URL: base64url text (decoded by the list's codec). */
export const cursorField = z.string().max(CURSOR_MAX_LENGTH).regex(BASE64URL);

/** "last=1": the list's last page. */
export const lastPageField = z.enum(["1"]).transform(() => true as const);

/** The paging fields of a list that pages both ways and offers a page size. */
export const keysetFields = { size: pageSizeField, after: cursorField, before: cursorField, last: lastPageField };
/** The paging field of a list that only pages forward, at a fixed size. */
export const forwardFields = { after: cursorField };

type Fields = Record<string, z.ZodTypeAny>;
type Forgiving<F extends Fields> = {
  [K in keyof F]: F[K] extends z.ZodDefault<infer I extends z.ZodTypeAny> ? z.ZodDefault<z.ZodCatch<I>> : z.ZodCatch<z.ZodOptional<F[K]>>;
};
type Strict<F extends Fields> = { [K in keyof F]: F[K] extends z.ZodDefault<z.ZodTypeAny> ? F[K] : z.ZodOptional<F[K]> };

// An absent parameter takes its default (or none) without a failed parse: .catch alone would build
// a zod issue, and its message, for every missing parameter on every request.
function forgiving<F extends Fields>(fields: F): Forgiving<F> {
  return Object.fromEntries(
    Object.entries(fields).map(([k, field]) => {
      if (field instanceof z.ZodDefault) {
        const fallback = field._def.defaultValue();
        return [k, (field._def.innerType as z.ZodTypeAny).catch(fallback).default(fallback)];
      }
      return [k, field.optional().catch(undefined)];
    }),
  ) as Forgiving<F>;
}

function strict<F extends Fields>(fields: F): Strict<F> {
  return Object.fromEntries(Object.entries(fields).map(([k, field]) => [k, field instanceof z.ZodDefault ? field : field.optional()])) as Strict<F>;
}

/** The URL's parameters as one value each (the first), empty ones left out ("Any" is empty). */
export function paramsObject(params: URLSearchParams): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const [k, v] of params) if (v !== "" && !(k in raw)) raw[k] = v;
  return raw;
}

/**
 * A list's URL state from its fields, each a zod schema of one parameter (`.default()` for one
 * that always has a value):
 * - `filters` narrow the list ("Clear filters" removes them; the list "matches" when one is set);
 * - `order` (sort, direction) and `paging` (size and position) are kept by "Clear filters".
 * `read` is forgiving: a bad value is none (or its default). `readStrict` reads the filters and
 * order only, refusing a bad value: for work on every row that matches (bulk, export).
 */
export function listState<F extends Fields, O extends Fields = Record<never, never>, P extends Fields = Record<never, never>>(spec: { filters: F; order?: O; paging?: P }) {
  const order = (spec.order ?? {}) as O;
  const paging = (spec.paging ?? {}) as P;
  const schema = z.object({ ...forgiving(spec.filters), ...forgiving(order), ...forgiving(paging) } as Forgiving<F> & Forgiving<O> & Forgiving<P>);
  const strictSchema = z.object({ ...strict(spec.filters), ...strict(order) } as Strict<F> & Strict<O>);
  const filterKeys = Object.keys(spec.filters) as (keyof F & string)[];
  type State = z.output<typeof schema>;
  return {
    schema,
    strictSchema,
    filterKeys,
    read: (params: URLSearchParams): State => schema.parse(paramsObject(params)),
    readStrict: (params: URLSearchParams) => strictSchema.safeParse(paramsObject(params)),
    /** True when a filter is set (the list "matches"; "Clear filters" shows). */
    isFiltered: (state: Partial<Record<keyof F, unknown>>) => filterKeys.some((k) => state[k] !== undefined && state[k] !== false),
    /** The change that clears every filter (for listHref). */
    clearFilters: Object.fromEntries(filterKeys.map((k) => [k, null])) as Record<keyof F & string, null>,
  };
}

// ---- Hrefs ----

export type ListChange = Record<string, string | null | undefined>;
export type ListHref = (change: ListChange) => string;

const PAGING_KEYS = ["after", "before", "last"];

/**
 * The list's URL with `change` applied (null, undefined or "" removes a parameter). The page
 * position starts again at the top unless the change sets one, and then only that one is kept.
 */
export function listHref(path: string, params: URLSearchParams, change: ListChange): string {
  const next = new URLSearchParams(params);
  for (const k of PAGING_KEYS) next.delete(k);
  for (const [k, v] of Object.entries(change)) {
    if (v === null || v === undefined || v === "") next.delete(k);
    else next.set(k, v);
  }
  const s = next.toString();
  return s ? `${path}?${s}` : path;
}

/** A page's place among its list's pages, from its boundary cursors. */
export interface PagePosition {
  /** The cursor of the next page (older, or further in the sort), null on the last page. */
  next: string | null;
  /** The cursor of the previous page, null on the first; absent for a list that only pages forward. */
  prev?: string | null;
  /** Whether this is the first page (default: no previous page). */
  isFirst?: boolean;
  /** Whether this is the last page (default: no next page). */
  isLast?: boolean;
  /** Whether the list can open its last page directly ("last=1"; default: when it pages backwards). */
  lastPage?: boolean;
}

/** The pager's links: a href, null when there is no such page (shown disabled), undefined when the list has no such link. */
export interface PagerLinks {
  first: string | null;
  prev?: string | null;
  next: string | null;
  last?: string | null;
}

export function pagerLinks(href: ListHref, page: PagePosition): PagerLinks {
  const isFirst = page.isFirst ?? !page.prev;
  const isLast = page.isLast ?? !page.next;
  const lastPage = page.lastPage ?? page.prev !== undefined;
  return {
    first: isFirst ? null : href({}),
    prev: page.prev === undefined ? undefined : page.prev ? href({ before: page.prev }) : null,
    next: page.next ? href({ after: page.next }) : null,
    last: lastPage ? (isLast ? null : href({ last: "1" })) : undefined,
  };
}

/** True when the pager has somewhere to go (a list on one page shows none). */
export const hasPages = (links: PagerLinks) => Boolean(links.first || links.prev || links.next || links.last);
