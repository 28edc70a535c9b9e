/**
 * The catalogue of built-in admin roles a partner may hold in a customer tenant (granular
 * delegated administration), with their stable template ids, and the one static map from each
 * role to the Partnerdesk actions it allows inside the customer's organisation. Shared by the
 * server (the gate) and the pages (what to show).
 */
export const TENANT_ACTIONS = [
  "users:read",
  "users:create",
  "users:update",
  "users:reset-password",
  "users:reset-admin-password",
  "licenses:read",
  "licenses:assign",
  "service-requests:read",
  "service-requests:manage",
  "subscriptions:read",
  "subscriptions:manage",
  "audit:read",
  "roles:assign",
] as const;
export type TenantAction = (typeof TENANT_ACTIONS)[number];

export interface AdminRole {
  templateId: string;
  name: string;
  description: string;
  actions: readonly TenantAction[];
}

const all = TENANT_ACTIONS;

export const ADMIN_ROLES: readonly AdminRole[] = [
  { templateId: "62e90394-69f5-4237-9190-012177145e10", name: "Global Administrator", description: "Everything in the organisation.", actions: all },
  {
    templateId: "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
    name: "Global Reader",
    description: "Reads everything a global administrator can; changes nothing.",
    actions: ["users:read", "subscriptions:read", "licenses:read", "service-requests:read", "audit:read"],
  },
  {
    templateId: "fe930be7-5e62-47db-91af-98c3a49a38b1",
    name: "User Administrator",
    description: "Users and groups; password resets for non-admins and limited admins.",
    actions: ["users:read", "users:create", "users:update", "users:reset-password"],
  },
  {
    templateId: "729827e3-9c14-49f7-bb1b-9608f156bbb8",
    name: "Helpdesk Administrator",
    description: "Password resets for non-admins and helpdesk admins; support requests.",
    actions: ["users:read", "users:reset-password", "service-requests:read", "service-requests:manage"],
  },
  { templateId: "966707d0-3269-4727-9be2-8c3a10f19b9d", name: "Password Administrator", description: "Password resets for non-admins and password admins.", actions: ["users:read", "users:reset-password"] },
  { templateId: "4d6ac14f-3453-41d0-bef9-a3e0c569773a", name: "License Administrator", description: "Assigns and removes product licences.", actions: ["users:read", "licenses:read", "licenses:assign"] },
  {
    templateId: "f023fd81-a637-4b56-95fd-791ac0226033",
    name: "Service Support Administrator",
    description: "Service health and support requests.",
    actions: ["service-requests:read", "service-requests:manage"],
  },
  { templateId: "b0f54661-2d74-4c50-afa3-1ec803f12efe", name: "Billing Administrator", description: "Purchases and subscriptions.", actions: ["subscriptions:read", "subscriptions:manage"] },
  { templateId: "e8611ab8-c189-46e8-94e1-60213ab1f814", name: "Privileged Role Administrator", description: "Assigns admin roles to users.", actions: ["users:read", "roles:assign"] },
  {
    templateId: "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
    name: "Privileged Authentication Administrator",
    description: "Authentication methods of any user, admins included.",
    actions: ["users:read", "users:reset-password", "users:reset-admin-password"],
  },
  { templateId: "c4e39bd9-1100-46d3-8c65-fb160da0071f", name: "Authentication Administrator", description: "Authentication methods of non-admin users.", actions: ["users:read", "users:reset-password"] },
  { templateId: "88d8e3e3-8f55-4a1e-953a-9b9898b8876b", name: "Directory Readers", description: "Basic directory reading.", actions: ["users:read"] },
  { templateId: "4a5d8f65-41da-4de4-8968-e035b65339cf", name: "Reports Reader", description: "Sign-in and audit reports.", actions: ["audit:read"] },
  { templateId: "5d6b6bb7-de71-4623-b4af-96380a352509", name: "Security Reader", description: "Reads security information and reports.", actions: ["audit:read"] },
  { templateId: "194ae4cb-b126-40b2-bd5b-6091b380977d", name: "Security Administrator", description: "Security configuration and reports.", actions: ["audit:read"] },
];

export const GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10";
export const HELPDESK_ADMINISTRATOR = "729827e3-9c14-49f7-bb1b-9608f156bbb8";

const BY_ID = new Map(ADMIN_ROLES.map((r) => [r.templateId, r]));

export const adminRole = (templateId: string) => BY_ID.get(templateId);

/** The actions a set of roles allows (unknown template ids allow nothing). */
export function actionsOf(templateIds: readonly string[]): Set<TenantAction> {
  const out = new Set<TenantAction>();
  for (const id of templateIds) for (const a of BY_ID.get(id)?.actions ?? []) out.add(a);
  return out;
}

/**
 * The cap a partner role puts on what its holder may do in a customer tenant: admin agents
 * (full administration) are not capped; helpdesk agents (limited administration) reset
 * passwords and handle service requests at most; every other partner role gets nothing.
 */
export function capForPartnerRoles(partnerRoles: readonly string[]): Set<TenantAction> | "uncapped" {
  if (partnerRoles.includes("admin_agent")) return "uncapped";
  if (partnerRoles.includes("helpdesk_agent")) return new Set<TenantAction>(["users:read", "users:reset-password", "service-requests:read", "service-requests:manage"]);
  return new Set();
}

