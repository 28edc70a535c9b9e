ALTER TABLE "memberships" ADD COLUMN "invited_email" text;--> statement-breakpoint
ALTER TABLE "memberships" ADD COLUMN "invited_name" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "home_org_id" uuid;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_home_org_id_organisations_id_fk" FOREIGN KEY ("home_org_id") REFERENCES "public"."organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "users_home_org_idx" ON "users" USING btree ("home_org_id");--> statement-breakpoint

-- Accounts belong to people (ADR 0026). An account's home is the first organisation it became an
-- active member of; existing accounts get the organisation they joined first.
UPDATE users u SET home_org_id = (
  SELECT m.org_id FROM memberships m
  WHERE m.user_id = u.id AND m.status <> 'invited'
  ORDER BY m.activated_at NULLS LAST, m.created_at, m.org_id LIMIT 1
);
--> statement-breakpoint
UPDATE memberships m SET invited_email = u.email, invited_name = u.display_name
FROM users u WHERE u.id = m.user_id AND m.status = 'invited';
--> statement-breakpoint
CREATE FUNCTION pd_set_home_org() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NEW.status = 'active' THEN
    UPDATE users SET home_org_id = NEW.org_id WHERE id = NEW.user_id AND home_org_id IS NULL;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_set_home_org() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER memberships_set_home_org AFTER INSERT OR UPDATE OF status ON memberships
  FOR EACH ROW EXECUTE FUNCTION pd_set_home_org();
--> statement-breakpoint

-- An organisation may invite anyone, but only the person makes an invitation a membership: the
-- app role inserts memberships as invitations and cannot move one out of (or into) that state.
-- Accepting runs in the system context after the person signed in (auth.server.ts).
DROP POLICY memberships_all ON memberships;
--> statement-breakpoint
CREATE POLICY memberships_select ON memberships FOR SELECT TO partnerdesk_app USING (org_id = app_org_id());
--> statement-breakpoint
CREATE POLICY memberships_insert ON memberships FOR INSERT TO partnerdesk_app
  WITH CHECK (org_id = app_org_id() AND status = 'invited' AND activated_at IS NULL);
--> statement-breakpoint
CREATE POLICY memberships_update ON memberships FOR UPDATE TO partnerdesk_app USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
--> statement-breakpoint
CREATE POLICY memberships_delete ON memberships FOR DELETE TO partnerdesk_app USING (org_id = app_org_id());
--> statement-breakpoint
CREATE FUNCTION pd_membership_transition_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF current_user = 'partnerdesk_app' AND (
       NEW.user_id <> OLD.user_id OR NEW.org_id <> OLD.org_id
       OR (OLD.status = 'invited') <> (NEW.status = 'invited')
     ) THEN
    RAISE EXCEPTION 'only the invited person can accept an invitation' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER memberships_transition_guard BEFORE UPDATE ON memberships
  FOR EACH ROW EXECUTE FUNCTION pd_membership_transition_guard();
--> statement-breakpoint

-- An organisation sees the accounts of its members, not of the people it merely invited.
DROP POLICY users_select ON users;
--> statement-breakpoint
CREATE POLICY users_select ON users FOR SELECT TO partnerdesk_app USING (
  id = app_user_id()
  OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.org_id = app_org_id() AND m.status <> 'invited')
);
--> statement-breakpoint

