-- Issue 30, the review's findings at the database (each with a test in review-30.test.ts):
-- * the "partner" type is written only by the membership trigger (neither the partner's nor the
--   customer's context creates or revives one);
-- * the partner's context makes itself subscription advisor only while registering a product key;
-- * the customer's context brings no ended DAP back (a new request or offer does), and answering
--   a request or removing admin roles needs its active global admin, as the pages do;
-- * partner staff acting in a customer name no partner on an invitation;
-- * partner staff in a customer's context as its Advisor only change none of its subscriptions
--   and not the organisation either (0056 held users and licences);
-- * a line-of-business app carries its partner's own name and submitter, and only the customer's
--   global admin reviews it.
CREATE OR REPLACE FUNCTION pd_relationship_write_guard() RETURNS trigger
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
  IF v_org = NEW.customer_org_id THEN
    -- The summarising GDAP row is no request of its own: it becomes active only while an active
    -- GDAP relationship of the pair exists (issue 30: approving it granted nothing and read as granted).
    IF NEW.type = 'gdap' AND NEW.status IN ('active', 'pending')
       AND (TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status)
       AND NOT EXISTS (SELECT 1 FROM admin_relationships a
                        WHERE a.partner_org_id = NEW.partner_org_id AND a.customer_org_id = NEW.customer_org_id AND a.status = 'active') THEN
      RAISE EXCEPTION 'the granular delegated admin summary is active only while a GDAP relationship is' USING ERRCODE = '42501';
    END IF;
    -- Advisor, MPSA and LOB: the customer answers the partner's request; only the partner ends them.
    IF NEW.type IN ('support_advisor', 'mpsa', 'lob') THEN
      IF TG_OP = 'INSERT' THEN
        RAISE EXCEPTION 'the partner requests this relationship; the customer answers the request' USING ERRCODE = '42501';
      END IF;
      IF NEW.status IS DISTINCT FROM OLD.status AND NOT (OLD.status = 'requested' AND NEW.status IN ('active', 'ended')) THEN
        RAISE EXCEPTION 'only the partner ends this relationship: contact your partner' USING ERRCODE = '42501';
      END IF;
    END IF;
    -- The "partner" type follows the customer's users who are the partner's people (written by
    -- pd_partner_person_relationship, a definer trigger): never written in the customer's context.
    IF NEW.type = 'partner' AND (TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status) THEN
      RAISE EXCEPTION 'a partner relationship follows the partner''s people among your users' USING ERRCODE = '42501';
    END IF;
    -- DAP: the customer answers the partner's request or removes the admin roles; an ended DAP
    -- comes back only by a new request or offer, never by the customer's own update.
    IF NEW.type = 'dap' AND TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status
       AND NOT ((OLD.status = 'requested' AND NEW.status IN ('active', 'ended')) OR (OLD.status IN ('active', 'pending') AND NEW.status = 'ended')) THEN
      RAISE EXCEPTION 'delegated administration starts only from the partner''s request or offer' USING ERRCODE = '42501';
    END IF;
    -- Answering a request and removing admin roles are the customer's global admin's.
    IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status
       AND (OLD.status = 'requested' OR (NEW.type IN ('dap', 'gdap') AND NEW.status = 'ended'))
       AND NOT EXISTS (SELECT 1 FROM memberships m
                        WHERE m.org_id = v_org AND m.user_id = app_user_id() AND m.status = 'active' AND 'global_admin' = ANY (m.roles)) THEN
      RAISE EXCEPTION 'only the customer''s global admin answers requests and removes admin roles' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
  END IF;
  IF v_org IS DISTINCT FROM NEW.partner_org_id THEN
    RAISE EXCEPTION 'only the partner or the customer of a relationship changes it' USING ERRCODE = '42501';
  END IF;
  -- The partner's context.
  -- The "partner" type is the customer's (its users who are the partner's people): never the partner's to write.
  IF NEW.type = 'partner' AND (TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status) THEN
    RAISE EXCEPTION 'a partner relationship follows the customer''s users; the customer removes them' USING ERRCODE = '42501';
  END IF;
  -- The subscription advisor: the customer names it on a subscription (seed 001); the partner's own
  -- context makes it so only while it registers a product key for the customer (the key is used,
  -- its subscription about to be made by pd_subscription_from_key).
  IF NEW.type = 'advisor' AND NEW.status IN ('active', 'pending') AND (TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status)
     AND NOT EXISTS (SELECT 1 FROM product_keys k
                      WHERE k.partner_org_id = NEW.partner_org_id AND k.customer_org_id = NEW.customer_org_id
                        AND k.status = 'used' AND k.subscription_id IS NULL) THEN
    RAISE EXCEPTION 'the customer names its subscription advisor' USING ERRCODE = '42501';
  END IF;
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
  IF NEW.type IN ('dap', 'support_advisor', 'mpsa', 'lob') AND NEW.status IN ('active', 'pending') THEN
    RAISE EXCEPTION 'only the customer approves this relationship' USING ERRCODE = '42501';
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
CREATE OR REPLACE FUNCTION pd_membership_partner_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY INVOKER SET search_path = public, pg_temp AS $$
BEGIN
  IF current_user <> 'partnerdesk_app' THEN RETURN NEW; END IF;
  IF TG_OP = 'UPDATE' THEN
    IF NEW.partner_org_id IS DISTINCT FROM OLD.partner_org_id THEN
      RAISE EXCEPTION 'a member''s partner is named only with the invitation' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.partner_org_id IS NOT NULL AND nullif(current_setting('app.acting_partner_id', true), '') IS NOT NULL THEN
    RAISE EXCEPTION 'only the customer''s own admins invite a partner''s person' USING ERRCODE = '42501';
  END IF;
  IF NEW.partner_org_id IS NOT NULL AND (
       NOT EXISTS (SELECT 1 FROM organisations o WHERE o.id = NEW.org_id AND o.kind = 'customer')
       OR pd_partner_name(NEW.partner_org_id) IS NULL) THEN
    RAISE EXCEPTION 'only a customer invites a partner''s person, and only of a partner' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER subscriptions_advisor_scope BEFORE INSERT OR UPDATE OR DELETE ON subscriptions
  FOR EACH ROW EXECUTE FUNCTION pd_advisor_scope_guard();
