/**
 * Partnerdesk schema. Tables are plural in TypeScript and snake_case in SQL.
 *
 * Tenancy (docs/decisions/0002-tenancy-and-rls.md): every tenant-owned table carries
 * the organisation it belongs to and is protected by FORCE ROW LEVEL SECURITY; the
 * policies, roles, grants and SECURITY DEFINER functions live in the hand-written
 * migration that follows the generated one.
 */
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const tstz = (name: string) => timestamp(name, { withTimezone: true });

export const organisations = pgTable(
  "organisations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind", { enum: ["partner", "customer"] }).notNull(),
    name: text("name").notNull(),
    /** Public Partner ID (partners only), like a partner network id. */
    partnerNumber: integer("partner_number"),
    /** Customers only: unique, lower-case DNS name. */
    primaryDomain: text("primary_domain"),
    country: text("country"),
    email: text("email"),
    phone: text("phone"),
    website: text("website"),
    addressLine: text("address_line"),
    postalCode: text("postal_code"),
    city: text("city"),
    /** Operator-granted capabilities; the app role cannot update these columns. */
    isAuthorisedAdvisor: boolean("is_authorised_advisor").notNull().default(false),
    isDapCertified: boolean("is_dap_certified").notNull().default(false),
    /** Customers only: the customer agreement version last accepted (see customer_agreements). */
    agreementVersion: text("agreement_version"),
    agreementAcceptedAt: tstz("agreement_accepted_at"),
    /**
     * Customers only: its active MPSA partners see the purchases it made through its other MPSA
     * partners (seeds 000/002/004). Changed only by the customer's global admin (a trigger checks).
     */
    mpsaSharePurchases: boolean("mpsa_share_purchases").notNull().default(false),
    /**
     * Customers: its global admin requires a second factor of every member (ADR 0042). Partners
     * always require one of their staff, whatever this says. Changed only by the organisation's own
     * global admin (a trigger checks).
     */
    requireMfa: boolean("require_mfa").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("organisations_partner_number_key").on(t.partnerNumber),
    uniqueIndex("organisations_primary_domain_key").on(t.primaryDomain),
    check("organisations_kind_fields", sql`(kind = 'partner' and partner_number is not null) or (kind = 'customer' and partner_number is null and primary_domain is not null)`),
    check("organisations_country_code", sql`country is null or country ~ '^[A-Z]{2}$'`),
  ],
);

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Stored lower-case; unique across the installation. */
    email: text("email").notNull(),
    displayName: text("display_name").notNull(),
    /** Null until the user activates the account and chooses a password. */
    passwordHash: text("password_hash"),
    passwordChangedAt: tstz("password_changed_at"),
    /** Set by an admin's password reset (a temporary password): the user chooses a new one at next sign-in. */
    passwordMustChange: boolean("password_must_change").notNull().default(false),
    /**
     * The one organisation that manages this account (its home, as in Entra ID): the first one the
     * person joined. Only its admins (and partner staff acting there) may reset the credentials,
     * and only while the account belongs to no other organisation (ADR 0026). Set by a trigger.
     */
    homeOrgId: uuid("home_org_id").references(() => organisations.id, { onDelete: "set null" }),
    /**
     * False while nobody has shown they read this address: an account signed up from a public link
     * until its confirmation link is used. Such an account gets no home (so no admin may reset it)
     * until it is confirmed; a reset by mailed link or an accepted invitation confirms it (ADR 0026).
     */
    emailConfirmed: boolean("email_confirmed").notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("users_email_key").on(t.email),
    index("users_home_org_idx").on(t.homeOrgId),
    check("users_email_lower", sql`email = lower(email)`),
  ],
);

export const memberships = pgTable(
  "memberships",
  {
    orgId: uuid("org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    roles: text("roles").array().notNull(),
    status: text("status", { enum: ["invited", "active", "deactivated"] }).notNull().default("invited"),
    /**
     * While invited: the address and name as the inviter typed them. The inviting organisation
     * sees these, never the account behind them, until the person accepts (ADR 0026).
     */
    invitedEmail: text("invited_email"),
    invitedName: text("invited_name"),
    createdAt: createdAt(),
    activatedAt: tstz("activated_at"),
    deactivatedAt: tstz("deactivated_at"),
    /**
     * Sessions made before this do not reach this organisation (its global admin ended the member's
     * sessions here, ADR 0042): nor can they switch back into it.
     */
    sessionsNotBefore: tstz("sessions_not_before"),
    /**
     * A customer's user who is a partner's person (the help pages' "partner" relationship type):
     * the partner whose person this is. Set only with the invitation; while such a member is
     * active or deactivated, the pair has an active 'partner' relationship (a trigger keeps it).
     */
    partnerOrgId: uuid("partner_org_id").references(() => organisations.id, { onDelete: "set null" }),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.userId] }),
    index("memberships_user_idx").on(t.userId),
    index("memberships_partner_idx").on(t.partnerOrgId),
    check("memberships_roles_nonempty", sql`cardinality(roles) > 0`),
  ],
);

