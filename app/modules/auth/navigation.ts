/**
 * The side navigation of each kind of organisation, each entry with the permission that shows it;
 * also where switching organisation may land (the same section in the new organisation).
 */
import type { OrgKind, Permission } from "~/modules/auth/permissions";

/** Where a person lands in an organisation of this kind. */
export function homeFor(kind: OrgKind) {
  return kind === "partner" ? "/partner" : "/customer";
}

export interface NavItem {
  to: string;
  label: string;
  permission: Permission;
  end?: boolean;
}

export const PARTNER_NAV: NavItem[] = [
  { to: "/partner", label: "Overview", permission: "overview:view", end: true },
  { to: "/partner/customers", label: "Customers", permission: "customers:view" },
  { to: "/partner/links", label: "Invitations and offers", permission: "links:manage" },
  { to: "/partner/product-keys", label: "Product keys", permission: "keys:manage" },
  { to: "/partner/subscriptions", label: "Subscriptions", permission: "subscriptions:view" },
  { to: "/partner/leads", label: "Leads", permission: "leads:manage" },
  { to: "/partner/relationships", label: "Admin relationships", permission: "relationships:manage" },
  { to: "/partner/staff", label: "Staff", permission: "staff:manage" },
  { to: "/organisation/sign-in", label: "Sign-in settings", permission: "sign-in:manage" },
  { to: "/partner/profile", label: "Company profile", permission: "profile:view" },
  { to: "/partner/listing", label: "Directory listing", permission: "listing:manage" },
  { to: "/partner/audit", label: "Audit log", permission: "audit:view" },
];
export const CUSTOMER_NAV: NavItem[] = [
  { to: "/customer", label: "Overview", permission: "overview:view", end: true },
  { to: "/customer/partners", label: "Partners", permission: "partners:view" },
  { to: "/customer/subscriptions", label: "Subscriptions", permission: "subscriptions:manage" },
  { to: "/customer/requests", label: "Requests", permission: "partners:view" },
  { to: "/customer/activity", label: "Partner activity", permission: "partners:view" },
  { to: "/customer/apps", label: "Line-of-business apps", permission: "apps:view" },
  { to: "/customer/service-requests", label: "Service requests", permission: "service-requests:view" },
  { to: "/customer/users", label: "Users", permission: "users:manage" },
  { to: "/organisation/sign-in", label: "Sign-in settings", permission: "sign-in:manage" },
  { to: "/customer/agreement", label: "Customer agreement", permission: "overview:view" },
];

export const navFor = (kind: OrgKind): NavItem[] => (kind === "partner" ? PARTNER_NAV : CUSTOMER_NAV);

/**
 * Where a person lands after switching to an organisation of `kind` with `permissions`, coming from
 * `path` (already checked to be a same-origin path): the section of the navigation that path is in
 * (a record of the organisation left behind becomes its list), when the new organisation has that
 * section for this kind and the person's role there; otherwise its home.
 */
export function landingAfterSwitch(path: string, kind: OrgKind, permissions: readonly Permission[]): string {
  const items = navFor(kind);
  const home = items[0]!.to;
  const pathname = path.split(/[?#]/)[0]!;
  const section = items
    .filter((i) => pathname === i.to || pathname.startsWith(`${i.to}/`))
    .sort((x, y) => y.to.length - x.to.length)[0];
  return section && permissions.includes(section.permission) ? section.to : home;
}
