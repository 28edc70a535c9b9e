-- Issue 30, the relationship lifecycle. The help pages' advisor, MPSA and line-of-business
-- relationships are requested by the partner and approved or declined by the customer's global
-- admin; only the partner ends them ("contact your partner to end the relationship"). The
-- customer's context may answer a request (requested -> active or ended) but not end one that is
-- active, nor create one; the partner's context may request, withdraw and end, never approve.
-- DAP and GDAP stay removable by the customer (admin roles, at any time), the subscription advisor
-- follows the customer's subscriptions (seed 001), a reseller's end: pd_reseller_end_check.
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
    RETURN NEW;
  END IF;
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
-- Partner staff enter a customer's context with an active DAP or GDAP relationship, or as its
-- advisor (support_advisor: password resets and support incidents). What they may do there is the
-- domain's gate (effectiveRights: the advisor's actions are ADVISOR_ACTIONS only).
CREATE OR REPLACE FUNCTION pd_act_in_customer(p_customer uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_partner uuid := app_org_id();
BEGIN
  IF v_partner IS NULL OR NOT EXISTS (SELECT 1 FROM organisations WHERE id = v_partner AND kind = 'partner') THEN
    RAISE EXCEPTION 'pd_act_in_customer needs a partner context' USING ERRCODE = '42501';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM relationships r WHERE r.partner_org_id = v_partner AND r.customer_org_id = p_customer AND r.type IN ('dap', 'support_advisor') AND r.status = 'active')
     AND NOT EXISTS (SELECT 1 FROM admin_relationships a WHERE a.partner_org_id = v_partner AND a.customer_org_id = p_customer AND a.status = 'active' AND a.ends_at > now()) THEN
    RAISE EXCEPTION 'no active admin relationship with this customer' USING ERRCODE = '42501';
  END IF;
  PERFORM set_config('app.acting_partner_id', v_partner::text, true);
  PERFORM set_config('app.org_id', p_customer::text, true);
END $$;
--> statement-breakpoint
-- The partner ends its subscription advisor relationship: it leaves every subscription of the
-- customer it is partner of record for (the relationship is that, seed 001). Only its own name is
-- taken off, only in the partner's own context. Returns how many subscriptions it left.
CREATE FUNCTION pd_partner_leave_subscriptions(p_customer uuid) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_partner uuid := app_org_id(); v_count integer;
BEGIN
  IF v_partner IS NULL OR nullif(current_setting('app.acting_partner_id', true), '') IS NOT NULL
     OR NOT EXISTS (SELECT 1 FROM organisations WHERE id = v_partner AND kind = 'partner') THEN
    RAISE EXCEPTION 'pd_partner_leave_subscriptions needs a partner context' USING ERRCODE = '42501';
  END IF;
  UPDATE subscriptions SET advisor_partner_org_id = NULL WHERE customer_org_id = p_customer AND advisor_partner_org_id = v_partner;
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_partner_leave_subscriptions(uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_partner_leave_subscriptions(uuid) TO partnerdesk_app;
