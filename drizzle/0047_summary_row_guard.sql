-- Issue 30, the phantom delegated-admin request: the summarising 'gdap' row of relationships
-- (ADR 0010) was listed among the customer's requests and could be approved, reading as an active
-- GDAP while the real request still waited. The customer's context now also keeps that row active
-- only while an active GDAP relationship of the pair exists (the partner's context already did).
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
  -- The customer's own context approves, declines and ends (a reseller's end: pd_reseller_end_check).
  -- The summarising GDAP row is no request of its own: it becomes active only while an active GDAP
  -- relationship of the pair exists (issue 30: approving it granted nothing and read as granted).
  IF v_org = NEW.customer_org_id THEN
    IF NEW.type = 'gdap' AND NEW.status IN ('active', 'pending')
       AND (TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status)
       AND NOT EXISTS (SELECT 1 FROM admin_relationships a
                        WHERE a.partner_org_id = NEW.partner_org_id AND a.customer_org_id = NEW.customer_org_id AND a.status = 'active') THEN
      RAISE EXCEPTION 'the granular delegated admin summary is active only while a GDAP relationship is' USING ERRCODE = '42501';
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
