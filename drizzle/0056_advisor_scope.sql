-- Partner staff in a customer's context as its Advisor only (an active support_advisor
-- relationship, no active DAP or GDAP): the help pages' Advisor resets passwords and handles
-- support incidents, nothing more. The domain gate (effectiveRights) allows only that; the
-- database keeps them from the customer's users and licences too: no membership is created,
-- changed or removed, no licence assigned or removed, no admin's password reset. Triggers, so that
-- definer functions called in that context are held too.
CREATE FUNCTION pd_acting_as_advisor_only() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT a.partner IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM relationships r WHERE r.partner_org_id = a.partner AND r.customer_org_id = app_org_id() AND r.type = 'dap' AND r.status = 'active')
    AND NOT EXISTS (SELECT 1 FROM admin_relationships g WHERE g.partner_org_id = a.partner AND g.customer_org_id = app_org_id() AND g.status = 'active' AND g.ends_at > now())
  FROM (SELECT nullif(current_setting('app.acting_partner_id', true), '')::uuid AS partner) a
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_acting_as_advisor_only() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_acting_as_advisor_only() TO partnerdesk_app;
--> statement-breakpoint
CREATE FUNCTION pd_advisor_scope_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF pd_acting_as_advisor_only() THEN
    RAISE EXCEPTION 'as the customer''s advisor a partner resets passwords and handles support incidents, nothing more (%)', TG_TABLE_NAME USING ERRCODE = '42501';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
--> statement-breakpoint
CREATE TRIGGER memberships_advisor_scope BEFORE INSERT OR UPDATE OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION pd_advisor_scope_guard();
--> statement-breakpoint
CREATE TRIGGER licence_assignments_advisor_scope BEFORE INSERT OR UPDATE OR DELETE ON licence_assignments
  FOR EACH ROW EXECUTE FUNCTION pd_advisor_scope_guard();
--> statement-breakpoint
-- An admin's password is not the advisor's to reset, whatever the caller passes.
CREATE OR REPLACE FUNCTION pd_reset_member_password(p_user uuid, p_hash text, p_may_reset_admins boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_roles text[]; v_status text; v_home uuid;
BEGIN
  IF app_org_id() IS NULL THEN RAISE EXCEPTION 'pd_reset_member_password needs an organisation context' USING ERRCODE = '42501'; END IF;
  SELECT roles, status INTO v_roles, v_status FROM memberships WHERE org_id = app_org_id() AND user_id = p_user;
  IF v_roles IS NULL OR v_status = 'invited' THEN RAISE EXCEPTION 'not a member of this organisation' USING ERRCODE = 'P0002'; END IF;
  IF v_roles && '{global_admin,billing_admin}'::text[] AND (NOT p_may_reset_admins OR pd_acting_as_advisor_only()) THEN
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
