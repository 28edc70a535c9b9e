/**
 * The customer list's state, shared by server and browser: it lives in the URL, read by a
 * forgiving schema (a bad value falls back to the default instead of failing).
 */
import { z } from "zod";
import { text } from "~/utils/input";
import { PAGE_SIZES, pageSizeField } from "~/utils/time-cursor";

export { PAGE_SIZES };

export const CUSTOMER_SORTS = ["name", "domain", "country", "types", "agreement", "created"] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];
export const RELATIONSHIP_TYPES = ["reseller", "advisor", "dap", "gdap"] as const;
export type RelationshipType = (typeof RELATIONSHIP_TYPES)[number];

export const RELATIONSHIP_LABELS: Record<RelationshipType, string> = {
  reseller: "Reseller",
  advisor: "Advisor",
  dap: "Delegated admin",
  gdap: "Granular delegated admin",
};

// Absent parameters take their default without a failed parse: .catch alone would build a zod
// issue (and its message) for every missing sort, direction and size on every request.
export const customerListQuery = z.object({
  q: text().max(100).optional().catch(undefined),
  type: z.enum(RELATIONSHIP_TYPES).optional().catch(undefined),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .optional()
    .catch(undefined),
  agreement: z.enum(["accepted", "pending"]).optional().catch(undefined),
  sort: z.enum(CUSTOMER_SORTS).catch("name").default("name"),
  dir: z.enum(["asc", "desc"]).catch("asc").default("asc"),
  size: pageSizeField,
  after: z.string().max(2000).optional().catch(undefined),
  before: z.string().max(2000).optional().catch(undefined),
  last: z
    .enum(["1"])
    .transform(() => true)
    .optional()
    .catch(undefined),
});

export type CustomerListQuery = Omit<z.infer<typeof customerListQuery>, "size"> & { size: number };

export function parseCustomerListQuery(params: URLSearchParams): CustomerListQuery {
  const raw: Record<string, string> = {};
  for (const [k, v] of params) if (v !== "") raw[k] = v;
  return customerListQuery.parse(raw);
}

/** The URL of the list with some state changed; paging resets unless a cursor is given. */
export function customerListHref(current: URLSearchParams, change: Record<string, string | null | undefined>, base = "/partner/customers") {
  const next = new URLSearchParams(current);
  const pagingKeys = ["after", "before", "last"];
  if (!pagingKeys.some((k) => k in change)) pagingKeys.forEach((k) => next.delete(k));
  for (const [k, v] of Object.entries(change)) {
    if (v === null || v === undefined || v === "") next.delete(k);
    else next.set(k, v);
  }
  if (pagingKeys.some((k) => k in change)) pagingKeys.filter((k) => !(k in change)).forEach((k) => next.delete(k));
  const s = next.toString();
  return s ? `${base}?${s}` : base;
}