/** DAP (legacy): admin agents act as Global Administrator, helpdesk agents as Helpdesk Administrator. */
export function dapRolesFor(partnerRoles: readonly string[]): string[] {
  if (partnerRoles.includes("admin_agent")) return [GLOBAL_ADMINISTRATOR];
  if (partnerRoles.includes("helpdesk_agent")) return [HELPDESK_ADMINISTRATOR];
  return [];
}

/**
 * The help pages' "Advisor" (relationship type support_advisor): "reset passwords and handle
 * support incidents". With an active advisor relationship the partner's admin agents and helpdesk
 * agents may do exactly these in the customer (reading its users to pick whom to reset), and
 * nothing more: no user creation, no licences, no subscriptions. Other partner roles get nothing.
 */
export const ADVISOR_ACTIONS: readonly TenantAction[] = ["users:read", "users:reset-password", "service-requests:read", "service-requests:manage"];

/** GDAP rules from the real systems. */
export const GDAP = {
  minDays: 1,
  maxDays: 730,
  defaultDays: 730,
  autoExtendDays: 180,
  displayNameMax: 50,
  approvalDays: 90,
  expiringWithinDays: 30,
  noticeDaysBefore: [30, 7, 1],
} as const;

/** The status filters of the partner's admin relationships page. */
export const RELATIONSHIP_FILTERS = ["active", "expiring", "pending", "expired", "terminated"] as const;
export type RelationshipFilter = (typeof RELATIONSHIP_FILTERS)[number];

/**
 * What a staff member's rights in one customer look like to the pages (serialisable): its partner
 * roles, the admin roles it holds there that give it something its partner role lets it use, and
 * the actions it may take. Built from effectiveRights (staff-groups.server.ts).
 */
export interface RightsView {
  partnerRoles: readonly string[];
  /** Template ids of the held admin roles that leave at least one action after the cap. */
  usable: readonly string[];
  actions: readonly TenantAction[];
  /** Whether the partner is the customer's advisor and the role may use it (ADVISOR_ACTIONS). */
  advisor?: boolean;
}

/** The held roles that give at least one action once the partner role's cap is applied. */
export function usableRoles(partnerRoles: readonly string[], held: readonly string[]): string[] {
  const cap = capForPartnerRoles(partnerRoles);
  return held.filter((id) => (BY_ID.get(id)?.actions ?? []).some((a) => cap === "uncapped" || cap.has(a)));
}

/** Whether the partner role lets its holder act in customer tenants at all. */
export function mayActInCustomers(partnerRoles: readonly string[]): boolean {
  const cap = capForPartnerRoles(partnerRoles);
  return cap === "uncapped" || cap.size > 0;
}

export const CANNOT_ACT_IN_CUSTOMERS = "Your role can't act in customer tenants; ask a global admin.";
const GLOBAL_ADMIN_CANNOT_ACT = "Global admins don't act in customer tenants themselves; admin agents and helpdesk agents do.";
export const ONLY_REQUESTERS = "Only global admins and admin agents can request admin rights.";

function cannotAct(partnerRoles: readonly string[]) {
  return partnerRoles.includes("global_admin") ? GLOBAL_ADMIN_CANNOT_ACT : CANNOT_ACT_IN_CUSTOMERS;
}

const names = (ids: readonly string[]) => ids.map((id) => BY_ID.get(id)?.name ?? id);

/**
 * One sentence on the person's admin rights in the customer: the roles it holds there and can use,
 * that it holds none, or that its partner role cannot act in customers at all. Never names a role
 * the cap makes useless (a sales agent in a group holding Helpdesk Administrator holds nothing here).
 */
export function rightsSummary(view: RightsView): string {
  if (!mayActInCustomers(view.partnerRoles)) return cannotAct(view.partnerRoles);
  const advisor = view.advisor ? "As this customer's advisor you may reset its users' passwords and handle its support incidents." : "";
  if (view.usable.length === 0) return advisor || "You hold no admin roles in this organisation.";
  return `Your admin roles here: ${names(view.usable).join(", ")}.${advisor ? ` ${advisor}` : ""}`;
}

/**
 * Why `action` is not available to the person in the customer (null when it is): its partner role
 * cannot act in customers, or cannot do this kind of thing (`what`, e.g. "manage licences"), or its
 * admin roles there do not include it — then the roles that would, which it does not hold and its
 * partner role could use.
 */
export function whyNot(view: RightsView, action: TenantAction, what: string): string | null {
  if (view.actions.includes(action)) return null;
  if (!mayActInCustomers(view.partnerRoles)) return cannotAct(view.partnerRoles);
  const cap = capForPartnerRoles(view.partnerRoles);
  if (cap !== "uncapped" && !cap.has(action)) return `Your role can't ${what} in customer tenants; ask a global admin.`;
  const fits = (r: AdminRole) => r.actions.includes(action) && r.templateId !== GLOBAL_ADMINISTRATOR && !view.usable.includes(r.templateId) && (cap === "uncapped" || r.actions.every((a) => cap.has(a)));
  const suggested = ADMIN_ROLES.filter(fits).slice(0, 2).map((r) => r.name);
  const ask = suggested.length ? `Ask a global admin to assign your staff group a role such as ${suggested.join(" or ")}.` : "Ask a global admin.";
  return view.usable.length ? `Your admin roles here do not let you ${what}. ${ask}` : ask;
}
