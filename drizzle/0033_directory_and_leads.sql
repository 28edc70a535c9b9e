CREATE TABLE "contact_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"ip" text NOT NULL,
	"email" text NOT NULL,
	"partners" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lead_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"lead_id" uuid NOT NULL,
	"partner_org_id" uuid NOT NULL,
	"author_user_id" uuid,
	"author_name" text,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lead_notes_body" CHECK (length(body) between 1 and 4000)
);
--> statement-breakpoint
CREATE TABLE "leads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partner_org_id" uuid NOT NULL,
	"contact_request_id" uuid,
	"name" text NOT NULL,
	"email" text NOT NULL,
	"organisation" text NOT NULL,
	"size" text NOT NULL,
	"country" text NOT NULL,
	"needs" text NOT NULL,
	"status" text DEFAULT 'new' NOT NULL,
	"status_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"assigned_user_id" uuid,
	"answered_link_id" uuid,
	"answered_at" timestamp with time zone,
	"answer_token" text,
	"customer_org_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "leads_lengths" CHECK (length(name) <= 200 and length(email) <= 254 and length(organisation) <= 200 and length(needs) <= 4000)
);
--> statement-breakpoint
CREATE TABLE "partner_listings" (
	"partner_org_id" uuid PRIMARY KEY NOT NULL,
	"listed" boolean DEFAULT false NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"countries" text[] DEFAULT '{}'::text[] NOT NULL,
	"cities" text[] DEFAULT '{}'::text[] NOT NULL,
	"sizes" text[] DEFAULT '{}'::text[] NOT NULL,
	"keywords" text[] DEFAULT '{}'::text[] NOT NULL,
	"languages" text[] DEFAULT '{}'::text[] NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"sort_name" text DEFAULT '' NOT NULL,
	"partner_number" integer,
	"search_vector" "tsvector" DEFAULT ''::tsvector NOT NULL,
	"keyword_vector" "tsvector" DEFAULT ''::tsvector NOT NULL,
	"listed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "partner_listings_description" CHECK (length(description) <= 2000),
	CONSTRAINT "partner_listings_sizes" CHECK (sizes <@ array['1-9', '10-49', '50-249', '250-999', '1000+']::text[]),
	CONSTRAINT "partner_listings_array_sizes" CHECK (cardinality(countries) <= 60 and cardinality(cities) <= 50 and cardinality(keywords) <= 30 and cardinality(languages) <= 30)
);
--> statement-breakpoint
ALTER TABLE "lead_notes" ADD CONSTRAINT "lead_notes_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_notes" ADD CONSTRAINT "lead_notes_author_user_id_users_id_fk" FOREIGN KEY ("author_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_partner_org_id_organisations_id_fk" FOREIGN KEY ("partner_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_contact_request_id_contact_requests_id_fk" FOREIGN KEY ("contact_request_id") REFERENCES "public"."contact_requests"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_assigned_user_id_users_id_fk" FOREIGN KEY ("assigned_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_answered_link_id_links_id_fk" FOREIGN KEY ("answered_link_id") REFERENCES "public"."links"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "leads" ADD CONSTRAINT "leads_customer_org_id_organisations_id_fk" FOREIGN KEY ("customer_org_id") REFERENCES "public"."organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "partner_listings" ADD CONSTRAINT "partner_listings_partner_org_id_organisations_id_fk" FOREIGN KEY ("partner_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contact_requests_ip_idx" ON "contact_requests" USING btree ("ip","created_at");--> statement-breakpoint
CREATE INDEX "contact_requests_email_idx" ON "contact_requests" USING btree ("email","created_at");--> statement-breakpoint
CREATE INDEX "contact_requests_created_idx" ON "contact_requests" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "lead_notes_lead_idx" ON "lead_notes" USING btree ("lead_id","created_at");--> statement-breakpoint
CREATE INDEX "leads_partner_idx" ON "leads" USING btree ("partner_org_id","created_at","id");--> statement-breakpoint
CREATE INDEX "leads_partner_status_idx" ON "leads" USING btree ("partner_org_id","status","created_at");--> statement-breakpoint
CREATE INDEX "leads_lost_idx" ON "leads" USING btree ("status_changed_at") WHERE status = 'lost';--> statement-breakpoint
CREATE UNIQUE INDEX "leads_answer_token_key" ON "leads" USING btree ("answer_token");--> statement-breakpoint
CREATE INDEX "partner_listings_search_idx" ON "partner_listings" USING gin ("search_vector") WHERE listed;--> statement-breakpoint
CREATE INDEX "partner_listings_keyword_idx" ON "partner_listings" USING gin ("keyword_vector") WHERE listed;--> statement-breakpoint
CREATE INDEX "partner_listings_name_idx" ON "partner_listings" USING btree ("sort_name","partner_org_id") WHERE listed;