import { type LoaderFunctionArgs } from "@remix-run/node";
import { Form, NavLink, Outlet, useLoaderData, useLocation, useNavigation, useSubmit } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { ROLE_LABELS } from "~/modules/auth/permissions";
import { navFor } from "~/modules/auth/navigation";
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

export default function AppShell() {
  const { user, org, roles, permissions, orgs, unread, agreementPending } = useLoaderData<typeof loader>();
  const navigation = useNavigation();
  const location = useLocation();
  const submit = useSubmit();
  const nav = navFor(org.kind).filter((i) => permissions.includes(i.permission));
  const menu = useMenu();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        {menu.hydrated ? (
          <button ref={menu.buttonRef} type="button" className="menu-toggle" aria-expanded={menu.open} aria-controls={NAV_ID} onClick={menu.toggle}>
            <MenuIcon />
            Menu
          </button>
        ) : (
          // Before the page's script runs (or without it): a link to the navigation, which the
          // narrow layout shows when it is the target.
          <a className="menu-toggle" href={`#${NAV_ID}`}>
            <MenuIcon />
            Menu
          </a>
        )}
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
          {org.partnerNumber ? <span className="muted small topbar-partner-id"> Partner ID {org.partnerNumber}</span> : null}
        </div>
        <nav aria-label="Account" className="topbar-actions">
          <NavLink to="/notifications" className="bell" aria-label={`Notifications, ${unread > 99 ? "more than 99" : unread} unread`}>
            <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
              <path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" />
            </svg>
            {unread > 0 ? <span className="bell-count">{unread > 99 ? "99+" : unread}</span> : null}
          </NavLink>
          <NavLink to="/account" className="topbar-user">
            <span className="topbar-user-name">{user.displayName}</span>
            <span className="muted small topbar-roles"> · {roles.map((r) => ROLE_LABELS[org.kind][r] ?? r).join(", ")}</span>
          </NavLink>
          <Form method="post" action="/signout">
            <button type="submit" className="link-button">
              Sign out
            </button>
          </Form>
        </nav>
      </header>
      <div className="shell-body">
        <nav aria-label="Main" id={NAV_ID} ref={menu.navRef} className={menu.open ? "sidenav open" : "sidenav"}>
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
        <main id="main" ref={menu.mainRef} tabIndex={-1} className="content" aria-busy={navigation.state === "loading"}>
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

const NAV_ID = "site-nav";

function MenuIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
      <path fill="currentColor" d="M3 6h18v2H3zm0 5h18v2H3zm0 5h18v2H3z" />
    </svg>
  );
}

/**
 * The narrow layout's menu (below 760 px the side navigation is hidden until Menu is pressed):
 * a disclosure button once the page's script runs. Opening moves focus to the first link;
 * Escape closes it and returns focus to the button; going to another page closes it and puts
 * focus on the page's content (the link that had it is hidden again).
 */
function useMenu() {
  const [hydrated, setHydrated] = useState(false);
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const navRef = useRef<HTMLElement>(null);
  const mainRef = useRef<HTMLElement>(null);
  const location = useLocation();
  useEffect(() => setHydrated(true), []);

  const focusFirstLink = useRef(false);
  useEffect(() => {
    if (open && focusFirstLink.current) navRef.current?.querySelector<HTMLElement>("a")?.focus();
    focusFirstLink.current = false;
  }, [open]);

  useEffect(() => {
    if (!open) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      buttonRef.current?.focus();
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [open]);

  const openNow = useRef(open);
  openNow.current = open;
  const lastPath = useRef(location.pathname);
  useEffect(() => {
    if (lastPath.current === location.pathname) return;
    lastPath.current = location.pathname;
    if (!openNow.current) return;
    if (navRef.current?.contains(document.activeElement)) mainRef.current?.focus();
    setOpen(false);
  }, [location.pathname]);

  return {
    hydrated,
    open,
    buttonRef,
    navRef,
    mainRef,
    toggle: () => {
      focusFirstLink.current = !open;
      setOpen(!open);
    },
  };
}