export const sessions = pgTable(
  "sessions",
  {
    /** SHA-256 of the random session id; the id itself lives only in the signed cookie. */
    idHash: text("id_hash").primaryKey(),
    userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    orgId: uuid("org_id").references(() => organisations.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    expiresAt: tstz("expires_at").notNull(),
    lastSeenAt: tstz("last_seen_at").notNull().defaultNow(),
    ip: text("ip"),
    userAgent: text("user_agent"),
    /** When this session last completed a second factor (sign-in, enrolment or step-up); null: password only. */
    mfaAt: tstz("mfa_at"),
    /** The WebAuthn challenge last offered to this session (adding a passkey, step-up with one); used once. */
    webauthnChallenge: text("webauthn_challenge"),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expires_idx").on(t.expiresAt)],
);

/**
 * A person's second factors (ADR 0042): an authenticator app (TOTP, at most one) or passkeys.
 * Global, like the account: only the person changes them (system context, no app-role grant).
 */
export const userFactors = pgTable(
  "user_factors",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["totp", "passkey"] }).notNull(),
    name: text("name").notNull(),
    /** TOTP: the shared secret, base32. */
    totpSecret: text("totp_secret"),
    /** TOTP: the last time step a code was accepted for; a code of that step or an earlier one is refused (no replay). */
    totpLastStep: bigint("totp_last_step", { mode: "number" }),
    /** Passkey: the credential id (base64url), its COSE public key (base64url), signature counter and transports. */
    credentialId: text("credential_id"),
    publicKey: text("public_key"),
    signCount: bigint("sign_count", { mode: "number" }),
    transports: text("transports").array(),
    /** Null while a TOTP enrolment waits for its first code; an unconfirmed factor signs nobody in. */
    confirmedAt: tstz("confirmed_at"),
    createdAt: createdAt(),
    lastUsedAt: tstz("last_used_at"),
  },
  (t) => [
    index("user_factors_user_idx").on(t.userId),
    uniqueIndex("user_factors_one_totp").on(t.userId).where(sql`kind = 'totp'`),
    uniqueIndex("user_factors_credential_key").on(t.credentialId),
    check("user_factors_shape", sql`(kind = 'totp' and totp_secret is not null and credential_id is null) or (kind = 'passkey' and credential_id is not null and public_key is not null and confirmed_at is not null)`),
    check("user_factors_name_length", sql`length(name) between 1 and 60`),
  ],
);

/** Recovery codes: ten per person, stored as SHA-256 (random, high-entropy codes), each used once. */
export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    createdAt: createdAt(),
    usedAt: tstz("used_at"),
  },
  (t) => [uniqueIndex("recovery_codes_user_hash_key").on(t.userId, t.codeHash)],
);

/**
 * A sign-in that passed the password and waits for the second factor. The browser holds the id
 * (signed cookie); the row holds its SHA-256. Short-lived; a few wrong codes end it.
 */
export const signInChallenges = pgTable(
  "sign_in_challenges",
  {
    idHash: text("id_hash").primaryKey(),
    /** Null for a sign-in with a passkey alone, which names its person only when it is answered. */
    userId: uuid("user_id").references(() => users.id, { onDelete: "cascade" }),
    redirectTo: text("redirect_to"),
    /** The WebAuthn challenge offered on the page, if any. */
    webauthnChallenge: text("webauthn_challenge"),
    /** The browser had not signed in to this account before: a notice is mailed once the sign-in completes. */
    newDevice: boolean("new_device").notNull().default(false),
    failures: integer("failures").notNull().default(0),
    createdAt: createdAt(),
    expiresAt: tstz("expires_at").notNull(),
  },
  (t) => [index("sign_in_challenges_user_idx").on(t.userId), index("sign_in_challenges_expires_idx").on(t.expiresAt)],
);

/** Single-use, expiring tokens sent by mail: invitations (activation), password reset, confirming a sign-up's address. */
export const authTokens = pgTable(
  "auth_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    kind: text("kind", { enum: ["activation", "password_reset", "email_confirmation"] }).notNull(),
    userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    /** Activation tokens belong to the inviting organisation; reset tokens to none. */
    orgId: uuid("org_id").references(() => organisations.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: tstz("expires_at").notNull(),
    usedAt: tstz("used_at"),
    revokedAt: tstz("revoked_at"),
  },
  (t) => [index("auth_tokens_user_idx").on(t.userId, t.kind), index("auth_tokens_org_idx").on(t.orgId)],
);

/** Sign-in throttling state, shared by every app instance. Keys: "account:<email>", "ip:<addr>". */
export const loginThrottle = pgTable("login_throttle", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull().default(0),
  windowStartedAt: tstz("window_started_at").notNull().defaultNow(),
  blockedUntil: tstz("blocked_until"),
});

/** Append-only: the app role may insert and read its own rows, never update or delete. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    at: tstz("at").notNull().defaultNow(),
    actorUserId: uuid("actor_user_id"),
    /** The actor's name when it acted: readable by the subject organisation, which cannot see the actor's user row. */
    actorName: text("actor_name"),
    actorOrgId: uuid("actor_org_id"),
    subjectOrgId: uuid("subject_org_id"),
    action: text("action").notNull(),
    objectType: text("object_type"),
    objectId: text("object_id"),
    ip: text("ip"),
    details: jsonb("details").$type<Record<string, unknown>>(),
  },
  (t) => [
    index("audit_log_actor_org_idx").on(t.actorOrgId, t.id),
    index("audit_log_subject_org_idx").on(t.subjectOrgId, t.id),
    // The audit page filtered by action, and its list of actions (a skip scan), at any volume.
    index("audit_log_actor_action_idx").on(t.actorOrgId, t.action, t.id),
    index("audit_log_subject_action_idx").on(t.subjectOrgId, t.action, t.id),
  ],
);

export const notifications = pgTable(
  "notifications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    orgId: uuid("org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    title: text("title").notNull(),
    body: text("body"),
    link: text("link"),
    createdAt: createdAt(),
    readAt: tstz("read_at"),
  },
  (t) => [
    index("notifications_user_idx").on(t.orgId, t.userId, t.createdAt),
    index("notifications_unread_idx").on(t.orgId, t.userId).where(sql`read_at is null`),
  ],
);

