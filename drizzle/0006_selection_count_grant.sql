-- A selection's count is written after its items are snapshotted.
GRANT UPDATE (count) ON customer_selections TO partnerdesk_app;