-- Credentials: only the managing (home) organisation resets them, only for an active member, and
-- only while the account belongs to no other organisation. Anything else is refused with PD001:
-- the caller offers to mail the person a reset link of their own instead.
DROP FUNCTION pd_reset_member_password(uuid, text, boolean);
--> statement-breakpoint
CREATE FUNCTION pd_reset_member_password(p_user uuid, p_hash text, p_may_reset_admins boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_roles text[]; v_status text; v_home uuid;
BEGIN
  IF app_org_id() IS NULL THEN RAISE EXCEPTION 'pd_reset_member_password needs an organisation context' USING ERRCODE = '42501'; END IF;
  SELECT roles, status INTO v_roles, v_status FROM memberships WHERE org_id = app_org_id() AND user_id = p_user;
  IF v_roles IS NULL OR v_status = 'invited' THEN RAISE EXCEPTION 'not a member of this organisation' USING ERRCODE = 'P0002'; END IF;
  IF v_roles && '{global_admin,billing_admin}'::text[] AND NOT p_may_reset_admins THEN
    RAISE EXCEPTION 'resetting an admin''s password needs a privileged role' USING ERRCODE = '42501';
  END IF;
  -- The account row is locked: a membership accepted elsewhere at this moment waits or is seen.
  SELECT home_org_id INTO v_home FROM users WHERE id = p_user FOR UPDATE;
  IF v_home IS DISTINCT FROM app_org_id()
     OR EXISTS (SELECT 1 FROM memberships WHERE user_id = p_user AND org_id <> app_org_id() AND status <> 'invited') THEN
    RAISE EXCEPTION 'this account is managed by another organisation or belongs to several' USING ERRCODE = 'PD001';
  END IF;
  UPDATE users SET password_hash = p_hash, password_changed_at = now(), password_must_change = true WHERE id = p_user;
  DELETE FROM sessions WHERE user_id = p_user;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_reset_member_password(uuid, text, boolean) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_reset_member_password(uuid, text, boolean) TO partnerdesk_app;
--> statement-breakpoint

-- Whether the current organisation may reset this member's credentials (for the page's buttons).
CREATE FUNCTION pd_manages_account(p_user uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT app_org_id() IS NOT NULL
    AND EXISTS (SELECT 1 FROM users WHERE id = p_user AND home_org_id = app_org_id())
    AND EXISTS (SELECT 1 FROM memberships WHERE user_id = p_user AND org_id = app_org_id() AND status <> 'invited')
    AND NOT EXISTS (SELECT 1 FROM memberships WHERE user_id = p_user AND org_id <> app_org_id() AND status <> 'invited')
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_manages_account(uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_manages_account(uuid) TO partnerdesk_app;
--> statement-breakpoint

-- A partner creates a customer: its first global admin is invited like anyone else.
CREATE OR REPLACE FUNCTION pd_create_customer(p_name text, p_domain text, p_country text, p_admin_email text, p_admin_name text,
    p_token_hash text, p_token_expires timestamptz)
RETURNS TABLE (customer_id uuid, admin_user_id uuid, admin_has_password boolean)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_partner uuid := app_org_id(); v_customer uuid; v_user uuid;
BEGIN
  IF v_partner IS NULL OR NOT EXISTS (SELECT 1 FROM organisations WHERE id = v_partner AND kind = 'partner') THEN
    RAISE EXCEPTION 'pd_create_customer needs a partner context';
  END IF;
  INSERT INTO organisations (kind, name, primary_domain, country) VALUES ('customer', p_name, lower(p_domain), p_country)
    RETURNING id INTO v_customer;
  INSERT INTO relationships (partner_org_id, customer_org_id, type, status) VALUES (v_partner, v_customer, 'reseller', 'pending');
  INSERT INTO users (email, display_name) VALUES (lower(p_admin_email), p_admin_name)
    ON CONFLICT (email) DO NOTHING RETURNING id INTO v_user;
  IF v_user IS NULL THEN SELECT id INTO v_user FROM users WHERE email = lower(p_admin_email); END IF;
  INSERT INTO memberships (org_id, user_id, roles, status, invited_email, invited_name)
    VALUES (v_customer, v_user, '{global_admin}', 'invited', lower(p_admin_email), p_admin_name);
  INSERT INTO auth_tokens (token_hash, kind, user_id, org_id, expires_at) VALUES (p_token_hash, 'activation', v_user, v_customer, p_token_expires);
  -- Whether the invited person has an account is not the partner's to know.
  RETURN QUERY SELECT v_customer, v_user, NULL::boolean;
END $$;
--> statement-breakpoint

-- A partner reads the admins of a customer it has a live relationship with; an invited admin
-- shows as the partner typed it.
CREATE OR REPLACE FUNCTION pd_customer_admins(p_customer uuid)
RETURNS TABLE (user_id uuid, display_name text, email text, status text, roles text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT u.id,
         CASE WHEN m.status = 'invited' THEN coalesce(m.invited_name, u.display_name) ELSE u.display_name END,
         CASE WHEN m.status = 'invited' THEN coalesce(m.invited_email, u.email) ELSE u.email END,
         m.status, m.roles
  FROM memberships m JOIN users u ON u.id = m.user_id
  WHERE m.org_id = p_customer
    AND m.roles && '{global_admin,billing_admin}'::text[]
    AND EXISTS (SELECT 1 FROM relationships r WHERE r.partner_org_id = app_org_id() AND r.customer_org_id = p_customer AND r.status <> 'ended')
  ORDER BY 2, 1
$$;
