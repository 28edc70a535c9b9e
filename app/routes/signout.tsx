import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { deleteSession, destroySessionCookie, loadAuth, readSessionId } from "~/modules/auth/session.server";
import { recordAudit } from "~/modules/platform/audit.server";
import { clientIp } from "~/modules/auth/gate.server";
import { withSystem } from "~/utils/db.server";

// GET never signs out (no state change on GET); the shell posts here.
export async function loader() {
  throw redirect("/");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const id = await readSessionId(request);
  if (id) {
    const auth = await loadAuth(request, context);
    await withSystem(async (tx) => {
      await deleteSession(tx, id);
      if (auth) {
        await recordAudit(tx, {
          actor: { userId: auth.user.id, orgId: auth.org.id, ip: clientIp(context) },
          action: "auth.sign_out",
          objectType: "user",
          objectId: auth.user.id,
        });
      }
    });
  }
  throw redirect("/signin", { headers: { "Set-Cookie": await destroySessionCookie() } });
}
