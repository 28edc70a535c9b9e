CREATE INDEX "mail_outbox_body_kept_idx" ON "mail_outbox" USING btree ("created_at") WHERE text_body <> '';--> statement-breakpoint

-- Security review of issue 28 (ADRs 0002, 0010). Approval of delegated administration is
-- the customer's, and the database keeps it so: from the app role, a partner's context (and partner
-- staff acting in a customer) may ask for DAP/GDAP, withdraw and end it, never approve it. The
-- system context and SECURITY DEFINER functions (agreement acceptance, customer creation) are
-- trusted: the guards look at current_user, which is the owner inside those.
CREATE FUNCTION pd_relationship_write_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  v_org uuid := app_org_id();
  v_acting text := nullif(current_setting('app.acting_partner_id', true), '');
BEGIN
  IF current_user <> 'partnerdesk_app' THEN RETURN NEW; END IF;
  IF TG_OP = 'UPDATE' AND (NEW.partner_org_id <> OLD.partner_org_id OR NEW.customer_org_id <> OLD.customer_org_id OR NEW.type <> OLD.type) THEN
    RAISE EXCEPTION 'a relationship keeps its partner, customer and type' USING ERRCODE = '42501';
  END IF;
  IF v_acting IS NOT NULL THEN
    RAISE EXCEPTION 'partner staff acting in a customer do not change its partner relationships' USING ERRCODE = '42501';
  END IF;
  -- The customer's own context approves, declines and ends (a reseller's end: pd_reseller_end_check).
  IF v_org = NEW.customer_org_id THEN RETURN NEW; END IF;
  IF v_org IS DISTINCT FROM NEW.partner_org_id THEN
    RAISE EXCEPTION 'only the partner or the customer of a relationship changes it' USING ERRCODE = '42501';
  END IF;
  -- The partner's context.
  IF TG_OP = 'INSERT' THEN
    IF NEW.type = 'reseller' THEN
      RAISE EXCEPTION 'a reseller relationship starts from the customer (link or customer creation), not from the partner' USING ERRCODE = '42501';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM relationships r
                    WHERE r.partner_org_id = NEW.partner_org_id AND r.customer_org_id = NEW.customer_org_id AND r.status <> 'ended') THEN
      RAISE EXCEPTION 'a partner asks only its own customers' USING ERRCODE = '42501';
    END IF;
  ELSIF NEW.status = OLD.status THEN
    RETURN NEW;
  END IF;
  IF NEW.type = 'dap' AND NEW.status IN ('active', 'pending') THEN
    RAISE EXCEPTION 'only the customer approves delegated administration' USING ERRCODE = '42501';
  END IF;
  -- The summarising GDAP row follows the pair's GDAP relationships: active only while one is.
  IF NEW.type = 'gdap' AND (NEW.status = 'pending' OR (NEW.status = 'active' AND NOT EXISTS (
       SELECT 1 FROM admin_relationships a
        WHERE a.partner_org_id = NEW.partner_org_id AND a.customer_org_id = NEW.customer_org_id AND a.status = 'active'))) THEN
    RAISE EXCEPTION 'only the customer approves delegated administration' USING ERRCODE = '42501';
  END IF;
  IF NEW.type = 'reseller' AND NEW.status <> 'ended' THEN
    RAISE EXCEPTION 'a reseller relationship becomes active only when the customer accepts the agreement' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER relationships_write_guard BEFORE INSERT OR UPDATE ON relationships
  FOR EACH ROW EXECUTE FUNCTION pd_relationship_write_guard();
--> statement-breakpoint
CREATE FUNCTION pd_admin_relationship_write_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  v_org uuid := app_org_id();
  v_acting text := nullif(current_setting('app.acting_partner_id', true), '');