--> statement-breakpoint
CREATE TRIGGER organisations_advisor_scope BEFORE UPDATE ON organisations
  FOR EACH ROW EXECUTE FUNCTION pd_advisor_scope_guard();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION pd_lob_app_write_guard() RETURNS trigger
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
    -- What the customer reads as "from <partner>, by <person>" is the submitting partner's own name and user.
    IF NEW.partner_name IS DISTINCT FROM (SELECT o.name FROM organisations o WHERE o.id = NEW.partner_org_id)
       OR NEW.submitted_by_user_id IS DISTINCT FROM app_user_id() THEN
      RAISE EXCEPTION 'a line-of-business app carries its partner''s own name and submitter' USING ERRCODE = '42501';
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
    IF NOT EXISTS (SELECT 1 FROM memberships m
                    WHERE m.org_id = v_org AND m.user_id = app_user_id() AND m.status = 'active' AND 'global_admin' = ANY (m.roles)) THEN
      RAISE EXCEPTION 'only the customer''s global admin reviews its line-of-business apps' USING ERRCODE = '42501';
    END IF;
    IF NOT ((OLD.status = 'submitted' AND NEW.status IN ('approved', 'withdrawn')) OR (OLD.status = 'approved' AND NEW.status = 'withdrawn')) THEN
      RAISE EXCEPTION 'a customer approves a waiting app and withdraws a waiting or approved one' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'only the partner or the customer of a line-of-business app changes it' USING ERRCODE = '42501';
END $$;
