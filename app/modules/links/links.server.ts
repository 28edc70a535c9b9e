/**
 * Shared links, partner side: create (trial invitation, purchase offer, reseller invitation),
 * list, revoke; and resolving a code for the public page (system context: link redemption is a
 * named cross-tenant path, ADR 0002).
 */
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { linkItems, linkRedemptions, links, linkVisits, organisations, products } from "../../../db/schema";
import { config } from "~/utils/config.server";
import type { Tx } from "~/utils/db.server";
import { recordAudit, type Actor } from "../platform/audit.server";
import { DomainError } from "../../utils/errors";
import { checkLicenceCount } from "../subscriptions/products.server";
import { createLinkCode, parseSigningKeys, verifyLinkCode } from "./link-code.server";

import type { LinkKind } from "./link-kinds";

export type { LinkKind };

export interface NewLink {
  kind: LinkKind;
  /** trial: exactly one trial product; offer: one or more with licence counts; reseller: none. */
  items: { productId: string; licences?: number }[];
  offerDap: boolean;
  message: string | null;
  expiresAt: Date | null;
}

const signingKeys = () => parseSigningKeys(config().LINK_SIGNING_KEYS);

export function linkUrl(code: string) {
  return `${config().APP_URL}/l/${code}`;
}

export async function createLink(tx: Tx, { partnerId, actor, link }: { partnerId: string; actor: Actor; link: NewLink }) {
  const [partner] = await tx
    .select({ partnerNumber: organisations.partnerNumber, advisor: organisations.isAuthorisedAdvisor, dap: organisations.isDapCertified })
    .from(organisations)
    .where(and(eq(organisations.id, partnerId), eq(organisations.kind, "partner")));
  if (!partner?.partnerNumber) throw new DomainError(404, "No such partner.");
  if (link.kind !== "reseller" && !partner.advisor) {
    throw new DomainError(403, "Only partners authorised as subscription advisors can create trial invitations and purchase offers.");
  }
  if (link.offerDap && !partner.dap) throw new DomainError(403, "Only partners certified for delegated administration can offer it.", "offerDap");
  if (link.expiresAt && link.expiresAt.getTime() <= Date.now()) throw new DomainError(400, "The expiry must be in the future.", "expiresAt");

  const items: { productId: string; licences: number }[] = [];
  if (link.kind === "trial") {
    if (link.items.length !== 1) throw new DomainError(400, "A trial invitation offers exactly one trial product.", "items");
    const [product] = await tx.select().from(products).where(eq(products.id, link.items[0]!.productId));
    if (!product?.active || !product.hasTrial) throw new DomainError(400, "Choose a product that has a trial.", "items");
    items.push({ productId: product.id, licences: product.trialSeats! });
  } else if (link.kind === "offer") {
    if (link.items.length === 0) throw new DomainError(400, "Add at least one product to the offer.", "items");
    if (new Set(link.items.map((i) => i.productId)).size !== link.items.length) throw new DomainError(400, "Each product can be offered once.", "items");
    for (const item of link.items) {
      const product = await checkLicenceCount(tx, { productId: item.productId, licences: item.licences ?? 0 });
      items.push({ productId: product.id, licences: item.licences! });
    }
  } else if (link.items.length > 0) {
    throw new DomainError(400, "A reseller invitation offers no products.", "items");
  }

  const { code, linkId } = createLinkCode(signingKeys(), { partnerNumber: partner.partnerNumber });
  const [created] = await tx
    .insert(links)
    .values({
      partnerOrgId: partnerId,
      kind: link.kind,
      linkId,
      code,
      offerDap: link.offerDap,
      message: link.message,
      expiresAt: link.expiresAt,
      createdByUserId: actor.userId,
    })
    .returning({ id: links.id });
  if (items.length) await tx.insert(linkItems).values(items.map((i) => ({ ...i, linkId: created!.id, partnerOrgId: partnerId })));
  await recordAudit(tx, { actor, action: "link.created", objectType: "link", objectId: created!.id, details: { kind: link.kind, items, offerDap: link.offerDap } });
  return { id: created!.id, code, url: linkUrl(code) };
}