/** Mail is queued here in the transaction that causes it; scheduled work delivers it. */
export const mailOutbox = pgTable(
  "mail_outbox",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    orgId: uuid("org_id").references(() => organisations.id, { onDelete: "set null" }),
    to: text("to").array().notNull(),
    subject: text("subject").notNull(),
    /**
     * Empty once the retention has passed (MAIL_BODY_RETENTION_DAYS after sending): bodies carry
     * activation, reset and confirmation links, which are not kept in clear at rest.
     */
    textBody: text("text_body").notNull(),
    htmlBody: text("html_body"),
    createdAt: createdAt(),
    nextAttemptAt: tstz("next_attempt_at").notNull().defaultNow(),
    attempts: integer("attempts").notNull().default(0),
    sentAt: tstz("sent_at"),
    lastError: text("last_error"),
  },
  (t) => [
    index("mail_outbox_pending_idx").on(t.nextAttemptAt).where(sql`sent_at is null`),
    // Mails whose body is still kept: scheduled work blanks it after MAIL_BODY_RETENTION_DAYS.
    index("mail_outbox_body_kept_idx").on(t.createdAt).where(sql`text_body <> ''`),
  ],
);

export const jobs = pgTable(
  "jobs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    kind: text("kind").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    /** The effect this job has; recorded in job_effects in the job's own transaction. */
    effectKey: text("effect_key"),
    /** Optional: one job per key (e.g. one per recurring schedule slot). */
    dedupeKey: text("dedupe_key"),
    runAt: tstz("run_at").notNull().defaultNow(),
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(8),
    lockedUntil: tstz("locked_until"),
    lockedBy: text("locked_by"),
    lastError: text("last_error"),
    doneAt: tstz("done_at"),
    failedAt: tstz("failed_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("jobs_dedupe_key").on(t.dedupeKey),
    index("jobs_runnable_idx").on(t.runAt).where(sql`done_at is null and failed_at is null`),
  ],
);

export const jobEffects = pgTable("job_effects", {
  key: text("key").primaryKey(),
  jobId: bigint("job_id", { mode: "number" }),
  createdAt: createdAt(),
});

export type Organisation = typeof organisations.$inferSelect;
export type User = typeof users.$inferSelect;
export type Membership = typeof memberships.$inferSelect;
export type AuditEntry = typeof auditLog.$inferSelect;
export type Notification = typeof notifications.$inferSelect;
export type OutboxMail = typeof mailOutbox.$inferSelect;
export type Job = typeof jobs.$inferSelect;

/**
 * Partner ↔ customer relationships: one row per partner, customer and type. The customers
 * issue creates reseller rows; later issues extend the model (advisor, DAP, GDAP).
 */
export const relationships = pgTable(
  "relationships",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerOrgId: uuid("partner_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    customerOrgId: uuid("customer_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    type: text("type", { enum: ["reseller", "advisor", "dap", "gdap", "partner", "support_advisor", "mpsa", "lob"] }).notNull(),
    /**
     * pending: waits for the customer agreement; requested: an admin relationship (DAP) offered to
     * the customer, waiting for a customer global admin's approval; active; ended (also declined).
     */
    status: text("status", { enum: ["pending", "requested", "active", "ended"] }).notNull().default("pending"),
    createdAt: createdAt(),
    startedAt: tstz("started_at"),
    endedAt: tstz("ended_at"),
  },
  (t) => [
    uniqueIndex("relationships_partner_customer_type_key").on(t.partnerOrgId, t.customerOrgId, t.type),
    index("relationships_customer_idx").on(t.customerOrgId),
    // The partner's admin relationships list reads DAP rows newest first, keyset-paged on (created_at, id).
    index("relationships_partner_type_created_idx").on(t.partnerOrgId, t.type, t.createdAt, t.id),
  ],
);
export type Relationship = typeof relationships.$inferSelect;

/** Versions of the customer agreement; the newest effective one is current. */
export const customerAgreements = pgTable("customer_agreements", {
  version: text("version").primaryKey(),
  title: text("title").notNull(),
  body: text("body").notNull(),
  effectiveAt: tstz("effective_at").notNull().defaultNow(),
});

