/**
 * Line-of-business (LOB) apps: what a submission is made of, its statuses and their names, shared
 * by the partner's and the customer's pages (server and browser). The rules are in
 * lob-apps.server.ts; the database checks the same limits (db/schema.ts, lob_apps).
 */
import { z } from "zod";
import { multilineText, text, uuid } from "~/utils/input";

/**
 * submitted: waits for the customer's global admins; approved: on the customer's list of available
 * apps; withdrawn: taken off (by the customer, or by its partner before approval). A withdrawn
 * version stays withdrawn: the partner submits a new version.
 */
export const LOB_APP_STATUSES = ["submitted", "approved", "withdrawn"] as const;
export type LobAppStatus = (typeof LOB_APP_STATUSES)[number];

export const LOB_APP_STATUS_LABELS: Record<LobAppStatus, string> = { submitted: "Waiting for review", approved: "Approved", withdrawn: "Withdrawn" };
export const LOB_APP_STATUS_TONES = { submitted: "warn", approved: "good", withdrawn: "neutral" } as const satisfies Record<LobAppStatus, string>;

export const LOB_APP_LIMITS = { name: 100, version: 40, description: 2000, downloadUrl: 2000, reason: 500 } as const;

const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+_-]*$/;

/** A download address: https only, with a host, no credentials in it. */
export const downloadUrlField = text({ required_error: "Enter the download URL." })
  .trim()
  .min(1, "Enter the download URL.")
  .max(LOB_APP_LIMITS.downloadUrl, `Use at most ${LOB_APP_LIMITS.downloadUrl} characters.`)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "Enter a full address, such as https://apps.example.com/expenses-2.1.msi." });
      return;
    }
    if (url.protocol !== "https:") ctx.addIssue({ code: z.ZodIssueCode.custom, message: "The download URL must start with https://." });
    else if (!url.hostname || !url.hostname.includes(".")) ctx.addIssue({ code: z.ZodIssueCode.custom, message: "Enter the address of a public site, such as https://apps.example.com/…." });
    else if (url.username || url.password) ctx.addIssue({ code: z.ZodIssueCode.custom, message: "Leave user names and passwords out of the download URL." });
  });

export const lobAppSubmitSchema = z.object({
  name: text({ required_error: "Enter the app's name." })
    .trim()
    .min(1, "Enter the app's name.")
    .max(LOB_APP_LIMITS.name, `Use at most ${LOB_APP_LIMITS.name} characters.`),
  version: text({ required_error: "Enter the version." })
    .trim()
    .min(1, "Enter the version.")
    .max(LOB_APP_LIMITS.version, `Use at most ${LOB_APP_LIMITS.version} characters.`)
    .regex(VERSION, "Use letters, digits and . + _ - only, such as 2.1.0."),
  description: multilineText({ required_error: "Describe what the app does." })
    .trim()
    .min(1, "Describe what the app does.")
    .max(LOB_APP_LIMITS.description, `Use at most ${LOB_APP_LIMITS.description} characters.`),
  downloadUrl: downloadUrlField,
});
export type LobAppInput = z.output<typeof lobAppSubmitSchema>;

export const lobAppIdSchema = z.object({ appId: uuid("No such app.") });

/** The customer's review: the status the reviewer saw is sent back, so a change meanwhile is a 409, not a surprise. */
export const lobAppReviewSchema = z.object({
  appId: uuid("No such app."),
  seen: z.enum(["submitted", "approved"], { errorMap: () => ({ message: "Reload the page and review the app again." }) }),
  reason: multilineText()
    .trim()
    .max(LOB_APP_LIMITS.reason, `Use at most ${LOB_APP_LIMITS.reason} characters.`)
    .optional()
    .transform((v) => (v ? v : undefined)),
});
