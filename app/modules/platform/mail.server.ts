/**
 * Mail. Queued in the outbox in the transaction that causes it (so a rolled-back change
 * sends nothing), delivered at least once by scheduled work through nodemailer when
 * SMTP_URL is set. Without SMTP the outbox is readable at /dev/outbox (not in production).
 */
import nodemailer, { type Transporter } from "nodemailer";
import { and, asc, desc, eq, isNull, lte, sql } from "drizzle-orm";
import { mailOutbox } from "../../../db/schema";
import { config } from "~/utils/config.server";
import type { Tx } from "~/utils/db.server";
import { logger } from "~/utils/logger.server";

export interface MailMessage {
  orgId: string | null;
  to: string[];
  subject: string;
  text: string;
  html?: string;
}

export async function enqueueMail(tx: Tx, message: MailMessage) {
  await tx.insert(mailOutbox).values({
    orgId: message.orgId,
    to: message.to,
    subject: message.subject,
    textBody: message.text,
    htmlBody: message.html ?? null,
  });
}

let transport: Transporter | undefined;
function getTransport(): Transporter | null {
  const url = config().SMTP_URL;
  if (!url) return null;
  // Pooled: a batch reuses open connections (up to 5, 100 messages each) instead of a new
  // connection and handshake per message. `?pool=false` in SMTP_URL turns it off.
  transport ??= nodemailer.createTransport({ url, pool: true });
  return transport;
}

/** Closes the pooled connections: when the worker stops, and for tests with their own SMTP server. */
export function resetMailTransport() {
  transport?.close();
  transport = undefined;
}

const backoffSeconds = (attempts: number) => Math.min(3600, 15 * 2 ** attempts);

/**
 * Sends up to `limit` due messages. Rows are claimed with FOR UPDATE SKIP LOCKED, so several
 * app instances share the work; a crash between sending and committing sends again (at least once).
 */
export async function deliverPendingMail(db: { transaction: Tx["transaction"] }, limit = 20): Promise<number> {
  const smtp = getTransport();
  if (!smtp) return 0;
  return db.transaction(async (tx) => {
    const due = await tx
      .select()
      .from(mailOutbox)
      .where(and(isNull(mailOutbox.sentAt), lte(mailOutbox.nextAttemptAt, sql`now()`)))
      .orderBy(asc(mailOutbox.nextAttemptAt), asc(mailOutbox.id))
      .limit(limit)
      .for("update", { skipLocked: true });
    let sent = 0;
    for (const mail of due) {
      try {
        await smtp.sendMail({
          from: config().MAIL_FROM,
          to: mail.to,
          subject: mail.subject,
          text: mail.textBody,
          html: mail.htmlBody ?? undefined,
        });
        await tx.update(mailOutbox).set({ sentAt: sql`now()`, attempts: mail.attempts + 1, lastError: null }).where(eq(mailOutbox.id, mail.id));
        sent++;
      } catch (error) {
        logger.warn({ err: error, mailId: mail.id }, "mail delivery failed");
        await tx
          .update(mailOutbox)
          .set({
            attempts: mail.attempts + 1,
            lastError: String((error as Error).message ?? error).slice(0, 500),
            nextAttemptAt: sql`now() + make_interval(secs => ${backoffSeconds(mail.attempts)})`,
          })
          .where(eq(mailOutbox.id, mail.id));
      }
    }
    return sent;
  });
}

/**
 * Scheduled work (system context): the bodies of mail sent more than `retentionDays` ago are
 * blanked, since they carry activation, reset and confirmation links (the database keeps only
 * those tokens' hashes). The row stays as the record of what was sent to whom, and when. Mail not
 * sent yet keeps its body until it is sent. Returns how many bodies were blanked.
 */
export async function purgeSentMailBodies(tx: Tx, { retentionDays }: { retentionDays: number }): Promise<number> {
  const cutoff = sql`now() - make_interval(days => ${retentionDays})`;
  const purged = await tx
    .update(mailOutbox)
    .set({ textBody: "", htmlBody: null })
    // created_at <= sent_at: the bound lets the partial index of kept bodies find the rows.
    .where(and(sql`${mailOutbox.textBody} <> ''`, lte(mailOutbox.createdAt, cutoff), lte(mailOutbox.sentAt, cutoff)))
    .returning({ id: mailOutbox.id });
  return purged.length;
}

/** Development outbox (system context; the route refuses in production). */
export async function listOutbox(tx: Tx, { limit = 100 }: { limit?: number } = {}) {
  return tx.select().from(mailOutbox).orderBy(desc(mailOutbox.id)).limit(limit);
}
