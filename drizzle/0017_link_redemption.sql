CREATE TABLE "link_redemptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"link_id" uuid NOT NULL,
	"partner_org_id" uuid NOT NULL,
	"customer_org_id" uuid NOT NULL,
	"redeemed_by_user_id" uuid,
	"submission_key" text,
	"signed_up" boolean DEFAULT false NOT NULL,
	"dap_authorised" boolean DEFAULT false NOT NULL,
	"dap_requested" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "link_visits" (
	"link_id" uuid NOT NULL,
	"partner_org_id" uuid NOT NULL,
	"day" text NOT NULL,
	"visits" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "link_visits_link_id_day_pk" PRIMARY KEY("link_id","day")
);
--> statement-breakpoint
CREATE TABLE "subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_org_id" uuid NOT NULL,
	"product_id" text NOT NULL,
	"licences" integer NOT NULL,
	"status" text NOT NULL,
	"advisor_partner_org_id" uuid,
	"source_link_id" uuid,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ends_at" timestamp with time zone,
	"converted_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "subscriptions_licences" CHECK (licences >= 1),
	CONSTRAINT "subscriptions_trial_end" CHECK (status <> 'trial' or ends_at is not null)
);
--> statement-breakpoint
ALTER TABLE "link_redemptions" ADD CONSTRAINT "link_redemptions_link_id_links_id_fk" FOREIGN KEY ("link_id") REFERENCES "public"."links"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "link_redemptions" ADD CONSTRAINT "link_redemptions_partner_org_id_organisations_id_fk" FOREIGN KEY ("partner_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "link_redemptions" ADD CONSTRAINT "link_redemptions_customer_org_id_organisations_id_fk" FOREIGN KEY ("customer_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "link_redemptions" ADD CONSTRAINT "link_redemptions_redeemed_by_user_id_users_id_fk" FOREIGN KEY ("redeemed_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "link_visits" ADD CONSTRAINT "link_visits_link_id_links_id_fk" FOREIGN KEY ("link_id") REFERENCES "public"."links"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "link_visits" ADD CONSTRAINT "link_visits_partner_org_id_organisations_id_fk" FOREIGN KEY ("partner_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_customer_org_id_organisations_id_fk" FOREIGN KEY ("customer_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_advisor_partner_org_id_organisations_id_fk" FOREIGN KEY ("advisor_partner_org_id") REFERENCES "public"."organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_source_link_id_links_id_fk" FOREIGN KEY ("source_link_id") REFERENCES "public"."links"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "link_redemptions_link_customer_key" ON "link_redemptions" USING btree ("link_id","customer_org_id");--> statement-breakpoint
CREATE UNIQUE INDEX "link_redemptions_submission_key" ON "link_redemptions" USING btree ("submission_key");--> statement-breakpoint
CREATE INDEX "link_redemptions_partner_idx" ON "link_redemptions" USING btree ("partner_org_id","link_id","created_at");--> statement-breakpoint
CREATE INDEX "link_redemptions_customer_idx" ON "link_redemptions" USING btree ("customer_org_id");--> statement-breakpoint
CREATE INDEX "subscriptions_customer_idx" ON "subscriptions" USING btree ("customer_org_id","created_at");--> statement-breakpoint
CREATE INDEX "subscriptions_advisor_idx" ON "subscriptions" USING btree ("advisor_partner_org_id","created_at");--> statement-breakpoint
CREATE INDEX "subscriptions_link_idx" ON "subscriptions" USING btree ("source_link_id");--> statement-breakpoint
CREATE INDEX "subscriptions_trial_end_idx" ON "subscriptions" USING btree ("ends_at") WHERE status = 'trial';