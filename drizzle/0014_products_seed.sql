-- The product catalogue: global, read by everyone, changed only by migrations.
ALTER TABLE products ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE products FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY products_read ON products FOR SELECT TO partnerdesk_app USING (true);
--> statement-breakpoint
GRANT SELECT ON products TO partnerdesk_app;
--> statement-breakpoint
INSERT INTO products (id, name, description, monthly_price_cents, has_trial, trial_days, trial_seats, min_licences, max_licences) VALUES
  ('business-basic', 'Business Basic', 'Web and mobile office apps, business email with a 50 GB mailbox, 1 TB of cloud storage per user, online meetings.', 600, true, 30, 25, 1, 300),
  ('business-standard', 'Business Standard', 'Everything in Business Basic plus desktop office apps, webinars and attendee registration.', 1250, true, 30, 25, 1, 300),
  ('business-premium', 'Business Premium', 'Everything in Business Standard plus advanced security, device management and access control.', 2200, true, 30, 25, 1, 300),
  ('email-plan-1', 'Email Plan 1', 'Business email with a 50 GB mailbox, calendar and contacts.', 400, true, 30, 25, 1, 10000),
  ('email-plan-2', 'Email Plan 2', 'Business email with a 100 GB mailbox, unlimited archiving and data-loss prevention.', 800, false, null, null, 1, 10000),
  ('enterprise-e3', 'Enterprise E3', 'Office apps, email, file storage and sharing, and enterprise-grade compliance for organisations of any size.', 3600, true, 30, 25, 5, 100000),
  ('enterprise-e5', 'Enterprise E5', 'Everything in Enterprise E3 plus advanced security, analytics and voice.', 5700, false, null, null, 5, 100000),
  ('project-plan-3', 'Project Plan 3', 'Project management with resource planning, roadmaps and reporting.', 2500, true, 60, 10, 1, 5000),
  ('visio-plan-2', 'Visio Plan 2', 'Diagramming in the browser and on the desktop, with templates for flowcharts and floor plans.', 1300, true, 30, 10, 1, 5000);
