import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { EmptyState } from "~/components/layout";
import { listOutbox } from "~/modules/platform/mail.server";
import { clientIp } from "~/modules/auth/gate.server";
import { config } from "~/utils/config.server";
import { withSystem } from "~/utils/db.server";
import { servedToLocalDeveloper } from "~/utils/dev-only.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Mail outbox (development) · Partnerdesk" }];

/**
 * Development only, and only to a browser on this machine: every queued mail, so links can be
 * followed without an SMTP server.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  // Every tenant's mail is here (activation and reset links too): anyone else gets a 404.
  if (!servedToLocalDeveloper(config().NODE_ENV, clientIp(context), request.headers)) throw new Response("Not found", { status: 404 });
  const mails = await withSystem((tx) => listOutbox(tx, { limit: 100 }));
  return { mails, smtp: Boolean(config().SMTP_URL) };
}

const linkify = (text: string) =>
  text.split(/(https?:\/\/\S+)/g).map((part, i) => (/^https?:\/\//.test(part) ? <a key={i} href={part}>{part}</a> : part));

export default function Outbox() {
  const { mails, smtp } = useLoaderData<typeof loader>();
  const format = useFormat();
  return (
    <main className="content standalone">
      <h1>Mail outbox (development)</h1>
      <p className="muted">
        The last 100 messages. {smtp ? "SMTP is configured: these are also delivered." : "No SMTP_URL is set: mail is only stored here."} This page exists only in development, for browsers on this machine.
      </p>
      {mails.length === 0 ? (
        <EmptyState title="No mail yet" />
      ) : (
        <ol className="outbox">
          {mails.map((m) => (
            <li key={m.id} className="card">
              <h2>{m.subject}</h2>
              <p className="muted small">
                To {m.to.join(", ")} · {format.dateTime(m.createdAt)} · {m.sentAt ? `sent ${format.dateTime(m.sentAt)}` : "not sent"}
              </p>
              <pre className="mail-body">{linkify(m.textBody)}</pre>
            </li>
          ))}
        </ol>
      )}
    </main>
  );
}
