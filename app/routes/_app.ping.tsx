import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { requireAuth } from "~/modules/auth/gate.server";

export const meta: MetaFunction = () => [{ title: "Signed in · Partnerdesk" }];

/**
 * A constant page behind the same root layout and session check as every page: the baseline
 * the benchmark compares the customer list with, and a cheap "am I signed in" probe.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  await requireAuth({ request, context });
  return { ok: true };
}

export default function Ping() {
  return <p>You are signed in.</p>;
}
