-- partner_subscriptions (ADR 0013): one row per subscription and partner that may see it, the
-- same rule as the subscriptions policies (partner of record, or active reseller of the customer),
-- kept by triggers, with totals by status and product kept as appended changes folded by scheduled
-- work. The partner reads its own rows; only the SECURITY DEFINER functions write.
ALTER TABLE partner_subscriptions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE partner_subscriptions FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY partner_subscriptions_own ON partner_subscriptions FOR SELECT TO partnerdesk_app USING (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT ON partner_subscriptions TO partnerdesk_app;
--> statement-breakpoint
-- The totals (kept sums by status and product, and the changes not yet folded in): the same.
ALTER TABLE partner_subscription_totals ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE partner_subscription_totals FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY partner_subscription_totals_own ON partner_subscription_totals FOR SELECT TO partnerdesk_app USING (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT ON partner_subscription_totals TO partnerdesk_app;
--> statement-breakpoint
ALTER TABLE partner_subscription_total_changes ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE partner_subscription_total_changes FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY partner_subscription_total_changes_own ON partner_subscription_total_changes FOR SELECT TO partnerdesk_app USING (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT ON partner_subscription_total_changes TO partnerdesk_app;
--> statement-breakpoint
-- The rows of one partner and customer, recomputed from the customer's subscriptions (a handful),
-- appending the difference to the totals: the rows removed, negated, and the rows written (folded
-- together by the compaction below).
CREATE FUNCTION pd_refresh_partner_subscriptions(p_partner uuid, p_customer uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_reseller boolean;
BEGIN
  SELECT EXISTS (SELECT 1 FROM relationships WHERE partner_org_id = p_partner AND customer_org_id = p_customer AND type = 'reseller' AND status = 'active')
    INTO v_reseller;
  INSERT INTO partner_subscription_total_changes (partner_org_id, status, product_id, subscriptions, licences)
  SELECT p_partner, status, product_id, -count(*), -sum(licences)
  FROM partner_subscriptions WHERE partner_org_id = p_partner AND customer_org_id = p_customer
  GROUP BY status, product_id;
  DELETE FROM partner_subscriptions WHERE partner_org_id = p_partner AND customer_org_id = p_customer;
  INSERT INTO partner_subscriptions (partner_org_id, subscription_id, customer_org_id, product_id, licences, status,
      is_partner_of_record, is_reseller, started_at, ends_at, created_at)
  SELECT p_partner, s.id, s.customer_org_id, s.product_id, s.licences, s.status,
      s.advisor_partner_org_id IS NOT DISTINCT FROM p_partner, v_reseller, s.started_at, s.ends_at, s.created_at
  FROM subscriptions s
  WHERE s.customer_org_id = p_customer AND (v_reseller OR s.advisor_partner_org_id = p_partner);
  INSERT INTO partner_subscription_total_changes (partner_org_id, status, product_id, subscriptions, licences)
  SELECT p_partner, status, product_id, count(*), sum(licences)
  FROM partner_subscriptions WHERE partner_org_id = p_partner AND customer_org_id = p_customer
  GROUP BY status, product_id;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_refresh_partner_subscriptions(uuid, uuid) FROM PUBLIC;
--> statement-breakpoint
-- Changes of one customer's subscriptions and reseller relationships take turns (a transaction
-- lock per customer, taken before reading who may see them), so two concurrent changes can neither
-- miss each other (a reseller activated while a subscription is bought) nor insert the same row.
CREATE FUNCTION pd_lock_partner_subscriptions(p_customer uuid) RETURNS void
LANGUAGE sql AS $$ SELECT pg_advisory_xact_lock(hashtextextended('partner_subscriptions:' || p_customer::text, 0)) $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_lock_partner_subscriptions(uuid) FROM PUBLIC;
--> statement-breakpoint
-- A subscription changed: refresh it for its old and new partner of record and the customer's
-- active resellers.
CREATE FUNCTION pd_subscription_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_customer uuid;
  v_old_advisor uuid;
  v_new_advisor uuid;
  v_partner uuid;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    v_customer := OLD.customer_org_id;
    v_old_advisor := OLD.advisor_partner_org_id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    v_customer := NEW.customer_org_id;
    v_new_advisor := NEW.advisor_partner_org_id;
  END IF;
  PERFORM pd_lock_partner_subscriptions(v_customer);
  FOR v_partner IN
    SELECT partner_org_id FROM relationships WHERE customer_org_id = v_customer AND type = 'reseller' AND status = 'active'
    UNION SELECT v_old_advisor WHERE v_old_advisor IS NOT NULL
    UNION SELECT v_new_advisor WHERE v_new_advisor IS NOT NULL
    ORDER BY 1
  LOOP
    PERFORM pd_refresh_partner_subscriptions(v_partner, v_customer);
  END LOOP;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER subscriptions_refresh_partner_subscriptions AFTER INSERT OR UPDATE OR DELETE ON subscriptions
  FOR EACH ROW EXECUTE FUNCTION pd_subscription_changed();
--> statement-breakpoint
-- A reseller relationship began, ended or was removed: the partner's view of that customer's
-- subscriptions changes.
CREATE FUNCTION pd_reseller_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.type = 'reseller' THEN
    PERFORM pd_lock_partner_subscriptions(OLD.customer_org_id);
    PERFORM pd_refresh_partner_subscriptions(OLD.partner_org_id, OLD.customer_org_id);
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.type = 'reseller' AND (TG_OP = 'INSERT' OR NEW.partner_org_id <> OLD.partner_org_id OR NEW.customer_org_id <> OLD.customer_org_id OR OLD.type <> 'reseller') THEN
    PERFORM pd_lock_partner_subscriptions(NEW.customer_org_id);
    PERFORM pd_refresh_partner_subscriptions(NEW.partner_org_id, NEW.customer_org_id);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER relationships_refresh_partner_subscriptions AFTER INSERT OR UPDATE OF status, type, partner_org_id, customer_org_id OR DELETE ON relationships
  FOR EACH ROW EXECUTE FUNCTION pd_reseller_changed();
--> statement-breakpoint
-- Folds the appended changes into the totals (scheduled work, every minute). Concurrent runs move
-- each change once: a change deleted by one is skipped by the other.
CREATE FUNCTION pd_compact_partner_subscription_totals() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_moved integer;
BEGIN
  WITH moved AS (
    DELETE FROM partner_subscription_total_changes RETURNING partner_org_id, status, product_id, subscriptions, licences
  ), sums AS (
    SELECT partner_org_id, status, product_id, sum(subscriptions) AS subscriptions, sum(licences) AS licences, count(*) AS n
    FROM moved GROUP BY 1, 2, 3
  ), folded AS (
    INSERT INTO partner_subscription_totals AS t (partner_org_id, status, product_id, subscriptions, licences)
    SELECT partner_org_id, status, product_id, subscriptions, licences FROM sums ORDER BY 1, 2, 3
    ON CONFLICT (partner_org_id, status, product_id) DO UPDATE
      SET subscriptions = t.subscriptions + excluded.subscriptions, licences = t.licences + excluded.licences
    RETURNING 1
  )
  SELECT coalesce(sum(n), 0)::int INTO v_moved FROM sums;
  DELETE FROM partner_subscription_totals WHERE subscriptions = 0 AND licences = 0;
  RETURN v_moved;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_compact_partner_subscription_totals() FROM PUBLIC;
--> statement-breakpoint
-- The whole read model and its totals from scratch (after a bulk load with triggers off, and
-- below). The lock (in the order a refresh writes the two tables) makes concurrent refreshes wait
-- and then see the rebuilt rows.
CREATE FUNCTION pd_rebuild_partner_subscriptions() RETURNS void LANGUAGE sql AS $$
  LOCK TABLE partner_subscription_total_changes, partner_subscriptions IN EXCLUSIVE MODE;
  DELETE FROM partner_subscriptions;
  INSERT INTO partner_subscriptions (partner_org_id, subscription_id, customer_org_id, product_id, licences, status,
      is_partner_of_record, is_reseller, started_at, ends_at, created_at)
  SELECT v.partner_org_id, s.id, s.customer_org_id, s.product_id, s.licences, s.status,
      bool_or(v.partner_org_id IS NOT DISTINCT FROM s.advisor_partner_org_id), bool_or(v.reseller), s.started_at, s.ends_at, s.created_at
  FROM subscriptions s
  JOIN LATERAL (
    SELECT s.advisor_partner_org_id AS partner_org_id, false AS reseller WHERE s.advisor_partner_org_id IS NOT NULL
    UNION ALL
    SELECT r.partner_org_id, true FROM relationships r
     WHERE r.customer_org_id = s.customer_org_id AND r.type = 'reseller' AND r.status = 'active'
  ) v ON true
  GROUP BY v.partner_org_id, s.id;
  DELETE FROM partner_subscription_total_changes;
  DELETE FROM partner_subscription_totals;
  INSERT INTO partner_subscription_totals (partner_org_id, status, product_id, subscriptions, licences)
  SELECT partner_org_id, status, product_id, count(*), sum(licences) FROM partner_subscriptions GROUP BY 1, 2, 3;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_rebuild_partner_subscriptions() FROM PUBLIC;
--> statement-breakpoint
SELECT pd_rebuild_partner_subscriptions();