export const agreementAcceptances = pgTable(
  "agreement_acceptances",
  {
    customerOrgId: uuid("customer_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    version: text("version").notNull().references(() => customerAgreements.version),
    acceptedByUserId: uuid("accepted_by_user_id").references(() => users.id, { onDelete: "set null" }),
    acceptedAt: tstz("accepted_at").notNull().defaultNow(),
    ip: text("ip"),
  },
  (t) => [primaryKey({ columns: [t.customerOrgId, t.version] })],
);

/**
 * The partner's customer workspace: one row per partner and customer with a live relationship,
 * kept by triggers on relationships and organisations. Every sortable column is NOT NULL and
 * indexed behind partner_org_id with the customer id as tie-breaker, so keyset paging reads only
 * the rows of one page at any depth (ADR 0007).
 */
export const partnerCustomers = pgTable(
  "partner_customers",
  {
    partnerOrgId: uuid("partner_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    customerOrgId: uuid("customer_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    sortName: text("sort_name").notNull(),
    primaryDomain: text("primary_domain").notNull(),
    country: text("country").notNull(),
    /** Live relationship types, sorted and comma-joined ("advisor,reseller"). */
    relationshipTypes: text("relationship_types").notNull(),
    isReseller: boolean("is_reseller").notNull(),
    isAdvisor: boolean("is_advisor").notNull(),
    isDap: boolean("is_dap").notNull(),
    isGdap: boolean("is_gdap").notNull(),
    agreementStatus: text("agreement_status", { enum: ["accepted", "pending"] }).notNull(),
    /** lower(name || ' ' || domain), for substring search. */
    searchText: text("search_text").notNull(),
    customerCreatedAt: tstz("customer_created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.partnerOrgId, t.customerOrgId] }),
    index("partner_customers_name_idx").on(t.partnerOrgId, t.sortName, t.customerOrgId),
    index("partner_customers_domain_idx").on(t.partnerOrgId, t.primaryDomain, t.customerOrgId),
    index("partner_customers_country_idx").on(t.partnerOrgId, t.country, t.customerOrgId),
    index("partner_customers_types_idx").on(t.partnerOrgId, t.relationshipTypes, t.customerOrgId),
    index("partner_customers_agreement_idx").on(t.partnerOrgId, t.agreementStatus, t.customerOrgId),
    index("partner_customers_created_idx").on(t.partnerOrgId, t.customerCreatedAt, t.customerOrgId),
    index("partner_customers_customer_idx").on(t.customerOrgId),
  ],
);
export type PartnerCustomer = typeof partnerCustomers.$inferSelect;

/** A saved selection for bulk work: the filter it came from and a snapshot of the ids. */
export const customerSelections = pgTable("customer_selections", {
  id: uuid("id").primaryKey().defaultRandom(),
  partnerOrgId: uuid("partner_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
  createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
  filter: jsonb("filter").$type<{ q: string | null; type: string | null; country: string | null; agreement: string | null }>().notNull(),
  allMatching: boolean("all_matching").notNull(),
  count: integer("count").notNull(),
  createdAt: createdAt(),
});

export const customerSelectionItems = pgTable(
  "customer_selection_items",
  {
    selectionId: uuid("selection_id").notNull().references(() => customerSelections.id, { onDelete: "cascade" }),
    partnerOrgId: uuid("partner_org_id").notNull(),
    customerOrgId: uuid("customer_org_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.selectionId, t.customerOrgId] })],
);

/** How many customers each partner has, kept by trigger: the unfiltered list's total in O(1). */
export const partnerCustomerCounts = pgTable("partner_customer_counts", {
  partnerOrgId: uuid("partner_org_id").primaryKey().references(() => organisations.id, { onDelete: "cascade" }),
  customers: integer("customers").notNull().default(0),
});

/** The product catalogue (seeded by migration): what partners offer and customers subscribe to. */
export const products = pgTable(
  "products",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    description: text("description").notNull(),
    /** Monthly price per licence, in cents of `currency`. */
    monthlyPriceCents: integer("monthly_price_cents").notNull(),
    currency: text("currency").notNull().default("EUR"),
    hasTrial: boolean("has_trial").notNull(),
    trialDays: integer("trial_days"),
    trialSeats: integer("trial_seats"),
    minLicences: integer("min_licences").notNull().default(1),
    maxLicences: integer("max_licences").notNull(),
    active: boolean("active").notNull().default(true),
  },
  () => [
    check("products_trial_fields", sql`(has_trial and trial_days between 1 and 365 and trial_seats >= 1) or (not has_trial and trial_days is null and trial_seats is null)`),
    check("products_licence_limits", sql`min_licences >= 1 and max_licences >= min_licences`),
    check("products_price", sql`monthly_price_cents >= 0`),
  ],
);
export type Product = typeof products.$inferSelect;

/**
 * Shared links: trial invitations, purchase offers and reseller invitations. The code (public,
 * signed; see app/modules/links/link-code.server.ts) identifies the partner and the link.
 */
export const links = pgTable(
  "links",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerOrgId: uuid("partner_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["trial", "offer", "reseller"] }).notNull(),
    /** The 128-bit random part of the code; unique across the installation. */
    linkId: text("link_id").notNull(),
    code: text("code").notNull(),
    offerDap: boolean("offer_dap").notNull().default(false),
    message: text("message"),
    expiresAt: tstz("expires_at"),
    revokedAt: tstz("revoked_at"),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("links_link_id_key").on(t.linkId),
    index("links_partner_idx").on(t.partnerOrgId, t.createdAt),
    check("links_message_length", sql`message is null or length(message) <= 2000`),
  ],
);

export const linkItems = pgTable(
  "link_items",
  {
    linkId: uuid("link_id").notNull().references(() => links.id, { onDelete: "cascade" }),
    partnerOrgId: uuid("partner_org_id").notNull(),
    productId: text("product_id").notNull().references(() => products.id),
    licences: integer("licences").notNull(),
  },
  (t) => [primaryKey({ columns: [t.linkId, t.productId] }), check("link_items_licences", sql`licences >= 1`)],
);
export type Link = typeof links.$inferSelect;


/**
 * A customer's subscriptions. The advisor is the partner of record (POR): it sees the
 * subscription and is told of changes. Trials carry their end date; scheduled work expires them.
 */
export const subscriptions = pgTable(
  "subscriptions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    customerOrgId: uuid("customer_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    productId: text("product_id").notNull().references(() => products.id),
    licences: integer("licences").notNull(),
    status: text("status", { enum: ["trial", "active", "expired", "cancelled"] }).notNull(),
    /** The partner of record, if any. */
    advisorPartnerOrgId: uuid("advisor_partner_org_id").references(() => organisations.id, { onDelete: "set null" }),
    /** The shared link it came from, for the partner's tracking. */
    sourceLinkId: uuid("source_link_id").references(() => links.id, { onDelete: "set null" }),
    startedAt: tstz("started_at").notNull().defaultNow(),
    /** Trials: when the trial ends. */
    endsAt: tstz("ends_at"),
    convertedAt: tstz("converted_at"),
    endedAt: tstz("ended_at"),
    createdAt: createdAt(),
  },
  (t) => [
    index("subscriptions_customer_idx").on(t.customerOrgId, t.createdAt),
    index("subscriptions_advisor_idx").on(t.advisorPartnerOrgId, t.createdAt),
    index("subscriptions_link_idx").on(t.sourceLinkId),
    index("subscriptions_trial_end_idx").on(t.endsAt).where(sql`status = 'trial'`),
    check("subscriptions_licences", sql`licences >= 1`),
    check("subscriptions_trial_end", sql`status <> 'trial' or ends_at is not null`),
  ],
);
export type Subscription = typeof subscriptions.$inferSelect;

/**
 * Read model: one row per subscription and partner that may see it (its partner of record, and
 * each active reseller of the customer), kept by triggers on subscriptions and relationships, so
 * the partner's subscriptions page reads its own rows in index order instead of testing the
 * visibility rule against every subscription in the system. Partner-readable under RLS.
 */
export const partnerSubscriptions = pgTable(
  "partner_subscriptions",
  {
    partnerOrgId: uuid("partner_org_id").notNull(),
    subscriptionId: uuid("subscription_id").notNull(),
    customerOrgId: uuid("customer_org_id").notNull(),
    productId: text("product_id").notNull(),
    licences: integer("licences").notNull(),
    status: text("status", { enum: ["trial", "active", "expired", "cancelled"] }).notNull(),
    isPartnerOfRecord: boolean("is_partner_of_record").notNull(),
    isReseller: boolean("is_reseller").notNull(),
    startedAt: tstz("started_at").notNull(),
    endsAt: tstz("ends_at"),
    createdAt: tstz("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.partnerOrgId, t.subscriptionId] }),
    index("partner_subscriptions_created_idx").on(t.partnerOrgId, t.createdAt, t.subscriptionId),
    index("partner_subscriptions_status_idx").on(t.partnerOrgId, t.status, t.createdAt, t.subscriptionId),
    index("partner_subscriptions_customer_idx").on(t.partnerOrgId, t.customerOrgId),
    // Trials ending soon (the list's filter and the overview's count, issue 30).
    index("partner_subscriptions_trial_ends_idx").on(t.partnerOrgId, t.endsAt).where(sql`status = 'trial'`),
  ],
);

/**
 * The partner's subscription totals by status and product (ADR 0013): compacted sums, plus the
 * changes not yet folded in. Every refresh of partner_subscriptions appends its difference to
 * partner_subscription_total_changes (insert-only: concurrent purchases never wait on a shared
 * row); scheduled work folds the changes into partner_subscription_totals every minute. A
 * partner's totals are the sum of both, read from a few dozen rows whatever its size.
 */
export const partnerSubscriptionTotals = pgTable(
  "partner_subscription_totals",
  {
    partnerOrgId: uuid("partner_org_id").notNull(),
    status: text("status").notNull(),
    productId: text("product_id").notNull(),
    subscriptions: bigint("subscriptions", { mode: "number" }).notNull(),
    licences: bigint("licences", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.partnerOrgId, t.status, t.productId] })],
);

export const partnerSubscriptionTotalChanges = pgTable(
  "partner_subscription_total_changes",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    partnerOrgId: uuid("partner_org_id").notNull(),
    status: text("status").notNull(),
    productId: text("product_id").notNull(),
    subscriptions: integer("subscriptions").notNull(),
    licences: integer("licences").notNull(),
  },
  (t) => [index("partner_subscription_total_changes_partner_idx").on(t.partnerOrgId, t.status, t.productId)],
);

/**
 * One row per customer that redeemed a link: a customer redeems a link once (a reload or a double
 * submit finds this row instead of creating anything again). The submission key of a sign-up
 * form makes its replay find the tenant it created.
 */
export const linkRedemptions = pgTable(
  "link_redemptions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    linkId: uuid("link_id").notNull().references(() => links.id, { onDelete: "cascade" }),
    partnerOrgId: uuid("partner_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    customerOrgId: uuid("customer_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    redeemedByUserId: uuid("redeemed_by_user_id").references(() => users.id, { onDelete: "set null" }),
    submissionKey: text("submission_key"),
    signedUp: boolean("signed_up").notNull().default(false),
    dapAuthorised: boolean("dap_authorised").notNull().default(false),
    dapRequested: boolean("dap_requested").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("link_redemptions_link_customer_key").on(t.linkId, t.customerOrgId),
    uniqueIndex("link_redemptions_submission_key").on(t.submissionKey),
    index("link_redemptions_partner_idx").on(t.partnerOrgId, t.linkId, t.createdAt),
    index("link_redemptions_customer_idx").on(t.customerOrgId),
  ],
);
export type LinkRedemption = typeof linkRedemptions.$inferSelect;

/**
 * Who has been counted among a link's visitors on a UTC day: a keyed hash of the day, the link, the
 * IP and the User-Agent (no address or agent in clear), so a visitor counts once a day (ADR 0029).
 * System context only; rows older than yesterday are swept.
 */
export const linkVisitors = pgTable(
  "link_visitors",
  {
    linkId: uuid("link_id").notNull().references(() => links.id, { onDelete: "cascade" }),
    day: text("day").notNull(),
    visitorHash: text("visitor_hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.linkId, t.day, t.visitorHash] }), index("link_visitors_day_idx").on(t.day)],
);

/**
 * An organisation's use of a rate-limited action in its current window (e.g. link mails per hour),
 * written only through pd_take_org_quota (ADR 0029).
 */
export const orgRateLimits = pgTable(
  "org_rate_limits",
  {
    orgId: uuid("org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    kind: text("kind").notNull(),
    used: integer("used").notNull().default(0),
    windowStartedAt: tstz("window_started_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.kind] })],
);

/** Visits of a link's public page, counted per day (once per visitor: link_visitors). */
export const linkVisits = pgTable(
  "link_visits",
  {
    linkId: uuid("link_id").notNull().references(() => links.id, { onDelete: "cascade" }),
    partnerOrgId: uuid("partner_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    day: text("day").notNull(),
    visits: integer("visits").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.linkId, t.day] })],
);

/**
 * Granular delegated admin (GDAP) relationships: least-privilege, time-limited admin roles a
 * partner holds in a customer tenant. `customer_org_id` is null for an open request until a
 * customer's global admin approves it. Statuses as in the real systems; "expiring" is derived
 * (active with 30 days or less left). The relationships table keeps one summarising 'gdap' row
 * per partner and customer for the customer lists.
 */
export const adminRelationships = pgTable(
  "admin_relationships",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerOrgId: uuid("partner_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    customerOrgId: uuid("customer_org_id").references(() => organisations.id, { onDelete: "cascade" }),
    displayName: text("display_name").notNull(),
    durationDays: integer("duration_days").notNull(),
    autoExtendDays: integer("auto_extend_days").notNull().default(0),
    /** Template ids from the admin role catalogue (app/modules/delegated-admin/admin-roles.ts). */
    roles: text("roles").array().notNull(),
    status: text("status", { enum: ["created", "approval_pending", "active", "expired", "termination_requested", "terminated"] }).notNull(),
    /**
     * The random code in the approval link. Like a shared link's code it identifies and grants
     * nothing: only a customer's signed-in global admin approves (ADR 0010).
     */
    approvalCode: text("approval_code").notNull(),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    /** An unapproved request expires then (90 days). */
    requestExpiresAt: tstz("request_expires_at").notNull(),
    approvedAt: tstz("approved_at"),
    approvedByUserId: uuid("approved_by_user_id").references(() => users.id, { onDelete: "set null" }),
    endsAt: tstz("ends_at"),
    endedAt: tstz("ended_at"),
    /** declined, removed by the customer, terminated by the partner, expired, request expired. */
    endReason: text("end_reason"),
    /** How many staff groups hold roles in it: kept by a trigger on gdap_assignments (the overview's "no staff group" count, issue 30). */
    groupCount: integer("group_count").notNull().default(0),
  },
  (t) => [
    uniqueIndex("admin_relationships_partner_name_key").on(t.partnerOrgId, sql`lower(${t.displayName})`),
    uniqueIndex("admin_relationships_approval_code_key").on(t.approvalCode),
    index("admin_relationships_partner_idx").on(t.partnerOrgId, t.status, t.createdAt),
    // The partner's list, newest first, keyset-paged on (created_at, id).
    index("admin_relationships_partner_created_idx").on(t.partnerOrgId, t.createdAt, t.id),
    index("admin_relationships_customer_idx").on(t.customerOrgId, t.status),
    index("admin_relationships_ends_idx").on(t.endsAt).where(sql`status = 'active'`),
    // The overview's counts and the list's filters (issue 30): active ones by end date, and active ones no staff group holds.
    index("admin_relationships_partner_ends_idx").on(t.partnerOrgId, t.endsAt).where(sql`status = 'active'`),
    index("admin_relationships_partner_unassigned_idx").on(t.partnerOrgId, t.createdAt, t.id).where(sql`status = 'active' and group_count = 0`),
    check("admin_relationships_name", sql`length(display_name) between 1 and 50`),
    check("admin_relationships_duration", sql`duration_days between 1 and 730`),
    check("admin_relationships_auto_extend", sql`auto_extend_days in (0, 180)`),
    check("admin_relationships_roles", sql`cardinality(roles) > 0`),
  ],
);
export type AdminRelationship = typeof adminRelationships.$inferSelect;

/** The partner's staff groups (managed by its global admins); GDAP roles are assigned to groups. */
export const staffGroups = pgTable(
  "staff_groups",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerOrgId: uuid("partner_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("staff_groups_partner_name_key").on(t.partnerOrgId, sql`lower(${t.name})`), check("staff_groups_name", sql`length(name) between 1 and 80`)],
);

export const staffGroupMembers = pgTable(
  "staff_group_members",
  {
    groupId: uuid("group_id").notNull().references(() => staffGroups.id, { onDelete: "cascade" }),
    partnerOrgId: uuid("partner_org_id").notNull(),
    userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.userId] }), index("staff_group_members_user_idx").on(t.partnerOrgId, t.userId)],
);

/** On an active GDAP relationship, the partner gives a staff group a subset of its roles. */
export const gdapAssignments = pgTable(
  "gdap_assignments",
  {
    adminRelationshipId: uuid("admin_relationship_id").notNull().references(() => adminRelationships.id, { onDelete: "cascade" }),
    groupId: uuid("group_id").notNull().references(() => staffGroups.id, { onDelete: "cascade" }),
    partnerOrgId: uuid("partner_org_id").notNull(),
    roles: text("roles").array().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.adminRelationshipId, t.groupId] }), index("gdap_assignments_group_idx").on(t.groupId), check("gdap_assignments_roles", sql`cardinality(roles) > 0`)],
);

