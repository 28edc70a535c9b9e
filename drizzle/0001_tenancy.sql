-- Tenancy: the app role, row-level security, grants and the named cross-tenant functions.
-- See docs/decisions/0002-tenancy-and-rls.md. Runs as the migration owner.
DO $$
BEGIN
  CREATE ROLE partnerdesk_app NOLOGIN NOBYPASSRLS NOINHERIT;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;
--> statement-breakpoint
DO $$
BEGIN
  EXECUTE format('GRANT partnerdesk_app TO %I', current_user);
EXCEPTION WHEN others THEN NULL; -- superusers (and PGlite) need no membership to SET ROLE
END $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO partnerdesk_app;
--> statement-breakpoint
CREATE SEQUENCE IF NOT EXISTS partner_number_seq START WITH 4100001;
--> statement-breakpoint
CREATE FUNCTION app_org_id() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT nullif(current_setting('app.org_id', true), '')::uuid $$;
--> statement-breakpoint
CREATE FUNCTION app_user_id() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS
$$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION app_org_id(), app_user_id() TO partnerdesk_app;
--> statement-breakpoint

-- organisations: each organisation sees itself; only profile columns are writable.
ALTER TABLE organisations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE organisations FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY organisations_select ON organisations FOR SELECT TO partnerdesk_app USING (id = app_org_id());
--> statement-breakpoint
CREATE POLICY organisations_update ON organisations FOR UPDATE TO partnerdesk_app USING (id = app_org_id()) WITH CHECK (id = app_org_id());
--> statement-breakpoint
GRANT SELECT ON organisations TO partnerdesk_app;
--> statement-breakpoint
GRANT UPDATE (name, email, phone, website, address_line, postal_code, city, country, updated_at) ON organisations TO partnerdesk_app;
--> statement-breakpoint

-- memberships: the current organisation's staff.
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY memberships_all ON memberships FOR ALL TO partnerdesk_app USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON memberships TO partnerdesk_app;
--> statement-breakpoint

-- users: yourself, and the members of the current organisation.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE users FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY users_select ON users FOR SELECT TO partnerdesk_app USING (
  id = app_user_id()
  OR EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id AND m.org_id = app_org_id())
);
--> statement-breakpoint
CREATE POLICY users_update_self ON users FOR UPDATE TO partnerdesk_app USING (id = app_user_id()) WITH CHECK (id = app_user_id());
--> statement-breakpoint
GRANT SELECT ON users TO partnerdesk_app;
--> statement-breakpoint
GRANT UPDATE (display_name, password_hash, password_changed_at) ON users TO partnerdesk_app;
--> statement-breakpoint

-- auth_tokens: activation tokens of the current organisation (reset tokens have no organisation).
ALTER TABLE auth_tokens ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE auth_tokens FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY auth_tokens_all ON auth_tokens FOR ALL TO partnerdesk_app USING (org_id = app_org_id()) WITH CHECK (org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON auth_tokens TO partnerdesk_app;
--> statement-breakpoint

-- audit_log: append-only; visible to the acting and to the subject organisation.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY audit_log_select ON audit_log FOR SELECT TO partnerdesk_app USING (actor_org_id = app_org_id() OR subject_org_id = app_org_id());
--> statement-breakpoint
CREATE POLICY audit_log_insert ON audit_log FOR INSERT TO partnerdesk_app WITH CHECK (actor_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT ON audit_log TO partnerdesk_app;
--> statement-breakpoint
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
--> statement-breakpoint

-- notifications: a user's own, in the current organisation; anyone in the organisation may notify a member.
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY notifications_select ON notifications FOR SELECT TO partnerdesk_app USING (org_id = app_org_id() AND user_id = app_user_id());
--> statement-breakpoint
CREATE POLICY notifications_update ON notifications FOR UPDATE TO partnerdesk_app USING (org_id = app_org_id() AND user_id = app_user_id()) WITH CHECK (org_id = app_org_id() AND user_id = app_user_id());
--> statement-breakpoint
CREATE POLICY notifications_insert ON notifications FOR INSERT TO partnerdesk_app WITH CHECK (
  org_id = app_org_id() AND EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = notifications.org_id AND m.user_id = notifications.user_id)
);
--> statement-breakpoint
GRANT SELECT, INSERT ON notifications TO partnerdesk_app;
--> statement-breakpoint
GRANT UPDATE (read_at) ON notifications TO partnerdesk_app;
--> statement-breakpoint

-- mail_outbox: queued by the app in its transaction; read and delivered only by scheduled work.
ALTER TABLE mail_outbox ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE mail_outbox FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY mail_outbox_insert ON mail_outbox FOR INSERT TO partnerdesk_app WITH CHECK (org_id = app_org_id());
--> statement-breakpoint
GRANT INSERT ON mail_outbox TO partnerdesk_app;
--> statement-breakpoint

-- Global tables: no policy and no grant, so the app role sees nothing; only the system context uses them.
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE login_throttle ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE login_throttle FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE job_effects ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE job_effects FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- jobs: the app may enqueue work in its transaction (insert only); claiming is the system's.
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE jobs FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY jobs_enqueue ON jobs FOR INSERT TO partnerdesk_app WITH CHECK (app_org_id() IS NOT NULL);
--> statement-breakpoint
GRANT INSERT ON jobs TO partnerdesk_app;
--> statement-breakpoint

-- Named cross-tenant functions (SECURITY DEFINER). Each is listed and tested in the tenancy ADR.
CREATE FUNCTION pd_ensure_user(p_email text, p_display_name text) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_id uuid;
BEGIN
  IF app_org_id() IS NULL THEN RAISE EXCEPTION 'pd_ensure_user needs an organisation context'; END IF;
  INSERT INTO users (email, display_name) VALUES (lower(p_email), p_display_name)
    ON CONFLICT (email) DO NOTHING RETURNING id INTO v_id;
  IF v_id IS NULL THEN SELECT id INTO v_id FROM users WHERE email = lower(p_email); END IF;
  RETURN v_id;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_ensure_user(text, text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_ensure_user(text, text) TO partnerdesk_app;
--> statement-breakpoint
CREATE FUNCTION pd_lookup_partner(p_partner_number integer)
RETURNS TABLE (id uuid, name text, partner_number integer, is_authorised_advisor boolean, is_dap_certified boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT o.id, o.name, o.partner_number, o.is_authorised_advisor, o.is_dap_certified
  FROM organisations o WHERE o.kind = 'partner' AND o.partner_number = p_partner_number
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_lookup_partner(integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_lookup_partner(integer) TO partnerdesk_app;
