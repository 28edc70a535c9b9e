-- The partner's subscription totals (ADR 0013): compacted sums plus appended changes. The partner
-- reads its own rows; only the SECURITY DEFINER functions write.
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
-- The refresh of one partner × customer also appends the difference it makes to the totals: the
-- rows it removes, negated, and the rows it writes (folded together by the compaction).
CREATE OR REPLACE FUNCTION pd_refresh_partner_subscriptions(p_partner uuid, p_customer uuid) RETURNS void
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
-- The rebuild recomputes the totals too.
CREATE OR REPLACE FUNCTION pd_rebuild_partner_subscriptions() RETURNS void LANGUAGE sql AS $$
  LOCK TABLE partner_subscriptions IN EXCLUSIVE MODE;
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
  LOCK TABLE partner_subscription_total_changes IN EXCLUSIVE MODE;
  DELETE FROM partner_subscription_total_changes;
  DELETE FROM partner_subscription_totals;
  INSERT INTO partner_subscription_totals (partner_org_id, status, product_id, subscriptions, licences)
  SELECT partner_org_id, status, product_id, count(*), sum(licences) FROM partner_subscriptions GROUP BY 1, 2, 3;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_rebuild_partner_subscriptions() FROM PUBLIC;
--> statement-breakpoint
INSERT INTO partner_subscription_totals (partner_org_id, status, product_id, subscriptions, licences)
SELECT partner_org_id, status, product_id, count(*), sum(licences) FROM partner_subscriptions GROUP BY 1, 2, 3;