/** Which user holds a licence of which subscription (never more than the subscription's count). */
export const licenceAssignments = pgTable(
  "licence_assignments",
  {
    subscriptionId: uuid("subscription_id").notNull().references(() => subscriptions.id, { onDelete: "cascade" }),
    customerOrgId: uuid("customer_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    assignedAt: tstz("assigned_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.subscriptionId, t.userId] }), index("licence_assignments_customer_idx").on(t.customerOrgId, t.userId)],
);

/** Service requests of a customer organisation, opened by its admins or by partner staff acting in it. */
export const serviceRequests = pgTable(
  "service_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    customerOrgId: uuid("customer_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    description: text("description").notNull(),
    status: text("status", { enum: ["open", "closed"] }).notNull().default("open"),
    openedByUserId: uuid("opened_by_user_id"),
    openedByName: text("opened_by_name"),
    openedByOrgId: uuid("opened_by_org_id"),
    createdAt: createdAt(),
    closedAt: tstz("closed_at"),
  },
  (t) => [index("service_requests_customer_idx").on(t.customerOrgId, t.status, t.createdAt), check("service_requests_lengths", sql`length(title) between 1 and 200 and length(description) <= 5000`)],
);

export const serviceRequestComments = pgTable(
  "service_request_comments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    requestId: uuid("request_id").notNull().references(() => serviceRequests.id, { onDelete: "cascade" }),
    customerOrgId: uuid("customer_org_id").notNull(),
    authorUserId: uuid("author_user_id"),
    authorName: text("author_name"),
    authorOrgId: uuid("author_org_id"),
    body: text("body").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("service_request_comments_request_idx").on(t.customerOrgId, t.requestId, t.createdAt), check("service_request_comments_body", sql`length(body) between 1 and 5000`)],
);

