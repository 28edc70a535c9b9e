ALTER TABLE "memberships" ADD COLUMN "partner_org_id" uuid;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_partner_org_id_organisations_id_fk" FOREIGN KEY ("partner_org_id") REFERENCES "public"."organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "memberships_partner_idx" ON "memberships" USING btree ("partner_org_id");
--> statement-breakpoint

-- Issue 30: the help pages' "partner" relationship type. A customer invites a partner's person as a
-- user of its own (the invitation names the partner); once the person accepts, the pair has an
-- active 'partner' relationship, which ends when the customer removes the last such user. The
-- relationship is written here, in definer functions, whichever path changed the membership
-- (accepting runs in the system context, removing in the customer's).

-- The app role names the partner only when it invites (a customer inviting, a partner organisation
-- that exists) and never changes it afterwards.
CREATE FUNCTION pd_membership_partner_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF current_user <> 'partnerdesk_app' THEN RETURN NEW; END IF;
  IF TG_OP = 'UPDATE' THEN
    IF NEW.partner_org_id IS DISTINCT FROM OLD.partner_org_id THEN
      RAISE EXCEPTION 'a member''s partner is named only with the invitation' USING ERRCODE = '42501';
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.partner_org_id IS NOT NULL AND (
       NOT EXISTS (SELECT 1 FROM organisations o WHERE o.id = NEW.org_id AND o.kind = 'customer')
       OR NOT EXISTS (SELECT 1 FROM organisations o WHERE o.id = NEW.partner_org_id AND o.kind = 'partner')) THEN
    RAISE EXCEPTION 'only a customer invites a partner''s person, and only of a partner' USING ERRCODE = '42501';
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_membership_partner_guard() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER memberships_partner_guard BEFORE INSERT OR UPDATE ON memberships
  FOR EACH ROW EXECUTE FUNCTION pd_membership_partner_guard();
--> statement-breakpoint

CREATE FUNCTION pd_partner_person_relationship() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    IF NEW.partner_org_id IS NOT NULL AND NEW.status <> 'invited' AND (TG_OP = 'INSERT' OR OLD.status = 'invited') THEN
      INSERT INTO relationships AS r (partner_org_id, customer_org_id, type, status, started_at)
        VALUES (NEW.partner_org_id, NEW.org_id, 'partner', 'active', now())
        ON CONFLICT (partner_org_id, customer_org_id, type) DO UPDATE
          SET status = 'active',
              started_at = CASE WHEN r.status = 'active' THEN r.started_at ELSE now() END,
              ended_at = NULL;
    END IF;
    RETURN NULL;
  END IF;
  IF OLD.partner_org_id IS NULL OR OLD.status = 'invited' THEN RETURN NULL; END IF;
  -- The relationship row first: two removals of the pair's last two people at once are serialised,
  -- and the second sees the first's delete (a new statement, a new snapshot).
  PERFORM 1 FROM relationships
    WHERE partner_org_id = OLD.partner_org_id AND customer_org_id = OLD.org_id AND type = 'partner' FOR UPDATE;
  IF NOT EXISTS (SELECT 1 FROM memberships m
                  WHERE m.org_id = OLD.org_id AND m.partner_org_id = OLD.partner_org_id AND m.status <> 'invited') THEN
    UPDATE relationships SET status = 'ended', ended_at = now()
      WHERE partner_org_id = OLD.partner_org_id AND customer_org_id = OLD.org_id AND type = 'partner' AND status <> 'ended';
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_partner_person_relationship() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER memberships_partner_relationship AFTER INSERT OR UPDATE OF status OR DELETE ON memberships
  FOR EACH ROW EXECUTE FUNCTION pd_partner_person_relationship();
--> statement-breakpoint

-- A partner's name by id, for the customer's Users page: a partner's person invited by Partner ID
-- shows its partner before any relationship makes the partner visible to the customer.
CREATE FUNCTION pd_partner_name(p_partner uuid) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT o.name FROM organisations o WHERE o.id = p_partner AND o.kind = 'partner'
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_partner_name(uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_partner_name(uuid) TO partnerdesk_app;
