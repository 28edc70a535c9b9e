CREATE TABLE "products" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"description" text NOT NULL,
	"monthly_price_cents" integer NOT NULL,
	"currency" text DEFAULT 'EUR' NOT NULL,
	"has_trial" boolean NOT NULL,
	"trial_days" integer,
	"trial_seats" integer,
	"min_licences" integer DEFAULT 1 NOT NULL,
	"max_licences" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	CONSTRAINT "products_trial_fields" CHECK ((has_trial and trial_days between 1 and 365 and trial_seats >= 1) or (not has_trial and trial_days is null and trial_seats is null)),
	CONSTRAINT "products_licence_limits" CHECK (min_licences >= 1 and max_licences >= min_licences),
	CONSTRAINT "products_price" CHECK (monthly_price_cents >= 0)
);