/** Background work on many customers at once (a bulk GDAP request): progress and per-customer results. */
export const bulkOperations = pgTable(
  "bulk_operations",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerOrgId: uuid("partner_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["gdap"] }).notNull(),
    template: jsonb("template").$type<Record<string, unknown>>().notNull(),
    total: integer("total").notNull(),
    succeeded: integer("succeeded").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    status: text("status", { enum: ["running", "finished"] }).notNull().default("running"),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    finishedAt: tstz("finished_at"),
  },
  (t) => [index("bulk_operations_partner_idx").on(t.partnerOrgId, t.createdAt)],
);

export const bulkOperationItems = pgTable(
  "bulk_operation_items",
  {
    operationId: uuid("operation_id").notNull().references(() => bulkOperations.id, { onDelete: "cascade" }),
    partnerOrgId: uuid("partner_org_id").notNull(),
    customerOrgId: uuid("customer_org_id").notNull(),
    status: text("status", { enum: ["pending", "succeeded", "failed"] }).notNull().default("pending"),
    message: text("message"),
    resultId: uuid("result_id"),
    doneAt: tstz("done_at"),
  },
  (t) => [primaryKey({ columns: [t.operationId, t.customerOrgId] }), index("bulk_operation_items_status_idx").on(t.operationId, t.status)],
);

