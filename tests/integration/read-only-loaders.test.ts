/**
 * Loaders read tenant data through read-only statements (withTenantReads, withPublicReads;
 * ADR 0017), so a GET cannot change state even by mistake: PostgreSQL refuses the write. A loader
 * that opens a tenant transaction instead must be on the reviewed list below, with its reason
 * (a write on GET, or a context change that must reach the statements after it).
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROUTES = path.resolve(__dirname, "../../app/routes");

/** Loaders that need one transaction, reviewed: each writes, or changes its context between statements. */
const REVIEWED_TRANSACTION_LOADERS: Record<string, string> = {
  "partner.customers.export[.csv].tsx": "audits the export (who exported which filter); the rows are read-only statements",
  "_app.partner.customers_.$customerId.users.tsx": "moves into the customer's context (pd_act_in_customer, transaction-local) before reading",
  "_app.partner.customers_.$customerId.licences.tsx": "moves into the customer's context before reading",
  "_app.partner.customers_.$customerId.service-requests.tsx": "moves into the customer's context before reading",
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
    expect(withLoader.filter((r) => /withTenantReads\(|requirePermissionThenRead\(/.test(r.body!)).length).toBeGreaterThan(30);
  });

  it("read tenant data through read-only statements, except the reviewed ones", () => {
    const writing = withLoader.filter((r) => /\bwith(Tenant|Public)\(/.test(r.body!)).map((r) => r.file).sort();
    expect(writing).toEqual(Object.keys(REVIEWED_TRANSACTION_LOADERS).sort());
  });
});
