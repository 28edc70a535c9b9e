import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { withSystem, withTenant } from "../../app/utils/db.server";
import { createLink, listLinks, resolveLink, revokeLink, type NewLink } from "../../app/modules/links/links.server";
import { createPartner, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";

installTestDatabase();

async function partner({ advisor = true, dap = true } = {}) {
  const p = await createPartner(["global_admin", "sales_agent"]);
  await withSystem((tx) => tx.execute(sql`update organisations set is_authorised_advisor = ${advisor}, is_dap_certified = ${dap} where id = ${p.orgId}`));
  return p;
}
const as = <T>(p: OrgFixture, fn: Parameters<typeof withTenant<T>>[1]) => withTenant({ orgId: p.orgId, userId: p.users.sales_agent!.id }, fn);
const actorOf = (p: OrgFixture) => ({ userId: p.users.sales_agent!.id, orgId: p.orgId });
const make = (p: OrgFixture, link: Partial<NewLink>) =>
  as(p, (tx) => createLink(tx, { partnerId: p.orgId, actor: actorOf(p), link: { kind: "trial", items: [], offerDap: false, message: null, expiresAt: null, ...link } }));

describe("shared links", () => {
  it("creates a trial invitation with DAP, whose public code resolves to the partner", async () => {
    const p = await partner();
    const link = await make(p, { kind: "trial", items: [{ productId: "business-premium" }], offerDap: true, message: "Try it!" });
    expect(link.url).toMatch(new RegExp(`/l/${p.partnerNumber}\\.`));
    const listed = await as(p, (tx) => listLinks(tx, { partnerId: p.orgId }));
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ kind: "trial", offerDap: true, status: "active", message: "Try it!" });
    expect(listed[0]!.items).toEqual([expect.objectContaining({ productId: "business-premium", licences: 25, name: "Business Premium" })]);
    const resolved = await withSystem((tx) => resolveLink(tx, link.code));
    expect(resolved.ok && resolved.partner.id).toBe(p.orgId);
  });

  it("enforces capabilities and the offer rules with field messages", async () => {
    const plain = await partner({ advisor: false, dap: false });
    await expect(make(plain, { kind: "trial", items: [{ productId: "business-basic" }] })).rejects.toMatchObject({ status: 403 });
    await expect(make(plain, { kind: "reseller", offerDap: true })).rejects.toMatchObject({ status: 403, field: "offerDap" });
    const reseller = await make(plain, { kind: "reseller" });
    expect(reseller.code).toBeTruthy();
    const p = await partner({ dap: false });
    await expect(make(p, { kind: "trial", items: [{ productId: "email-plan-2" }] })).rejects.toMatchObject({ status: 400, message: "Choose a product that has a trial." });
    await expect(make(p, { kind: "trial", items: [{ productId: "business-basic" }, { productId: "visio-plan-2" }] })).rejects.toMatchObject({ field: "items" });
    await expect(make(p, { kind: "offer", items: [{ productId: "enterprise-e3", licences: 2 }] })).rejects.toMatchObject({ status: 400, field: "licences" });
    await expect(make(p, { kind: "offer", items: [] })).rejects.toMatchObject({ field: "items" });
    await expect(make(p, { kind: "offer", items: [{ productId: "business-basic", licences: 5 }], expiresAt: new Date(Date.now() - 1000) })).rejects.toMatchObject({ field: "expiresAt" });
    const offer = await make(p, { kind: "offer", items: [{ productId: "business-basic", licences: 5 }, { productId: "visio-plan-2", licences: 2 }] });
    const [listed] = await as(p, (tx) => listLinks(tx, { partnerId: p.orgId }));
    expect(listed!.id).toBe(offer.id);
    expect(listed!.items.map((i) => [i.productId, i.licences]).sort()).toEqual([["business-basic", 5], ["visio-plan-2", 2]]);
  });

  it("answers 404 for tampered, unknown or re-addressed codes and 410 for revoked or expired links", async () => {
    const p = await partner();
    const other = await partner();
    const link = await make(p, { kind: "reseller" });
    const resolve = (code: string) => withSystem((tx) => resolveLink(tx, code));
    expect(await resolve(link.code.slice(0, -2) + (link.code.endsWith("AA") ? "BB" : "AA"))).toEqual({ ok: false, status: 404 });
    expect(await resolve(link.code.replace(`${p.partnerNumber}.`, `${other.partnerNumber}.`))).toEqual({ ok: false, status: 404 });
    expect(await resolve("garbage")).toEqual({ ok: false, status: 404 });
    const expiring = await make(p, { kind: "reseller", expiresAt: new Date(Date.now() + 60_000) });
    await withSystem((tx) => tx.execute(sql`update links set expires_at = now() - interval '1 second' where id = ${expiring.id}`));
    expect(await resolve(expiring.code)).toEqual({ ok: false, status: 410 });
    await as(p, (tx) => revokeLink(tx, { partnerId: p.orgId, actor: actorOf(p), id: link.id }));
    expect(await resolve(link.code)).toEqual({ ok: false, status: 410 });
  });

  it("keeps partners apart: no listing or revoking another partner's links", async () => {
    const p = await partner();
    const other = await partner();
    const theirs = await make(other, { kind: "reseller" });
    expect(await as(p, (tx) => listLinks(tx, { partnerId: other.orgId }))).toEqual([]);
    await expect(as(p, (tx) => revokeLink(tx, { partnerId: p.orgId, actor: actorOf(p), id: theirs.id }))).rejects.toMatchObject({ status: 404 });
    await expect(as(p, (tx) => revokeLink(tx, { partnerId: other.orgId, actor: actorOf(p), id: theirs.id }))).rejects.toMatchObject({ status: 404 });
    expect((await withSystem((tx) => resolveLink(tx, theirs.code))).ok).toBe(true);
  });
});