/**
 * A partner's inventory of product keys (ADR 0011). The key itself is never stored: only a keyed
 * hash (HMAC-SHA-256 with PRODUCT_KEY_PEPPER) to find it again when typed, and its last group of
 * five for display, so a leaked table reveals no usable key. A key is registered once: the
 * update that marks it used is the lock that makes concurrent registrations wait and then fail.
 */
export const productKeys = pgTable(
  "product_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerOrgId: uuid("partner_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    keyHash: text("key_hash").notNull(),
    lastGroup: text("last_group").notNull(),
    productId: text("product_id").notNull().references(() => products.id),
    licences: integer("licences").notNull(),
    status: text("status", { enum: ["available", "used"] }).notNull().default("available"),
    importId: uuid("import_id"),
    importedByUserId: uuid("imported_by_user_id").references(() => users.id, { onDelete: "set null" }),
    importedAt: tstz("imported_at").notNull().defaultNow(),
    usedAt: tstz("used_at"),
    usedByUserId: uuid("used_by_user_id").references(() => users.id, { onDelete: "set null" }),
    customerOrgId: uuid("customer_org_id").references(() => organisations.id, { onDelete: "set null" }),
    subscriptionId: uuid("subscription_id").references(() => subscriptions.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("product_keys_key_hash_key").on(t.keyHash),
    index("product_keys_partner_idx").on(t.partnerOrgId, t.importedAt, t.id),
    index("product_keys_partner_status_idx").on(t.partnerOrgId, t.status, t.importedAt),
    check("product_keys_licences", sql`licences >= 1`),
    check("product_keys_last_group", sql`last_group ~ '^[A-Z0-9]{5}$'`),
    check("product_keys_used", sql`(status = 'available' and used_at is null) or (status = 'used' and used_at is not null)`),
  ],
);
export type ProductKey = typeof productKeys.$inferSelect;

