import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import {
  isRouteErrorResponse,
  Links,
  LiveReload,
  Meta,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLoaderData,
  useRouteError,
  useRouteLoaderData,
} from "@remix-run/react";
import { readToast } from "~/utils/http.server";
import { ToastMessage } from "~/components/toast";
import { useNonce } from "~/components/nonce";
import { DEFAULT_FORMAT } from "~/utils/format";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: "/app.css" },
  { rel: "icon", href: "/favicon.svg", type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Partnerdesk" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const { toast, setCookie } = await readToast(request);
  // The browser connects to `remix dev`'s live-reload socket only under `npm run dev`.
  const liveReload = process.env.NODE_ENV === "development" && Boolean(process.env.REMIX_DEV_ORIGIN);
  // The locale and time zone every page formats with (useFormat): one for everyone until people
  // choose a language (issue 33); sent with the page so the browser formats exactly as the server.
  const format = DEFAULT_FORMAT;
  return data({ toast, liveReload, format }, setCookie ? { headers: { "Set-Cookie": setCookie } } : undefined);
}

export function Layout({ children }: { children: React.ReactNode }) {
  // Remix's inline scripts carry the response's CSP nonce (app/utils/security-headers.server.ts).
  const nonce = useNonce();
  const liveReload = useRouteLoaderData<typeof loader>("root")?.liveReload ?? false;
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
        {liveReload ? <LiveReload nonce={nonce} /> : null}
      </body>
    </html>
  );
}

export default function App() {
  const { toast } = useLoaderData<typeof loader>();
  return (
    <>
      <Outlet />
      {toast ? <ToastMessage toast={toast} /> : null}
    </>
  );
}

const MESSAGES: Record<number, { title: string; text: string }> = {
  400: { title: "That did not work", text: "The request was not valid." },
  403: { title: "Not allowed", text: "Your role does not allow this. Ask a global admin of your organisation if you need access." },
  404: { title: "Not found", text: "There is nothing here. It may have been removed, or it belongs to another organisation." },
  410: { title: "This link is no longer valid", text: "It has expired, was already used, or was withdrawn." },
  413: { title: "Too large", text: "The form sent was larger than this server accepts." },
  415: { title: "That did not work", text: "The request was not sent as a form." },
  429: { title: "Too many attempts", text: "Please wait a moment and try again." },
};

export function ErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const known = MESSAGES[status];
  // Our own responses carry a human message; the router's internal ones (unknown URL) do not.
  const internal = isRouteErrorResponse(error) && (error as { internal?: boolean }).internal;
  const detail = isRouteErrorResponse(error) && !internal && typeof error.data === "string" && status < 500 ? error.data : null;
  return (
    <main className="error-page" aria-labelledby="error-title">
      <p className="error-code">{status}</p>
      <h1 id="error-title">{known?.title ?? "Something went wrong"}</h1>
      <p>{detail ?? known?.text ?? "An unexpected error happened on our side. It has been logged; please try again."}</p>
      <p>
        <a href="/">Go to the start page</a>
      </p>
    </main>
  );
}