BEGIN
  IF current_user <> 'partnerdesk_app' THEN RETURN NEW; END IF;
  -- An open request is bound to its customer only through its approval link (system context).
  IF TG_OP = 'UPDATE' AND (NEW.partner_org_id <> OLD.partner_org_id OR NEW.customer_org_id IS DISTINCT FROM OLD.customer_org_id
       OR NEW.roles <> OLD.roles OR NEW.duration_days <> OLD.duration_days OR NEW.auto_extend_days <> OLD.auto_extend_days
       OR NEW.approval_code <> OLD.approval_code) THEN
    RAISE EXCEPTION 'a GDAP relationship keeps its partner, customer, roles and duration' USING ERRCODE = '42501';
  END IF;
  IF v_acting IS NOT NULL THEN
    RAISE EXCEPTION 'partner staff acting in a customer do not change its admin relationships' USING ERRCODE = '42501';
  END IF;
  -- The customer's own context approves, declines and removes.
  IF NEW.customer_org_id IS NOT NULL AND v_org = NEW.customer_org_id THEN RETURN NEW; END IF;
  IF v_org IS DISTINCT FROM NEW.partner_org_id THEN
    RAISE EXCEPTION 'only the partner or the customer of an admin relationship changes it' USING ERRCODE = '42501';
  END IF;
  -- The partner's context: it requests, withdraws a request and terminates.
  IF TG_OP = 'INSERT' THEN
    IF NEW.status NOT IN ('created', 'approval_pending') OR NEW.approved_at IS NOT NULL OR NEW.approved_by_user_id IS NOT NULL
       OR NEW.ends_at IS NOT NULL OR NEW.ended_at IS NOT NULL THEN
      RAISE EXCEPTION 'a partner creates requests; only the customer approves them' USING ERRCODE = '42501';
    END IF;
    IF NEW.customer_org_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM relationships r
         WHERE r.partner_org_id = NEW.partner_org_id AND r.customer_org_id = NEW.customer_org_id AND r.status <> 'ended') THEN
      RAISE EXCEPTION 'a partner asks only its own customers' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.approved_at IS DISTINCT FROM OLD.approved_at OR NEW.approved_by_user_id IS DISTINCT FROM OLD.approved_by_user_id
     OR NEW.ends_at IS DISTINCT FROM OLD.ends_at THEN
    RAISE EXCEPTION 'only the customer approves an admin relationship or sets its end' USING ERRCODE = '42501';
  END IF;
  IF NEW.status = OLD.status
     OR (OLD.status = 'created' AND NEW.status = 'approval_pending')
     OR (OLD.status IN ('created', 'approval_pending') AND NEW.status = 'terminated')
     OR (OLD.status = 'active' AND NEW.status = 'termination_requested') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'a partner may withdraw a request or terminate a relationship; only the customer approves' USING ERRCODE = '42501';
END $$;
--> statement-breakpoint
CREATE TRIGGER admin_relationships_write_guard BEFORE INSERT OR UPDATE ON admin_relationships
  FOR EACH ROW EXECUTE FUNCTION pd_admin_relationship_write_guard();
--> statement-breakpoint
-- Accepting the agreement activates what waited for it: reseller and advisor relationships. A DAP
-- or GDAP row is approved on its own (never by an agreement), whoever wrote it as 'pending'.
CREATE OR REPLACE FUNCTION pd_agreement_accepted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE organisations SET agreement_version = NEW.version, agreement_accepted_at = NEW.accepted_at
   WHERE id = NEW.customer_org_id AND kind = 'customer';
  IF NEW.version = pd_current_agreement_version() THEN
    UPDATE relationships SET status = 'active', started_at = now()
     WHERE customer_org_id = NEW.customer_org_id AND status = 'pending' AND type IN ('reseller', 'advisor');
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Password hashes are for the authentication paths (system context) and definer functions only:
-- the app role reads every other column of the users it may see (ADR 0002). A new column of users
-- is invisible to the app role until it is granted here.
REVOKE SELECT ON users FROM partnerdesk_app;
--> statement-breakpoint
GRANT SELECT (id, email, display_name, password_changed_at, password_must_change, home_org_id, email_confirmed, created_at) ON users TO partnerdesk_app;
