/** The public partner directory's frame: no sign-in, the same look as the app. */
import type { MetaFunction } from "@remix-run/node";
import { Link, Outlet } from "@remix-run/react";

export const meta: MetaFunction = () => [{ title: "Find a partner · Partnerdesk" }];

export default function PartnersLayout() {
  return (
    <div className="directory">
      <header className="directory-header">
        <Link to="/partners" className="brand">
          Partnerdesk · Find a partner
        </Link>
        <Link to="/signin">Sign in</Link>
      </header>
      <main id="main" className="directory-main">
        <Outlet />
      </main>
    </div>
  );
}
