-- Product keys (ADR 0011): the partner's own inventory and import reports. A subscription is made
-- from a registered key only by pd_subscription_from_key (the partner cannot write the customer's
-- rows); the partner marks its own key used, which is the single-use lock.
ALTER TABLE product_keys ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE product_keys FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY product_keys_own ON product_keys FOR ALL TO partnerdesk_app
  USING (partner_org_id = app_org_id()) WITH CHECK (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT ON product_keys TO partnerdesk_app;
--> statement-breakpoint
GRANT UPDATE (status, used_at, used_by_user_id, customer_org_id) ON product_keys TO partnerdesk_app;
--> statement-breakpoint
ALTER TABLE product_key_imports ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE product_key_imports FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY product_key_imports_own ON product_key_imports FOR ALL TO partnerdesk_app
  USING (partner_org_id = app_org_id()) WITH CHECK (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT ON product_key_imports TO partnerdesk_app;
--> statement-breakpoint
-- Whether an organisation is a partner authorised as subscription advisor (the app role cannot
-- read other organisations).
CREATE FUNCTION pd_is_authorised_advisor(p_org uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT coalesce((SELECT is_authorised_advisor FROM organisations WHERE id = p_org AND kind = 'partner'), false)
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_is_authorised_advisor(uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_is_authorised_advisor(uuid) TO partnerdesk_app;
--> statement-breakpoint
-- A subscription's partner of record is always an authorised advisor when it is set or changed.
CREATE FUNCTION pd_subscription_advisor_check() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NEW.advisor_partner_org_id IS NOT NULL
     AND (TG_OP = 'INSERT' OR NEW.advisor_partner_org_id IS DISTINCT FROM OLD.advisor_partner_org_id)
     AND NOT pd_is_authorised_advisor(NEW.advisor_partner_org_id) THEN
    RAISE EXCEPTION 'partner % is not an authorised subscription advisor', NEW.advisor_partner_org_id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER subscriptions_advisor_check BEFORE INSERT OR UPDATE OF advisor_partner_org_id ON subscriptions
  FOR EACH ROW EXECUTE FUNCTION pd_subscription_advisor_check();
--> statement-breakpoint
-- The customer buys (an active subscription, optionally naming its partner) and sets, changes or
-- deletes the partner on its own subscriptions.
CREATE POLICY subscriptions_insert ON subscriptions FOR INSERT TO partnerdesk_app
  WITH CHECK (customer_org_id = app_org_id() AND status = 'active' AND source_link_id IS NULL);
--> statement-breakpoint
GRANT INSERT ON subscriptions TO partnerdesk_app;
--> statement-breakpoint
GRANT UPDATE (advisor_partner_org_id) ON subscriptions TO partnerdesk_app;
--> statement-breakpoint
-- A reseller sees the subscriptions of the customers it is the active reseller of.
CREATE POLICY subscriptions_select_reseller ON subscriptions FOR SELECT TO partnerdesk_app
  USING (EXISTS (SELECT 1 FROM relationships r
                  WHERE r.partner_org_id = app_org_id() AND r.customer_org_id = subscriptions.customer_org_id
                    AND r.type = 'reseller' AND r.status = 'active'));
--> statement-breakpoint
-- A customer names an authorised advisor as its partner (by Partner ID on a subscription).
CREATE POLICY relationships_insert_advisor ON relationships FOR INSERT TO partnerdesk_app
  WITH CHECK (customer_org_id = app_org_id() AND type = 'advisor' AND pd_is_authorised_advisor(partner_org_id));
--> statement-breakpoint
-- Only the reseller ends a reseller relationship: the customer's context may not.
CREATE FUNCTION pd_reseller_end_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.type = 'reseller' AND NEW.status = 'ended' AND OLD.status <> 'ended'
     AND app_org_id() IS NOT NULL AND app_org_id() = OLD.customer_org_id THEN
    RAISE EXCEPTION 'only the reseller can end a reseller relationship' USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER relationships_reseller_end BEFORE UPDATE OF status ON relationships
  FOR EACH ROW EXECUTE FUNCTION pd_reseller_end_check();
--> statement-breakpoint
-- The subscription made from a product key the calling partner has just marked used for this
-- customer: the product and licences come from the key, the partner becomes partner of record.
CREATE FUNCTION pd_subscription_from_key(p_key uuid, p_customer uuid) RETURNS uuid
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_partner uuid := app_org_id(); k product_keys%ROWTYPE; v_sub uuid;
BEGIN
  SELECT * INTO k FROM product_keys WHERE id = p_key AND partner_org_id = v_partner FOR UPDATE;
  IF NOT FOUND OR k.status <> 'used' OR k.subscription_id IS NOT NULL OR k.customer_org_id IS DISTINCT FROM p_customer THEN
    RAISE EXCEPTION 'product key % is not registered for this customer by this partner', p_key USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM relationships WHERE partner_org_id = v_partner AND customer_org_id = p_customer AND status IN ('pending', 'active')) THEN
    RAISE EXCEPTION 'no live relationship with customer %', p_customer USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO subscriptions (customer_org_id, product_id, licences, status, advisor_partner_org_id)
    VALUES (p_customer, k.product_id, k.licences, 'active', v_partner) RETURNING id INTO v_sub;
  UPDATE product_keys SET subscription_id = v_sub WHERE id = p_key;
  RETURN v_sub;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_subscription_from_key(uuid, uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_subscription_from_key(uuid, uuid) TO partnerdesk_app;
