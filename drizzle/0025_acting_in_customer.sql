-- Partner staff acting in a customer tenant (delegated administration, ADR 0010). The database
-- lets a partner's transaction into a customer's context only while an active DAP or GDAP
-- relationship exists; what the staff member may do there is the domain's gate (its effective
-- roles, capped by its partner role).
CREATE FUNCTION pd_act_in_customer(p_customer uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_partner uuid := app_org_id();
BEGIN
  IF v_partner IS NULL OR NOT EXISTS (SELECT 1 FROM organisations WHERE id = v_partner AND kind = 'partner') THEN
    RAISE EXCEPTION 'pd_act_in_customer needs a partner context' USING ERRCODE = '42501';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM relationships r WHERE r.partner_org_id = v_partner AND r.customer_org_id = p_customer AND r.type = 'dap' AND r.status = 'active')
     AND NOT EXISTS (SELECT 1 FROM admin_relationships a WHERE a.partner_org_id = v_partner AND a.customer_org_id = p_customer AND a.status = 'active' AND a.ends_at > now()) THEN
    RAISE EXCEPTION 'no active admin relationship with this customer' USING ERRCODE = '42501';
  END IF;
  PERFORM set_config('app.acting_partner_id', v_partner::text, true);
  PERFORM set_config('app.org_id', p_customer::text, true);
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_act_in_customer(uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_act_in_customer(uuid) TO partnerdesk_app;
--> statement-breakpoint
-- While acting in a customer, the partner's staff write audit entries as the partner, about the customer.
DROP POLICY audit_log_insert ON audit_log;
--> statement-breakpoint
CREATE POLICY audit_log_insert ON audit_log FOR INSERT TO partnerdesk_app WITH CHECK (
  actor_org_id = app_org_id()
  OR (actor_org_id = nullif(current_setting('app.acting_partner_id', true), '')::uuid AND subject_org_id = app_org_id())
);
--> statement-breakpoint
-- A temporary password for a member of the current organisation (a customer admin, or partner
-- staff acting in the customer): changed at next sign-in; the user's sessions end. Admins'
-- passwords only when the caller may reset them.
CREATE FUNCTION pd_reset_member_password(p_user uuid, p_hash text, p_may_reset_admins boolean) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_roles text[];
BEGIN
  IF app_org_id() IS NULL THEN RAISE EXCEPTION 'pd_reset_member_password needs an organisation context' USING ERRCODE = '42501'; END IF;
  SELECT roles INTO v_roles FROM memberships WHERE org_id = app_org_id() AND user_id = p_user;
  IF v_roles IS NULL THEN RAISE EXCEPTION 'not a member of this organisation' USING ERRCODE = 'P0002'; END IF;
  IF v_roles && '{global_admin,billing_admin}'::text[] AND NOT p_may_reset_admins THEN
    RAISE EXCEPTION 'resetting an admin''s password needs a privileged role' USING ERRCODE = '42501';
  END IF;
  UPDATE users SET password_hash = p_hash, password_changed_at = now(), password_must_change = true WHERE id = p_user;
  DELETE FROM sessions WHERE user_id = p_user;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_reset_member_password(uuid, text, boolean) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_reset_member_password(uuid, text, boolean) TO partnerdesk_app;
