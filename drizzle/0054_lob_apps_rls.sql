-- Line-of-business (LOB) apps (issue 30): a partner's submissions to a customer's private app list.
-- The submitting partner sees its own rows; the customer sees its list in its own context only, not
-- partner staff acting in it through delegated administration (pd_act_in_customer).
ALTER TABLE lob_apps ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE lob_apps FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY lob_apps_select ON lob_apps FOR SELECT TO partnerdesk_app
  USING (partner_org_id = app_org_id()
    OR (customer_org_id = app_org_id() AND nullif(current_setting('app.acting_partner_id', true), '') IS NULL));
--> statement-breakpoint
-- A partner submits only to a customer it is the active LOB partner of, and only a waiting submission.
CREATE POLICY lob_apps_insert ON lob_apps FOR INSERT TO partnerdesk_app
  WITH CHECK (partner_org_id = app_org_id() AND status = 'submitted' AND EXISTS (
    SELECT 1 FROM relationships r
     WHERE r.partner_org_id = lob_apps.partner_org_id AND r.customer_org_id = lob_apps.customer_org_id
       AND r.type = 'lob' AND r.status = 'active'));
--> statement-breakpoint
CREATE POLICY lob_apps_update ON lob_apps FOR UPDATE TO partnerdesk_app
  USING (partner_org_id = app_org_id()
    OR (customer_org_id = app_org_id() AND nullif(current_setting('app.acting_partner_id', true), '') IS NULL))
  WITH CHECK (partner_org_id = app_org_id()
    OR (customer_org_id = app_org_id() AND nullif(current_setting('app.acting_partner_id', true), '') IS NULL));
--> statement-breakpoint
GRANT SELECT, INSERT ON lob_apps TO partnerdesk_app;
--> statement-breakpoint
GRANT UPDATE (status, updated_at, reviewed_at, reviewed_by_user_id, reviewed_by_name, reviewed_by_org_id, reason) ON lob_apps TO partnerdesk_app;
--> statement-breakpoint
-- The steps an app may take, whoever asks: a new row waits for review; its partner withdraws it
-- while it waits (and is still the active LOB partner); the customer approves a waiting app and
-- withdraws a waiting or approved one. A withdrawn app stays withdrawn.
CREATE FUNCTION pd_lob_app_write_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  v_org uuid := app_org_id();
BEGIN
  IF current_user <> 'partnerdesk_app' THEN RETURN NEW; END IF;
  IF nullif(current_setting('app.acting_partner_id', true), '') IS NOT NULL THEN
    RAISE EXCEPTION 'partner staff acting in a customer do not submit or review its line-of-business apps' USING ERRCODE = '42501';
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'submitted' OR NEW.reviewed_at IS NOT NULL OR NEW.reviewed_by_org_id IS NOT NULL OR NEW.reason IS NOT NULL THEN
      RAISE EXCEPTION 'a line-of-business app starts as a submission waiting for review' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.status = OLD.status THEN
    RAISE EXCEPTION 'a line-of-business app changes only by being approved or withdrawn' USING ERRCODE = '42501';
  END IF;
  IF NEW.reviewed_by_org_id IS DISTINCT FROM v_org THEN
    RAISE EXCEPTION 'a review step names the organisation that took it' USING ERRCODE = '42501';
  END IF;
  IF v_org = OLD.partner_org_id THEN
    IF NOT (OLD.status = 'submitted' AND NEW.status = 'withdrawn') THEN
      RAISE EXCEPTION 'a partner withdraws its own app only while it waits for review' USING ERRCODE = '42501';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM relationships r WHERE r.partner_org_id = OLD.partner_org_id AND r.customer_org_id = OLD.customer_org_id AND r.type = 'lob' AND r.status = 'active') THEN
      RAISE EXCEPTION 'only an active line-of-business partner manages its apps' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
  END IF;
  IF v_org = OLD.customer_org_id THEN
    IF NOT ((OLD.status = 'submitted' AND NEW.status IN ('approved', 'withdrawn')) OR (OLD.status = 'approved' AND NEW.status = 'withdrawn')) THEN
      RAISE EXCEPTION 'a customer approves a waiting app and withdraws a waiting or approved one' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'only the partner or the customer of a line-of-business app changes it' USING ERRCODE = '42501';
END $$;
--> statement-breakpoint
CREATE TRIGGER lob_apps_write_guard BEFORE INSERT OR UPDATE ON lob_apps FOR EACH ROW EXECUTE FUNCTION pd_lob_app_write_guard();
