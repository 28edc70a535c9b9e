/**
 * The partner's subscriptions list state, shared by server and browser: it lives in the URL (the
 * list kit, app/utils/list.ts) and is read by a forgiving schema (a bad value is ignored). Cursors
 * are the boundary row's creation time (as text, to the microsecond) and id (timeCursor).
 */
import { z } from "zod";
import { keysetFields, listState, type PageSize } from "~/utils/list";

export const SUBSCRIPTION_STATUSES = ["trial", "active", "expired", "cancelled"] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];
/** "Trials ending soon" means within this many days. */
export const TRIAL_ENDING_DAYS = 30;

export const partnerSubscriptionList = listState({
  filters: {
    status: z.enum(SUBSCRIPTION_STATUSES),
    product: z.string().regex(/^[a-z0-9-]{1,64}$/),
    ending: z.enum(["1"]).transform(() => true as const),
  },
  paging: keysetFields,
});

export type PartnerSubscriptionQuery = Omit<z.output<typeof partnerSubscriptionList.schema>, "size"> & { size: PageSize | number };

export function parsePartnerSubscriptionQuery(params: URLSearchParams): PartnerSubscriptionQuery {
  return partnerSubscriptionList.read(params);
}
