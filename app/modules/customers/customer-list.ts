/**
 * The customer list's state, shared by server and browser: it lives in the URL (the list kit,
 * app/utils/list.ts), read forgivingly by the page (a bad value falls back to the default instead
 * of failing) and strictly by the bulk selection and the export, which act on every match.
 */
import { z } from "zod";
import { text } from "~/utils/input";
import { keysetFields, listState, type PageSize } from "~/utils/list";

export const CUSTOMER_SORTS = ["name", "domain", "country", "types", "agreement", "created"] as const;
export type CustomerSort = (typeof CUSTOMER_SORTS)[number];
export { RELATIONSHIP_LABELS, type RelationshipType } from "../relationships/relationship-types";
/** The relationship types the customer list filters on (partner_customers keeps a flag for each). */
export const CUSTOMER_FILTER_TYPES = ["reseller", "advisor", "dap", "gdap"] as const;

export const customerList = listState({
  filters: {
    q: text().max(100),
    type: z.enum(CUSTOMER_FILTER_TYPES),
    country: z.string().regex(/^[A-Z]{2}$/),
    agreement: z.enum(["accepted", "pending"]),
  },
  order: { sort: z.enum(CUSTOMER_SORTS).default("name"), dir: z.enum(["asc", "desc"]).default("asc") },
  paging: keysetFields,
});

export type CustomerListQuery = Omit<z.output<typeof customerList.schema>, "size"> & { size: PageSize | number };

/** The filters and order of the list, strictly read: what bulk work and the export act on. */
export type CustomerListFilter = z.output<typeof customerList.strictSchema>;

/** The list's state from the URL, forgiving (the page). */
export function parseCustomerListQuery(params: URLSearchParams): CustomerListQuery {
  return customerList.read(params);
}
