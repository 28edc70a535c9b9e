import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { switchOrganisation } from "~/modules/auth/session.server";
import { recordAudit } from "~/modules/platform/audit.server";
import { clientIp, requireAuth } from "~/modules/auth/gate.server";
import { withSystem } from "~/utils/db.server";
import { redirectWithToast } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { safeRedirect } from "~/utils/safe-redirect";
import { permissionsFor } from "~/modules/auth/permissions";
import { landingAfterSwitch } from "~/modules/auth/navigation";

export async function loader() {
  throw redirect("/");
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireAuth({ request, context });
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema: z.object({ orgId: z.string().uuid() }) });
  if (submission.status !== "success") throw new Response("Choose an organisation.", { status: 400 });
  // Switching sessions between a user's own organisations is a session (system) operation.
  // The session gets a new id (a change of privilege).
  const switched = await withSystem(async (tx) => {
    const done = await switchOrganisation(tx, { sessionIdHash: auth.sessionIdHash, userId: auth.user.id, orgId: submission.value.orgId });
    if (done) {
      await recordAudit(tx, { actor: { userId: auth.user.id, orgId: done.org.id, ip: clientIp(context) }, action: "auth.organisation_switched", objectType: "organisation", objectId: done.org.id });
    }
    return done;
  });
  if (!switched) throw new Response("You are not a member of that organisation.", { status: 404 });
  const target = switched.org;
  // The same page in the new organisation when it has it for its kind and the person's role there
  // (issue 30), otherwise its home; only a same-origin path is read.
  const from = safeRedirect(formData.get("redirectTo"), "/");
  const to = landingAfterSwitch(from, target.kind, [...permissionsFor(target.kind, target.roles)]);
  return redirectWithToast(to, { kind: "info", message: `You are now working in ${target.name}.` }, { headers: { "Set-Cookie": switched.setCookie } });
}
