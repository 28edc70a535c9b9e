import { describe, expect, it } from "vitest";
import { z } from "zod";
import { text } from "./input";
import { cursorCodec, decodeCursor, encodeCursor, hasPages, keysetFields, listHref, listState, pagerLinks, rowIdCursor, timeCursor, type ListChange } from "./list";

const UUID = "0b6f3f0e-8f5a-4c8e-9d55-2f7a4b1c9e01";
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");

describe("the cursor codec", () => {
  it("round-trips a key, non-ASCII text included, as base64url without padding", () => {
    const codec = cursorCodec(z.tuple([text().max(1000), z.string().uuid()]));
    for (const key of [["bakery", UUID], ["Smørrebrød & Co 🍞", UUID], ["a/b+c?d=e", UUID], ["", UUID]] as [string, string][]) {
      const cursor = codec.encode(key);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(cursor).toBe(b64(key)); // the same text Node's base64url writes
      expect(codec.decode(cursor)).toEqual(key);
    }
    expect(timeCursor.decode(timeCursor.encode(["2026-01-31T12:34:56.123456", UUID]))).toEqual(["2026-01-31T12:34:56.123456", UUID]);
    expect(rowIdCursor.decode(rowIdCursor.encode([42]))).toEqual([42]);
    expect(decodeCursor(encodeCursor([0.5, "x", UUID]), z.tuple([z.number(), z.string(), z.string().uuid()]))).toEqual([0.5, "x", UUID]);
  });

  it("reads a tampered or garbage cursor as none (the first page), never throwing", () => {
    const garbage = [
      undefined,
      null,
      "",
      "not-base64!",
      "%%%",
      "====",
      b64(["2026-13-45T99:99:99.000000", UUID]), // no month 13
      b64(["2026-02-30T12:00:00.000000", UUID]), // no February 30
      b64(["2026-01-01T00:00:00.000000", "not-a-uuid"]),
      b64(["2026-01-01T00:00:00.000000"]), // too short
      b64(["2026-01-01T00:00:00.000000", UUID, "extra"]),
      b64({ a: 1 }),
      b64("just text"),
      Buffer.from("[1, 2").toString("base64url"), // not JSON
      Buffer.from([0xff, 0xfe, 0x5b, 0x5d]).toString("base64url"), // not UTF-8
      "A".repeat(5000),
      timeCursor.encode(["2026-01-01T00:00:00.000000", UUID]).slice(0, -3) + "xyz", // tampered
    ];
    for (const value of garbage) expect(timeCursor.decode(value as string | undefined), String(value)).toBeUndefined();
    expect(rowIdCursor.decode(b64([0]))).toBeUndefined();
    expect(rowIdCursor.decode(b64([1e300]))).toBeUndefined();
    expect(rowIdCursor.decode(b64(["5"]))).toBeUndefined();
    expect(cursorCodec(z.tuple([text(), z.string().uuid()])).decode(b64(["a\u0000b", UUID]))).toBeUndefined();
  });
});

describe("a list's URL state", () => {
  const state = listState({
    filters: { q: text().max(100), status: z.enum(["active", "expired"]) },
    order: { sort: z.enum(["name", "created"]).default("name"), dir: z.enum(["asc", "desc"]).default("asc") },
    paging: keysetFields,
  });
  const read = (q: string) => state.read(new URLSearchParams(q));

  it("reads defaults for absent parameters and ignores empty ones", () => {
    expect(read("")).toEqual({ sort: "name", dir: "asc", size: 50 });
    expect(read("q=&status=&size=")).toEqual({ sort: "name", dir: "asc", size: 50 });
    expect(read("q=bake&status=active&sort=created&dir=desc&size=25&last=1")).toEqual({ q: "bake", status: "active", sort: "created", dir: "desc", size: 25, last: true });
    // The first value of a repeated parameter.
    expect(read("status=expired&status=active").status).toBe("expired");
  });

  it("forgiving: a bad value is ignored or falls back to its default", () => {
    expect(read("q=a%00b&status=evil&sort=evil&dir=sideways&size=7&after=not%20base64!&before=x%25&last=2")).toEqual({ sort: "name", dir: "asc", size: 50 });
    expect(read(`q=${"x".repeat(101)}`).q).toBeUndefined();
    // A cursor is text of the right shape here; the list's codec decides what it holds.
    const cursor = b64(["garbage", 1]);
    expect(read(`after=${cursor}`).after).toBe(cursor);
  });

  it("strict: a bad filter or order is refused; paging is not read", () => {
    const strict = (q: string) => state.readStrict(new URLSearchParams(q));
    expect(strict("q=bake&status=active&sort=created&after=whatever&size=7")).toEqual({ success: true, data: { q: "bake", status: "active", sort: "created", dir: "asc" } });
    for (const bad of ["status=evil", "q=a%00b", "sort=evil", "dir=up", `q=${"x".repeat(101)}`]) expect(strict(bad).success, bad).toBe(false);
  });

  it("knows when a filter is set, and how to clear them", () => {
    expect(state.isFiltered(read("sort=created&size=25"))).toBe(false);
    expect(state.isFiltered(read("status=active"))).toBe(true);
    expect(listHref("/l", new URLSearchParams("q=x&status=active&sort=created&after=abc"), state.clearFilters)).toBe("/l?sort=created");
  });
});

describe("list hrefs", () => {
  const params = new URLSearchParams("q=bake&size=25&after=AAA&before=BBB&last=1");
  const href = (change: ListChange) => listHref("/partner/customers", params, change);

  it("applies a change and starts again at the first page", () => {
    expect(href({})).toBe("/partner/customers?q=bake&size=25");
    expect(href({ q: null })).toBe("/partner/customers?size=25");
    expect(href({ q: "", sort: "name" })).toBe("/partner/customers?size=25&sort=name");
    expect(href({ after: "CCC" })).toBe("/partner/customers?q=bake&size=25&after=CCC");
    expect(listHref("/x", new URLSearchParams(), {})).toBe("/x");
  });

  it("gives a pager's links from the page's cursors", () => {
    // Both ways, with a last page.
    expect(pagerLinks(href, { prev: "P", next: "N" })).toEqual({
      first: "/partner/customers?q=bake&size=25",
      prev: "/partner/customers?q=bake&size=25&before=P",
      next: "/partner/customers?q=bake&size=25&after=N",
      last: "/partner/customers?q=bake&size=25&last=1",
    });
    expect(pagerLinks(href, { prev: null, next: "N", isFirst: true, isLast: false })).toMatchObject({ first: null, prev: null, last: "/partner/customers?q=bake&size=25&last=1" });
    expect(pagerLinks(href, { prev: "P", next: null })).toMatchObject({ next: null, last: null });
    // Forward only: no previous or last link at all.
    const forward = pagerLinks(href, { next: "N", isFirst: false });
    expect(forward).toEqual({ first: "/partner/customers?q=bake&size=25", prev: undefined, next: "/partner/customers?q=bake&size=25&after=N", last: undefined });
    expect(hasPages(pagerLinks(href, { next: null, isFirst: true }))).toBe(false);
    // Both ways without a last page.
    expect(pagerLinks(href, { prev: "P", next: "N", lastPage: false }).last).toBeUndefined();
  });
});
