import { type LoaderFunctionArgs } from "@remix-run/node";
import { Form, NavLink, Outlet, useLoaderData, useLocation, useNavigation, useSubmit } from "@remix-run/react";
import { ROLE_LABELS, type Permission } from "~/modules/auth/permissions";
import { requireAuth } from "~/modules/auth/gate.server";

export async function loader({ request, context }: LoaderFunctionArgs) {
  // requireAuth holds the gates (a temporary password to replace, the customer agreement to
  // accept) on every route's loader and action, this layout's included.
  const auth = await requireAuth({ request, context });
  return {
    user: auth.user,
    org: auth.org,
    roles: auth.roles,
    permissions: auth.permissions,
    orgs: auth.orgs.map((o) => ({ id: o.id, name: o.name, kind: o.kind })),
    agreementPending: auth.org.agreementPending,
    unread: auth.unread,
  };
}

interface NavItem {
  to: string;
  label: string;
  permission: Permission;
  end?: boolean;
}

const PARTNER_NAV: NavItem[] = [
  { to: "/partner", label: "Overview", permission: "overview:view", end: true },
  { to: "/partner/customers", label: "Customers", permission: "customers:view" },
  { to: "/partner/links", label: "Invitations and offers", permission: "links:manage" },
  { to: "/partner/product-keys", label: "Product keys", permission: "keys:manage" },
  { to: "/partner/subscriptions", label: "Subscriptions", permission: "subscriptions:view" },
  { to: "/partner/leads", label: "Leads", permission: "leads:manage" },
  { to: "/partner/relationships", label: "Admin relationships", permission: "relationships:manage" },
  { to: "/partner/staff", label: "Staff", permission: "staff:manage" },
  { to: "/partner/profile", label: "Company profile", permission: "profile:view" },
  { to: "/partner/listing", label: "Directory listing", permission: "listing:manage" },
  { to: "/partner/audit", label: "Audit log", permission: "audit:view" },
];
const CUSTOMER_NAV: NavItem[] = [
  { to: "/customer", label: "Overview", permission: "overview:view", end: true },
  { to: "/customer/partners", label: "Partners", permission: "partners:view" },
  { to: "/customer/subscriptions", label: "Subscriptions", permission: "subscriptions:manage" },
  { to: "/customer/requests", label: "Requests", permission: "partners:view" },
  { to: "/customer/activity", label: "Partner activity", permission: "partners:view" },
  { to: "/customer/users", label: "Users", permission: "users:manage" },
  { to: "/customer/agreement", label: "Customer agreement", permission: "overview:view" },
];

export default function AppShell() {
  const { user, org, roles, permissions, orgs, unread, agreementPending } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const location = useLocation();
  const submit = useSubmit();
  const nav = (org.kind === "partner" ? PARTNER_NAV : CUSTOMER_NAV).filter((i) => permissions.includes(i.permission));
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/" className="topbar-brand">
          Partnerdesk
        </NavLink>
        <div className="topbar-org">
          {orgs.length > 1 ? (
            <Form method="post" action="/switch-organisation" onChange={(e) => submit(e.currentTarget)}>
              <label htmlFor="org-switch" className="visually-hidden">
                Organisation
              </label>
              <select id="org-switch" name="orgId" defaultValue={org.id}>
                {orgs.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name} ({o.kind})
                  </option>
                ))}
              </select>
              <input type="hidden" name="redirectTo" value={location.pathname} />
              <noscript>
                <button type="submit" className="button">
                  Switch
                </button>
              </noscript>
            </Form>
          ) : (
            <span className="org-name">{org.name}</span>
          )}
          {org.partnerNumber ? <span className="muted small"> Partner ID {org.partnerNumber}</span> : null}
        </div>
        <nav aria-label="Account" className="topbar-actions">
          <NavLink to="/notifications" className="bell" aria-label={`Notifications, ${unread > 99 ? "more than 99" : unread} unread`}>
            <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
              <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" />
            </svg>
            {unread > 0 ? <span className="bell-count">{unread > 99 ? "99+" : unread}</span> : null}
          </NavLink>
          <NavLink to="/account" className="topbar-user">
            {user.displayName}
            <span className="muted small"> · {roles.map((r) => ROLE_LABELS[org.kind][r] ?? r).join(", ")}</span>
          </NavLink>
          <Form method="post" action="/signout">
            <button type="submit" className="link-button">
              Sign out
            </button>
          </Form>
        </nav>
      </header>
      <div className="shell-body">
        <nav aria-label="Main" className="sidenav">
          <ul>
            {nav.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.end}>
                  {item.label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" className="content" aria-busy={navigation.state === "loading"}>
          {navigation.state === "loading" ? <div className="progress-bar" role="progressbar" aria-label="Loading" /> : null}
          {agreementPending && !permissions.includes("agreement:accept") ? (
            <p className="notice notice-warn" role="note">
              Your organisation has not accepted the customer agreement yet. Its global admin must accept it before partners can buy or manage anything for you.
            </p>
          ) : null}
          <Outlet />
        </main>
      </div>
    </div>
  );
}
