CREATE TABLE "agreement_acceptances" (
	"customer_org_id" uuid NOT NULL,
	"version" text NOT NULL,
	"accepted_by_user_id" uuid,
	"accepted_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ip" text,
	CONSTRAINT "agreement_acceptances_customer_org_id_version_pk" PRIMARY KEY("customer_org_id","version")
);
--> statement-breakpoint
CREATE TABLE "customer_agreements" (
	"version" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"effective_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "customer_selection_items" (
	"selection_id" uuid NOT NULL,
	"partner_org_id" uuid NOT NULL,
	"customer_org_id" uuid NOT NULL,
	CONSTRAINT "customer_selection_items_selection_id_customer_org_id_pk" PRIMARY KEY("selection_id","customer_org_id")
);
--> statement-breakpoint
CREATE TABLE "customer_selections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partner_org_id" uuid NOT NULL,
	"created_by_user_id" uuid,
	"filter" jsonb NOT NULL,
	"all_matching" boolean NOT NULL,
	"count" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "partner_customers" (
	"partner_org_id" uuid NOT NULL,
	"customer_org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"sort_name" text NOT NULL,
	"primary_domain" text NOT NULL,
	"country" text NOT NULL,
	"relationship_types" text NOT NULL,
	"is_reseller" boolean NOT NULL,
	"is_advisor" boolean NOT NULL,
	"is_dap" boolean NOT NULL,
	"is_gdap" boolean NOT NULL,
	"agreement_status" text NOT NULL,
	"search_text" text NOT NULL,
	"customer_created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "partner_customers_partner_org_id_customer_org_id_pk" PRIMARY KEY("partner_org_id","customer_org_id")
);
--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "agreement_version" text;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "agreement_accepted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "agreement_acceptances" ADD CONSTRAINT "agreement_acceptances_customer_org_id_organisations_id_fk" FOREIGN KEY ("customer_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_acceptances" ADD CONSTRAINT "agreement_acceptances_version_customer_agreements_version_fk" FOREIGN KEY ("version") REFERENCES "public"."customer_agreements"("version") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreement_acceptances" ADD CONSTRAINT "agreement_acceptances_accepted_by_user_id_users_id_fk" FOREIGN KEY ("accepted_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_selection_items" ADD CONSTRAINT "customer_selection_items_selection_id_customer_selections_id_fk" FOREIGN KEY ("selection_id") REFERENCES "public"."customer_selections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_selections" ADD CONSTRAINT "customer_selections_partner_org_id_organisations_id_fk" FOREIGN KEY ("partner_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "customer_selections" ADD CONSTRAINT "customer_selections_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_customers" ADD CONSTRAINT "partner_customers_partner_org_id_organisations_id_fk" FOREIGN KEY ("partner_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_customers" ADD CONSTRAINT "partner_customers_customer_org_id_organisations_id_fk" FOREIGN KEY ("customer_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "partner_customers_name_idx" ON "partner_customers" USING btree ("partner_org_id","sort_name","customer_org_id");--> statement-breakpoint
CREATE INDEX "partner_customers_domain_idx" ON "partner_customers" USING btree ("partner_org_id","primary_domain","customer_org_id");--> statement-breakpoint
CREATE INDEX "partner_customers_country_idx" ON "partner_customers" USING btree ("partner_org_id","country","customer_org_id");--> statement-breakpoint
CREATE INDEX "partner_customers_types_idx" ON "partner_customers" USING btree ("partner_org_id","relationship_types","customer_org_id");--> statement-breakpoint
CREATE INDEX "partner_customers_agreement_idx" ON "partner_customers" USING btree ("partner_org_id","agreement_status","customer_org_id");--> statement-breakpoint
CREATE INDEX "partner_customers_created_idx" ON "partner_customers" USING btree ("partner_org_id","customer_created_at","customer_org_id");--> statement-breakpoint
CREATE INDEX "partner_customers_customer_idx" ON "partner_customers" USING btree ("customer_org_id");