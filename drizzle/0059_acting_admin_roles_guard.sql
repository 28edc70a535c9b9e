-- Issue 30 review, finding 10 (older than issue 30): partner staff acting in a customer give a
-- member admin roles (global admin, billing admin) only as its Global Administrator: an admin agent
-- through an active DAP relationship, or through an active GDAP relationship whose Global
-- Administrator or Privileged Role Administrator role is assigned to a staff group the staff member
-- is in. The domain gate (effectiveRights) already held this; now the database does too.
CREATE FUNCTION pd_acting_may_assign_admin_roles() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM memberships s
     WHERE s.org_id = a.partner AND s.user_id = app_user_id() AND s.status = 'active' AND 'admin_agent' = ANY (s.roles)
       AND (EXISTS (SELECT 1 FROM relationships r
                     WHERE r.partner_org_id = a.partner AND r.customer_org_id = app_org_id() AND r.type = 'dap' AND r.status = 'active')
            OR EXISTS (SELECT 1 FROM admin_relationships g
                         JOIN gdap_assignments ga ON ga.admin_relationship_id = g.id
                         JOIN staff_group_members m ON m.group_id = ga.group_id AND m.user_id = app_user_id()
                        WHERE g.partner_org_id = a.partner AND g.customer_org_id = app_org_id() AND g.status = 'active' AND g.ends_at > now()
                          AND ga.roles && ARRAY['62e90394-69f5-4237-9190-012177145e10', 'e8611ab8-c189-46e8-94e1-60213ab1f814']::text[])))
  FROM (SELECT nullif(current_setting('app.acting_partner_id', true), '')::uuid AS partner) a
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_acting_may_assign_admin_roles() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_acting_may_assign_admin_roles() TO partnerdesk_app;
--> statement-breakpoint
CREATE FUNCTION pd_acting_admin_roles_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF nullif(current_setting('app.acting_partner_id', true), '') IS NULL THEN RETURN NEW; END IF;
  IF NEW.roles && '{global_admin,billing_admin}'::text[]
     AND (TG_OP = 'INSERT' OR NOT (NEW.roles <@ OLD.roles))
     AND NOT pd_acting_may_assign_admin_roles() THEN
    RAISE EXCEPTION 'only the customer''s Global Administrator (or Privileged Role Administrator) gives admin roles' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER memberships_acting_admin_roles BEFORE INSERT OR UPDATE OF roles ON memberships
  FOR EACH ROW EXECUTE FUNCTION pd_acting_admin_roles_guard();
