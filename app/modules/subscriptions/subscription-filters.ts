/**
 * The partner's subscriptions list state, shared by server and browser: it lives in the URL and is
 * read by a forgiving schema (a bad value falls back to the default). Cursors are the boundary
 * row's creation time (as text, to the microsecond) and id.
 */
import { z } from "zod";
import { timeKeysetFields } from "../../utils/time-cursor";

export const SUBSCRIPTION_STATUSES = ["trial", "active", "expired", "cancelled"] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
/** "Trials ending soon" means within this many days. */
export const TRIAL_ENDING_DAYS = 30;

export const partnerSubscriptionQuery = z.object({
  status: z.enum(SUBSCRIPTION_STATUSES).optional().catch(undefined),
  product: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/)
    .optional()
    .catch(undefined),
  ending: z
    .enum(["1"])
    .transform(() => true)
    .optional()
    .catch(undefined),
  ...timeKeysetFields,
});

export type PartnerSubscriptionQuery = Omit<z.infer<typeof partnerSubscriptionQuery>, "size"> & { size: number };

export function parsePartnerSubscriptionQuery(params: URLSearchParams): PartnerSubscriptionQuery {
  const raw: Record<string, string> = {};
  for (const [k, v] of params) if (v !== "") raw[k] = v;
  return partnerSubscriptionQuery.parse(raw);
}