/** One CSV import into a partner's key inventory, with its per-row report. */
export const productKeyImports = pgTable(
  "product_key_imports",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerOrgId: uuid("partner_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    fileName: text("file_name"),
    accepted: integer("accepted").notNull(),
    refused: integer("refused").notNull(),
    /** One entry per data row: its line, the key's last group (never the key), and the outcome. */
    report: jsonb("report").$type<{ line: number; lastGroup: string | null; productId: string | null; licences: number | null; accepted: boolean; message: string }[]>().notNull(),
    createdByUserId: uuid("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [index("product_key_imports_partner_idx").on(t.partnerOrgId, t.createdAt)],
);

/** PostgreSQL's tsvector (full-text documents); kept by trigger, read only in SQL. */
const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

/**
 * A partner's listing in the public directory (ADR 0012). Only listed ones are found; the public
 * reads them only through SECURITY DEFINER functions that apply `listed` themselves. Name, Partner
 * ID and the search document are kept by trigger (from the listing and the organisation).
 */
export const partnerListings = pgTable(
  "partner_listings",
  {
    partnerOrgId: uuid("partner_org_id").primaryKey().references(() => organisations.id, { onDelete: "cascade" }),
    listed: boolean("listed").notNull().default(false),
    description: text("description").notNull().default(""),
    countries: text("countries").array().notNull().default(sql`'{}'::text[]`),
    cities: text("cities").array().notNull().default(sql`'{}'::text[]`),
    sizes: text("sizes").array().notNull().default(sql`'{}'::text[]`),
    keywords: text("keywords").array().notNull().default(sql`'{}'::text[]`),
    languages: text("languages").array().notNull().default(sql`'{}'::text[]`),
    name: text("name").notNull().default(""),
    sortName: text("sort_name").notNull().default(""),
    partnerNumber: integer("partner_number"),
    searchVector: tsvector("search_vector").notNull().default(sql`''::tsvector`),
    /** Name and keywords only: a match here ranks above a match in the description alone. */
    keywordVector: tsvector("keyword_vector").notNull().default(sql`''::tsvector`),
    listedAt: tstz("listed_at"),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("partner_listings_search_idx").using("gin", t.searchVector).where(sql`listed`),
    index("partner_listings_keyword_idx").using("gin", t.keywordVector).where(sql`listed`),
    index("partner_listings_name_idx").on(t.sortName, t.partnerOrgId).where(sql`listed`),
    check("partner_listings_description", sql`length(description) <= 2000`),
    check("partner_listings_sizes", sql`sizes <@ array['1-9', '10-49', '50-249', '250-999', '1000+']::text[]`),
    check("partner_listings_array_sizes", sql`cardinality(countries) <= 60 and cardinality(cities) <= 50 and cardinality(keywords) <= 30 and cardinality(languages) <= 30`),
  ],
);

/** One submission of the public contact form: the state behind its rate limits (per IP, per email). */
export const contactRequests = pgTable(
  "contact_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ip: text("ip").notNull(),
    email: text("email").notNull(),
    partners: integer("partners").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("contact_requests_ip_idx").on(t.ip, t.createdAt), index("contact_requests_email_idx").on(t.email, t.createdAt), index("contact_requests_created_idx").on(t.createdAt)],
);

/**
 * A lead: one visitor's request to one partner, from the directory's contact form. The partner
 * works it (status, assignment, notes) and answers with a shared link; the customer that redeems
 * the link through the lead's token is linked to it, and the lead is won.
 */
export const leads = pgTable(
  "leads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    partnerOrgId: uuid("partner_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    contactRequestId: uuid("contact_request_id").references(() => contactRequests.id, { onDelete: "set null" }),
    name: text("name").notNull(),
    email: text("email").notNull(),
    organisation: text("organisation").notNull(),
    size: text("size").notNull(),
    country: text("country").notNull(),
    needs: text("needs").notNull(),
    status: text("status", { enum: ["new", "contacted", "won", "lost"] }).notNull().default("new"),
    statusChangedAt: tstz("status_changed_at").notNull().defaultNow(),
    assignedUserId: uuid("assigned_user_id").references(() => users.id, { onDelete: "set null" }),
    /** The link the partner answered with, and the token its emailed URL carries. */
    answeredLinkId: uuid("answered_link_id").references(() => links.id, { onDelete: "set null" }),
    answeredAt: tstz("answered_at"),
    answerToken: text("answer_token"),
    customerOrgId: uuid("customer_org_id").references(() => organisations.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    index("leads_partner_idx").on(t.partnerOrgId, t.createdAt, t.id),
    index("leads_partner_status_idx").on(t.partnerOrgId, t.status, t.createdAt),
    index("leads_lost_idx").on(t.statusChangedAt).where(sql`status = 'lost'`),
    // The daily purge of old contact requests sets this to null on their leads, one lookup each.
    index("leads_contact_request_idx").on(t.contactRequestId).where(sql`contact_request_id is not null`),
    uniqueIndex("leads_answer_token_key").on(t.answerToken),
    check("leads_lengths", sql`length(name) <= 200 and length(email) <= 254 and length(organisation) <= 200 and length(needs) <= 4000`),
  ],
);

export const leadNotes = pgTable(
  "lead_notes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    leadId: uuid("lead_id").notNull().references(() => leads.id, { onDelete: "cascade" }),
    partnerOrgId: uuid("partner_org_id").notNull(),
    authorUserId: uuid("author_user_id").references(() => users.id, { onDelete: "set null" }),
    authorName: text("author_name"),
    body: text("body").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("lead_notes_lead_idx").on(t.leadId, t.createdAt), check("lead_notes_body", sql`length(body) between 1 and 4000`)],
);

/**
 * Line-of-business (LOB) apps (issue 30; app/modules/customer-tenant/lob-apps.server.ts): a partner
 * with an active 'lob' relationship submits an app to the customer's private app list; the
 * customer's global admins approve or withdraw it. One row per customer, partner, name and version
 * (names and versions compare without case); a changed app is a new version. The partner's name is
 * kept with the row so the customer still sees who submitted it after the relationship ends.
 */
export const lobApps = pgTable(
  "lob_apps",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    customerOrgId: uuid("customer_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    partnerOrgId: uuid("partner_org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
    partnerName: text("partner_name").notNull(),
    name: text("name").notNull(),
    version: text("version").notNull(),
    description: text("description").notNull(),
    downloadUrl: text("download_url").notNull(),
    /** submitted (waits for review), approved (on the list of available apps), withdrawn (by the customer, or by its partner before approval). */
    status: text("status", { enum: ["submitted", "approved", "withdrawn"] }).notNull().default("submitted"),
    submittedByUserId: uuid("submitted_by_user_id"),
    submittedByName: text("submitted_by_name"),
    createdAt: createdAt(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
    reviewedAt: tstz("reviewed_at"),
    reviewedByUserId: uuid("reviewed_by_user_id"),
    reviewedByName: text("reviewed_by_name"),
    /** Who took the last step: the customer, or the partner (withdrawing its own submission). */
    reviewedByOrgId: uuid("reviewed_by_org_id"),
    reason: text("reason"),
  },
  (t) => [
    uniqueIndex("lob_apps_customer_partner_name_version_key").on(t.customerOrgId, t.partnerOrgId, sql`lower(${t.name})`, sql`lower(${t.version})`),
    // The customer's list, newest first, keyset-paged on (created_at, id).
    index("lob_apps_customer_created_idx").on(t.customerOrgId, t.createdAt, t.id),
    index("lob_apps_partner_idx").on(t.partnerOrgId, t.customerOrgId, t.createdAt),
    check(
      "lob_apps_lengths",
      sql`length(name) between 1 and 100 and length(version) between 1 and 40 and length(description) between 1 and 2000 and length(download_url) <= 2000 and length(partner_name) <= 200 and (reason is null or length(reason) <= 500)`,
    ),
    check("lob_apps_https", sql`download_url like 'https://%'`),
    check("lob_apps_two_sides", sql`customer_org_id <> partner_org_id`),
  ],
);
export type LobApp = typeof lobApps.$inferSelect;
