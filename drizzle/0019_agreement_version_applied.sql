-- The version in effect when this migration runs is already reflected in partner_customers;
-- scheduled work applies later versions once each (applyAgreementVersion).
INSERT INTO job_effects (key) SELECT 'agreement-version:' || pd_current_agreement_version() WHERE pd_current_agreement_version() IS NOT NULL ON CONFLICT DO NOTHING;
