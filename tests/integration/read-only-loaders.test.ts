/**
 * Loaders read tenant data in READ ONLY transactions (withTenantReads; ADR 0032), so a GET cannot
 * change state even by mistake: PostgreSQL refuses the write (tests/integration/transactions.test.ts).
 * A loader that opens a read-write transaction instead must be on the reviewed list below, with
 * its reason.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROUTES = path.resolve(__dirname, "../../app/routes");

/** Loaders that write, reviewed. */
const REVIEWED_TRANSACTION_LOADERS: Record<string, string> = {
  "partner.audit.export[.csv].tsx": "audits the export (who exported which filter); the entries are read in READ ONLY transactions",
  "partner.customers.export[.csv].tsx": "audits the export (who exported which filter); the rows are read in READ ONLY transactions",
  "partner.relationships.export[.csv].tsx": "audits the export (who exported which filter); the rows are read in READ ONLY transactions",
};

function loaderBody(source: string) {
  const start = source.search(/export (async )?function loader\b/);
  if (start < 0) return null;
  const end = source.indexOf("\n}\n", start);
  return source.slice(start, end < 0 ? undefined : end);
}

describe("route loaders", () => {
  const files = fs.readdirSync(ROUTES).filter((f) => /\.tsx?$/.test(f));
  const withLoader = files.map((file) => ({ file, body: loaderBody(fs.readFileSync(path.join(ROUTES, file), "utf8")) })).filter((r) => r.body !== null);

  it("are found (the scan reads the real route files)", () => {
    expect(withLoader.length).toBeGreaterThan(40);
    expect(withLoader.filter((r) => /withTenantReads\(/.test(r.body!)).length).toBeGreaterThan(30);
  });

  it("read tenant data in read-only transactions, except the reviewed ones", () => {
    const writing = withLoader.filter((r) => /\bwithTenant\(/.test(r.body!)).map((r) => r.file).sort();
    expect(writing).toEqual(Object.keys(REVIEWED_TRANSACTION_LOADERS).sort());
  });
});
