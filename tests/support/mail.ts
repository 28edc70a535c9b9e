import { sql } from "drizzle-orm";
import { rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";

/** Mailed by every sign-in from a browser new to the account (ADR 0042); not what tests wait for. */
export const NEW_SIGN_IN_SUBJECT = "New sign-in to your Partnerdesk account";

/** The text of the newest queued mail to an address, new-browser sign-in notices aside ("" when there is none). */
export async function lastMailTo(email: string) {
  const [row] = await withSystem(async (tx) =>
    rowsOf<{ text_body: string }>(
      await tx.execute(sql`select text_body from mail_outbox where ${email} = any("to") and subject <> ${NEW_SIGN_IN_SUBJECT} order by id desc limit 1`),
    ),
  );
  return row?.text_body ?? "";
}