export async function listLinks(tx: Tx, { partnerId }: { partnerId: string }) {
  const rows = await tx.select().from(links).where(eq(links.partnerOrgId, partnerId)).orderBy(desc(links.createdAt), desc(links.id));
  const ids = rows.map((r) => r.id);
  // Counted per link in their own grouped queries, as the link's page counts them. (Correlated
  // subqueries in this one-table select named the link as a bare "id", which inside the subquery
  // meant the redemption's own id: every link read 0 accepted.)
  const [items, visits, redemptions] = ids.length
    ? await Promise.all([
        tx
          .select({ linkId: linkItems.linkId, productId: linkItems.productId, licences: linkItems.licences, name: products.name })
          .from(linkItems)
          .innerJoin(products, eq(products.id, linkItems.productId))
          .where(and(eq(linkItems.partnerOrgId, partnerId), inArray(linkItems.linkId, ids))),
        tx
          .select({ linkId: linkVisits.linkId, n: sql<number>`coalesce(sum(${linkVisits.visits}), 0)::int` })
          .from(linkVisits)
          .where(and(eq(linkVisits.partnerOrgId, partnerId), inArray(linkVisits.linkId, ids)))
          .groupBy(linkVisits.linkId),
        tx
          .select({ linkId: linkRedemptions.linkId, n: sql<number>`count(*)::int` })
          .from(linkRedemptions)
          .where(and(eq(linkRedemptions.partnerOrgId, partnerId), inArray(linkRedemptions.linkId, ids)))
          .groupBy(linkRedemptions.linkId),
      ])
    : [[], [], []];
  const countOf = (counts: { linkId: string; n: number }[], id: string) => Number(counts.find((c) => c.linkId === id)?.n ?? 0);
  return rows.map((r) => ({
    ...r,
    visits: countOf(visits, r.id),
    redemptions: countOf(redemptions, r.id),
    url: linkUrl(r.code),
    status: linkStatus(r),
    items: items.filter((i) => i.linkId === r.id),
  }));
}

export function linkStatus(link: { revokedAt: Date | null; expiresAt: Date | null }): "active" | "revoked" | "expired" {
  if (link.revokedAt) return "revoked";
  if (link.expiresAt && link.expiresAt.getTime() <= Date.now()) return "expired";
  return "active";
}

export async function revokeLink(tx: Tx, { partnerId, actor, id }: { partnerId: string; actor: Actor; id: string }) {
  const updated = await tx
    .update(links)
    .set({ revokedAt: sql`coalesce(${links.revokedAt}, now())` })
    .where(and(eq(links.partnerOrgId, partnerId), eq(links.id, id)))
    .returning({ id: links.id });
  if (updated.length === 0) throw new DomainError(404, "No such link.");
  await recordAudit(tx, { actor, action: "link.revoked", objectType: "link", objectId: id });
}

export type ResolvedLink =
  | { ok: true; link: typeof links.$inferSelect; partner: { id: string; name: string; partnerNumber: number; email: string | null; phone: string | null; website: string | null } }
  | { ok: false; status: 404 | 410 };

/** The public side: what a code points to (system context). Tampered or unknown: 404; revoked or expired: 410. */
export async function resolveLink(tx: Tx, code: string): Promise<ResolvedLink> {
  const verified = verifyLinkCode(signingKeys(), code);
  if (!verified) return { ok: false, status: 404 };
  const [row] = await tx
    .select({ link: links, partner: { id: organisations.id, name: organisations.name, partnerNumber: organisations.partnerNumber, email: organisations.email, phone: organisations.phone, website: organisations.website } })
    .from(links)
    .innerJoin(organisations, eq(organisations.id, links.partnerOrgId))
    .where(and(eq(links.linkId, verified.linkId), eq(organisations.partnerNumber, verified.partnerNumber)));
  if (!row) return { ok: false, status: 404 };
  if (linkStatus(row.link) !== "active") return { ok: false, status: 410 };
  return { ok: true, link: row.link, partner: { ...row.partner, partnerNumber: row.partner.partnerNumber! } };
}
