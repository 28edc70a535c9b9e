import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { loadAuth } from "~/modules/auth/session.server";
import { homeFor } from "~/modules/auth/navigation";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await loadAuth(request, context);
  throw redirect(auth ? homeFor(auth.org.kind) : "/signin");
}
