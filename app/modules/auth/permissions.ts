/**
 * The one static permission map. Shared by server (the gate) and client (what to show).
 * A user's permissions are the union over the roles of its membership in the active
 * organisation. Rights inside customer tenants come from relationships (later issues).
 */
export const PARTNER_ROLES = ["global_admin", "admin_agent", "helpdesk_agent", "sales_agent", "billing_admin"] as const;
export const CUSTOMER_ROLES = ["global_admin", "billing_admin", "user"] as const;
export type PartnerRole = (typeof PARTNER_ROLES)[number];
export type CustomerRole = (typeof CUSTOMER_ROLES)[number];
export type Role = PartnerRole | CustomerRole;
export type OrgKind = "partner" | "customer";

export const ROLE_LABELS: Record<OrgKind, Record<string, string>> = {
  partner: {
    global_admin: "Global admin",
    admin_agent: "Admin agent",
    helpdesk_agent: "Helpdesk agent",
    sales_agent: "Sales agent",
    billing_admin: "Billing admin",
  },
  customer: {
    global_admin: "Global admin",
    billing_admin: "Billing admin",
    user: "User",
  },
};

export const ROLE_DESCRIPTIONS: Record<PartnerRole, string> = {
  global_admin: "Staff, roles, company profile, audit log and every partner feature.",
  admin_agent: "Full administration in supported customers; creates invitations and offers.",
  helpdesk_agent: "Limited administration: password resets and service requests in customers.",
  sales_agent: "Customers, trial invitations, purchase offers and product keys.",
  billing_admin: "Subscriptions and billing views.",
};

export type Permission =
  | "overview:view"
  | "profile:view"
  | "profile:edit"
  | "staff:manage"
  | "audit:view"
  | "notifications:view"
  | "customers:view"
  | "customers:create"
  | "customers:export"
  | "agreement:accept"
  | "links:manage"
  | "partners:view"
  | "subscriptions:manage"
  | "subscriptions:view"
  | "keys:manage"
  | "partners:remove"
  | "listing:manage"
  | "leads:manage"
  | "requests:approve"
  | "relationships:manage"
  | "users:manage"
  | "apps:view"
  | "apps:review"
  | "service-requests:view"
  | "partners:sharing"
  | "sign-in:manage";

// Every partner role finds customers (search-first help); creating them is for the roles that sell.
const everyone: Permission[] = ["overview:view", "profile:view", "notifications:view", "customers:view", "customers:export"];
// The roles that sell: add customers, create and share trial invitations, offers and reseller
// invitations, and register product keys; they also see the subscriptions they advise or resell.
const creates: Permission[] = ["customers:create", "links:manage", "keys:manage", "subscriptions:view", "leads:manage"];

const PERMISSIONS: Record<OrgKind, Record<string, readonly Permission[]>> = {
  partner: {
    global_admin: [...everyone, ...creates, "profile:edit", "staff:manage", "audit:view", "relationships:manage", "listing:manage", "sign-in:manage"],
    // Admin relationships (DAP, GDAP) are requested by the partner's global admins and admin agents.
    admin_agent: [...everyone, ...creates, "relationships:manage"],
    helpdesk_agent: everyone,
    sales_agent: [...everyone, ...creates],
    billing_admin: [...everyone, "subscriptions:view"],
  },
  customer: {
    // Only a customer's global admin or billing admin does the partner steps of the help pages (view
    // partners, accept the customer agreement, accept trials and offers, set the partner on a
    // subscription); only the global admin manages users and grants (or removes) admin rights. Both
    // see and comment on the service requests partners opened for them (a billing admin manages
    // support tickets).
    // MPSA purchase sharing (its MPSA partners see each other's purchases) is the global admin's to
    // turn on and off; a billing admin sees it.
    // Line-of-business apps: both admins see the private app list; only the global admin approves or
    // withdraws an app (software for the whole organisation, like granting admin rights).
    // Its sign-in settings (whether every member needs a second factor) are the global admin's.
    global_admin: ["overview:view", "notifications:view", "agreement:accept", "partners:view", "subscriptions:manage", "requests:approve", "users:manage", "partners:remove", "apps:view", "apps:review", "service-requests:view", "partners:sharing", "sign-in:manage"],
    billing_admin: ["overview:view", "notifications:view", "agreement:accept", "partners:view", "subscriptions:manage", "apps:view", "service-requests:view"],
    user: ["overview:view", "notifications:view"],
  },
};

export function permissionsFor(kind: OrgKind, roles: readonly string[]): Set<Permission> {
  const set = new Set<Permission>();
  for (const role of roles) for (const p of PERMISSIONS[kind][role] ?? []) set.add(p);
  return set;
}
