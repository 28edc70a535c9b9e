-- Issue 30: a person clears (dismisses) their own notifications, one or all, in their organisation.
GRANT DELETE ON notifications TO partnerdesk_app;--> statement-breakpoint
CREATE POLICY notifications_delete ON notifications FOR DELETE TO partnerdesk_app USING (org_id = app_org_id() AND user_id = app_user_id());
