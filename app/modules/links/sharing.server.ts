/**
 * Sharing a link: a QR code image, an HTML snippet for the partner's website, and email to one
 * or several addresses with the partner's name and message.
 */
import { and, eq, sql } from "drizzle-orm";
import { rowsOf } from "../../../db/client";
import { config } from "~/utils/config.server";
import { links, organisations } from "../../../db/schema";
import type { Tx } from "~/utils/db.server";
import { recordAudit, type Actor } from "../platform/audit.server";
import { DomainError, RateLimited } from "../../utils/errors";
import { enqueueMail } from "../platform/mail.server";
import { LINK_KIND_LABELS, MAX_SHARE_RECIPIENTS } from "./link-kinds";
import { linkStatus, linkUrl } from "./links.server";

/** A QR code of the URL as an SVG document (scalable, a few kilobytes). */
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** A link to paste into the partner's website. */
export function htmlSnippet({ url, kind, partnerName, productNames }: { url: string; kind: keyof typeof LINK_KIND_LABELS; partnerName: string; productNames: string[] }) {
  const text =
    kind === "trial"
      ? `Start your free trial of ${productNames[0] ?? "our services"}`
      : kind === "offer"
        ? `Buy ${productNames.join(", ")} through ${partnerName}`
        : `Choose ${partnerName} as your partner`;
  return `<a href="${escapeHtml(url)}" rel="noopener">${escapeHtml(text)}</a>`;
}


/** Sharing by email counts in hourly windows per partner (LINK_SHARE_MAX_PER_PARTNER_PER_HOUR mails). */
export const SHARE_WINDOW_SECONDS = 3600;

/**
 * Takes `mails` from the partner's hourly allowance, or refuses with 429 and the seconds until its
 * window ends. The count lives in the database (pd_take_org_quota, for the organisation of the
 * transaction's context) and changes in this transaction: a share that fails later gives it back,
 * and simultaneous shares take turns on its row.
 */
async function takeShareQuota(tx: Tx, mails: number) {
  const limit = config().LINK_SHARE_MAX_PER_PARTNER_PER_HOUR;
  const [row] = rowsOf<{ retry_after: number }>(
    await tx.execute(sql`select pd_take_org_quota('link.share', ${mails}::int, ${limit}::int, ${SHARE_WINDOW_SECONDS}::int) as retry_after`),
  );
  const retryAfter = Number(row?.retry_after ?? 0);
  if (retryAfter > 0) {
    const minutes = Math.ceil(retryAfter / 60);
    throw new RateLimited(
      `Your organisation can send ${limit} link emails an hour, and this would go over it. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}, or share the link another way (copy it, QR code).`,
      retryAfter,
    );
  }
}

/** Mails a live link to each address (one message each, so no recipient sees the others). */
export async function shareLinkByEmail(
  tx: Tx,
  { partnerId, actor, linkId, to, note }: { partnerId: string; actor: Actor; linkId: string; to: string[]; note: string | null },
) {
  const [row] = await tx
    .select({ link: links, partnerName: organisations.name, partnerEmail: organisations.email })
    .from(links)
    .innerJoin(organisations, eq(organisations.id, links.partnerOrgId))
    .where(and(eq(links.partnerOrgId, partnerId), eq(links.id, linkId)));
  if (!row) throw new DomainError(404, "No such link.");
  if (linkStatus(row.link) !== "active") throw new DomainError(410, "This link is no longer active; create a new one to share.");
  const recipients = [...new Set(to.map((t) => t.toLowerCase()))];
  if (recipients.length === 0) throw new DomainError(400, "Enter at least one email address.", "to");
  if (recipients.length > MAX_SHARE_RECIPIENTS) throw new DomainError(400, `Send to at most ${MAX_SHARE_RECIPIENTS} addresses at a time.`, "to");
  await takeShareQuota(tx, recipients.length);
  const url = linkUrl(row.link.code);
  const what = LINK_KIND_LABELS[row.link.kind].toLowerCase();
  const message = [note, row.link.message].filter(Boolean).join("\n\n");
  for (const address of recipients) {
    await enqueueMail(tx, {
      orgId: partnerId,
      to: [address],
      subject: `${row.partnerName} sent you a ${what}`,
      text:
        `Hello,\n\n${row.partnerName} sent you a ${what} on Partnerdesk.\n\n` +
        (message ? `${message}\n\n` : "") +
        `Open this link to see it, read the customer agreement and accept:\n\n${url}\n\n` +
        (row.partnerEmail ? `Questions? Write to ${row.partnerName} at ${row.partnerEmail}.\n` : ""),
    });
  }
  await recordAudit(tx, { actor, action: "link.shared", objectType: "link", objectId: linkId, details: { recipients: recipients.length } });
  return { sent: recipients.length };
}
