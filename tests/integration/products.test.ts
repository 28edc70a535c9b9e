import { describe, expect, it } from "vitest";
import { withTenant } from "../../app/utils/db.server";
import { checkLicenceCount, listProducts } from "../../app/modules/subscriptions/products.server";
import { createPartner } from "../support/factories";
import { installTestDatabase } from "../support/db";

installTestDatabase();

describe("product catalogue", () => {
  it("holds about eight products with prices, trials and licence limits, readable as the app role", async () => {
    const p = await createPartner(["sales_agent"]);
    const ctx = { orgId: p.orgId, userId: p.users.sales_agent!.id };
    const all = await withTenant(ctx, (tx) => listProducts(tx));
    expect(all.length).toBeGreaterThanOrEqual(8);
    for (const product of all) {
      expect(product.monthlyPriceCents).toBeGreaterThan(0);
      expect(product.maxLicences).toBeGreaterThanOrEqual(product.minLicences);
      if (product.hasTrial) {
        expect(product.trialDays).toBeGreaterThan(0);
        expect(product.trialSeats).toBeGreaterThan(0);
      } else {
        expect(product.trialDays).toBeNull();
      }
    }
    const trials = await withTenant(ctx, (tx) => listProducts(tx, { trialsOnly: true }));
    expect(trials.length).toBeGreaterThan(0);
    expect(trials.length).toBeLessThan(all.length);
  });

  it("refuses licence counts outside the product's limits with a field message", async () => {
    const p = await createPartner(["sales_agent"]);
    const ctx = { orgId: p.orgId, userId: p.users.sales_agent!.id };
    await expect(withTenant(ctx, (tx) => checkLicenceCount(tx, { productId: "enterprise-e3", licences: 4 }))).rejects.toMatchObject({
      status: 400,
      field: "licences",
      message: "Enterprise E3 is sold in 5 to 100,000 licences.",
    });
    await expect(withTenant(ctx, (tx) => checkLicenceCount(tx, { productId: "no-such-thing", licences: 1 }))).rejects.toMatchObject({ status: 404 });
    expect((await withTenant(ctx, (tx) => checkLicenceCount(tx, { productId: "business-basic", licences: 12 }))).name).toBe("Business Basic");
  });
});
