-- Abuse limits and gates (issue 28 items 6 and 7; ADR 0029).

-- Global tables: no policy and no grant, so the app role sees nothing. link_visitors is written by
-- the link page's visit count (system context); org_rate_limits only through pd_take_org_quota.
ALTER TABLE link_visitors ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE link_visitors FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE org_rate_limits ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE org_rate_limits FORCE ROW LEVEL SECURITY;
--> statement-breakpoint

-- Takes p_amount from the allowance of the organisation in the transaction's context for an
-- action of kind p_kind: at most p_limit in a window of p_window_seconds (a fixed window that
-- starts with the first use after the last one ended). Returns 0 when taken, otherwise the
-- seconds until the window ends (nothing taken). The row stays locked to the end of the
-- transaction, so simultaneous callers take turns, and a rolled-back caller gives its use back.
CREATE FUNCTION pd_take_org_quota(p_kind text, p_amount integer, p_limit integer, p_window_seconds integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_org uuid := app_org_id();
  v_used integer;
  v_started timestamptz;
BEGIN
  IF v_org IS NULL THEN
    RAISE EXCEPTION 'pd_take_org_quota needs an organisation context' USING ERRCODE = '42501';
  END IF;
  IF p_amount IS NULL OR p_limit IS NULL OR p_window_seconds IS NULL OR p_amount < 1 OR p_limit < 1 OR p_window_seconds < 1 THEN
    RAISE EXCEPTION 'pd_take_org_quota: amount, limit and window must be positive' USING ERRCODE = '22023';
  END IF;
  INSERT INTO org_rate_limits AS q (org_id, kind, used, window_started_at) VALUES (v_org, p_kind, 0, now())
  ON CONFLICT (org_id, kind) DO UPDATE SET
    used = CASE WHEN q.window_started_at <= now() - make_interval(secs => p_window_seconds) THEN 0 ELSE q.used END,
    window_started_at = CASE WHEN q.window_started_at <= now() - make_interval(secs => p_window_seconds) THEN now() ELSE q.window_started_at END
  RETURNING used, window_started_at INTO v_used, v_started;
  IF v_used + p_amount > p_limit THEN
    RETURN greatest(1, ceil(extract(epoch FROM v_started + make_interval(secs => p_window_seconds) - now())))::integer;
  END IF;
  UPDATE org_rate_limits SET used = used + p_amount WHERE org_id = v_org AND kind = p_kind;
  RETURN 0;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_take_org_quota(text, integer, integer, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_take_org_quota(text, integer, integer, integer) TO partnerdesk_app;
--> statement-breakpoint

-- A membership that stops being active (deactivated, or removed) ends the person's sessions in that
-- organisation at once, whichever path changed it; their sessions elsewhere stay.
CREATE FUNCTION pd_end_sessions_of_inactive_member() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    DELETE FROM sessions WHERE user_id = OLD.user_id AND org_id = OLD.org_id;
  ELSIF NEW.status IS DISTINCT FROM 'active' THEN
    DELETE FROM sessions WHERE user_id = NEW.user_id AND org_id = NEW.org_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_end_sessions_of_inactive_member() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER memberships_end_sessions AFTER UPDATE OF status OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION pd_end_sessions_of_inactive_member();
