ALTER TABLE "users" ADD COLUMN "email_confirmed" boolean DEFAULT true NOT NULL;--> statement-breakpoint

-- An account gets its managing organisation only once someone has shown they read its address
-- (ADR 0026): a sign-up from a public link stays without a home until its confirmation link is used.
CREATE OR REPLACE FUNCTION pd_set_home_org() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NEW.status = 'active' THEN
    UPDATE users SET home_org_id = NEW.org_id WHERE id = NEW.user_id AND home_org_id IS NULL AND email_confirmed;
  END IF;
  RETURN NULL;
END $$;
