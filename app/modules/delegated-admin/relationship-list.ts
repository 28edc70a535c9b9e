/**
 * The partner's admin relationships list state, shared by server and browser (the list kit,
 * app/utils/list.ts): read forgivingly by the page and strictly by the CSV export. The overview's
 * counts link here with the same filters they count (issue 30).
 */
import { z } from "zod";
import { text } from "~/utils/input";
import { keysetFields, listState } from "~/utils/list";
import { RELATIONSHIP_FILTERS } from "./admin-roles";

export const RELATIONSHIP_SORTS = ["name", "customer", "status", "ends", "created"] as const;
export type RelationshipSort = (typeof RELATIONSHIP_SORTS)[number];
/** The kinds of admin relationship the list shows (their labels: app/modules/relationships/relationship-types.ts). */
export const ADMIN_RELATIONSHIP_KINDS = ["dap", "gdap"] as const;
/** "Ends within" choices: the notice thresholds (30, 7 and 1 days; GDAP.noticeDaysBefore). */
export const ENDS_WITHIN = ["30", "7", "1"] as const;

export const relationshipList = listState({
  filters: {
    status: z.enum(RELATIONSHIP_FILTERS),
    type: z.enum(ADMIN_RELATIONSHIP_KINDS),
    /** Active GDAP relationships ending within this many days. */
    ends: z.enum(ENDS_WITHIN),
    /** "none": active GDAP relationships no staff group holds roles in. */
    groups: z.enum(["none"]),
    q: text().max(100),
  },
  order: { sort: z.enum(RELATIONSHIP_SORTS).default("created"), dir: z.enum(["asc", "desc"]).default("desc") },
  paging: keysetFields,
});

export type RelationshipListState = z.output<typeof relationshipList.schema>;
/** The filters and order, strictly read: what the export acts on. */
export type RelationshipListFilter = z.output<typeof relationshipList.strictSchema>;

/** What each status the list shows reads as (the page's badges and the export). */
export const ADMIN_STATUS_LABELS: Record<string, string> = {
  active: "Active",
  expiring: "Expiring",
  approval_pending: "Approval pending",
  created: "Created",
  requested: "Approval pending",
  expired: "Expired",
  termination_requested: "Termination requested",
  terminated: "Terminated",
  declined: "Declined",
  ended: "Ended",
};
