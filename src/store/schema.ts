// The tables of the whole platform, as Kysely sees them. Times are integers:
// milliseconds since the Unix epoch, UTC, the same on SQLite and PostgreSQL,
// so that comparisons (leases, schedules) never depend on a backend's clock types.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Milliseconds since the epoch, UTC. */
export type Millis = number;

type Id = Generated<number>;

// The statuses are the workflow's (edition/workflow.ts); the column holds them.
import type { EditionStatus } from '../edition/workflow.ts';
export { EDITION_STATUSES, type EditionStatus } from '../edition/workflow.ts';

export const SUBSCRIPTION_STATUSES = ['pending', 'active', 'unsubscribed'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export const SUPPRESSION_REASONS = ['hard-bounce', 'complaint', 'unsubscribe', 'erasure', 'manual'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export const SEND_KINDS = ['list', 'test', 'resend'] as const;
export type SendKind = (typeof SEND_KINDS)[number];

export const SEND_STATUSES = ['scheduled', 'running', 'paused', 'done', 'cancelled', 'missed'] as const;
export type SendStatus = (typeof SEND_STATUSES)[number];

/** States of one recipient in the delivery ledger; see src/delivery/README.md. */
export const RECIPIENT_STATES = ['pending', 'sending', 'sent', 'bounced', 'failed', 'suppressed'] as const;
export type RecipientState = (typeof RECIPIENT_STATES)[number];

export const ROLE_NAMES = ['author', 'editor', 'admin'] as const;

export interface PublicationsTable {
  id: Id;
  slug: string;
  name: string;
  language: string;
  timezone: string;
  schedule: string;
  /** The whole Publication settings object, as JSON. */
  settings: string;
  created_at: Millis;
  updated_at: Millis;
}

export interface PeopleTable {
  id: Id;
  name: string;
  email: string;
  /** ASCII-armoured OpenPGP public key, for tips. */
  pgp_key: string | null;
  created_at: Millis;
}

export interface MembershipsTable {
  person_id: number;
  publication_id: number;
  role: string;
}

export interface UsersTable {
  id: Id;
  person_id: number;
  /** scrypt hash with its parameters and salt. */
  password_hash: string;
  created_at: Millis;
  disabled_at: Millis | null;
}

export interface SessionsTable {
  /** SHA-256 of the session token; the token itself is never stored. */
  id: string;
  user_id: number;
  created_at: Millis;
  expires_at: Millis;
}

export interface EditionsTable {
  id: Id;
  publication_id: number;
  /** `YYYY-MM-DD` in the publication's time zone. */
  date: string;
  status: ColumnType<EditionStatus, EditionStatus | undefined, EditionStatus>;
  current_version: number;
  subject: string | null;
  created_at: Millis;
  updated_at: Millis;
}

export interface EditionVersionsTable {
  id: Id;
  edition_id: number;
  /** 1, 2, 3… per edition. */
  number: number;
  source: string;
  /** Who saved it (a person's name or a user's email, as known at save time). */
  author: string;
  created_at: Millis;
}

export interface EditionTransitionsTable {
  id: Id;
  edition_id: number;
  from_status: EditionStatus;
  to_status: EditionStatus;
  actor: string;
  at: Millis;
  /** The edition's version when it moved (null for moves recorded before migration 0006). */
  version: ColumnType<number | null, number | null | undefined, number | null>;
}

/** Unsaved texts (unsaved-texts.ts): one person's autosaved text of an edition, not a version (migration 0006 named the table). */
export interface EditionDraftsTable {
  edition_id: number;
  /** The person's address, as the save would record it. */
  author: string;
  /** The version the person's editor was showing when they started typing. */
  base_version: number;
  source: string;
  saved_at: Millis;
}

export interface SubscribersTable {
  id: Id;
  /** Normalised address (domain lower-cased, IDN in ASCII); null once erased. */
  email: string | null;
  /** Keyed hash of the normalised address: finds the subscriber and suppressions without the address. */
  email_hash: string;
  name: string | null;
  created_at: Millis;
  updated_at: Millis;
  erased_at: Millis | null;
}

export interface SubscriptionsTable {
  id: Id;
  subscriber_id: number;
  publication_id: number;
  status: SubscriptionStatus;
  /** How it came: form, import, admin… */
  source: string;
  created_at: Millis;
  confirmed_at: Millis | null;
  unsubscribed_at: Millis | null;
  updated_at: Millis;
}

export interface ConsentLogTable {
  id: Id;
  subscriber_id: number | null;
  publication_id: number | null;
  /** subscribe, confirm, unsubscribe, resubscribe, preferences, erase… */
  action: string;
  /** form, import, link, one-click, complaint, bounce, admin… */
  method: string;
  /** Version of the consent wording the person saw. */
  wording_version: string | null;
  /** Keyed hash of the IP address, never the address itself. */
  ip_hash: string | null;
  details: string | null;
  at: Millis;
}

export interface SuppressionsTable {
  id: Id;
  publication_id: number;
  /** Keyed hash of the normalised address; the address itself is not kept here. */
  email_hash: string;
  reason: SuppressionReason;
  created_at: Millis;
}

export interface SendsTable {
  id: Id;
  edition_id: number;
  publication_id: number;
  kind: SendKind;
  status: SendStatus;
  /** For a resend, the send whose failed rows it retries. */
  parent_send_id: number | null;
  scheduled_for: Millis;
  started_at: Millis | null;
  finished_at: Millis | null;
  /** Why the send is paused or missed, for the newsroom. */
  status_reason: string | null;
  created_by: string;
  created_at: Millis;
}

export interface RecipientsTable {
  id: Id;
  send_id: number;
  subscriber_id: number | null;
  email: string;
  state: ColumnType<RecipientState, RecipientState | undefined, RecipientState>;
  attempts: ColumnType<number, number | undefined, number>;
  lease_owner: string | null;
  lease_expires_at: Millis | null;
  next_attempt_at: Millis;
  message_id: string | null;
  relay_code: number | null;
  relay_response: string | null;
  updated_at: Millis;
}

/** The pre-encoded message of a send (migration 0003-delivery): JSON of delivery's MessageTemplate, written once when the send starts. */
export interface SendMessagesTable {
  send_id: number;
  template: string;
  created_at: Millis;
}

/** What one part of a tip's thread is: the source's first message, a file, a later message, the newsroom's reply. */
export const TIP_PART_KINDS = ['message', 'attachment', 'follow-up', 'reply'] as const;
export type TipPartKind = (typeof TIP_PART_KINDS)[number];

/** A tip: no address, no user agent, no time of day; see migration 0008. */
export interface TipsTable {
  id: Id;
  publication_id: number;
  /** `YYYY-MM-DD` (UTC) the tip arrived: the day only. */
  day: string;
  /** Keyed hash of the receipt code. */
  thread_hash: string;
  /** Salt of the KDF that turns the receipt code into the reply key's passphrase (base64url). */
  reply_salt: string;
  /** Armoured OpenPGP public key the newsroom's replies are encrypted to. */
  reply_public_key: string;
  /** Its private key, armoured, locked with the passphrase only the receipt code gives. */
  reply_private_key: string;
}

export interface TipPartsTable {
  id: Id;
  tip_id: number;
  kind: TipPartKind;
  day: string;
  /** Armoured OpenPGP message; the server never holds the plain text. */
  ciphertext: string;
  /** Bytes of the ciphertext. */
  size: number;
}

/** How a word joined a publication's learned word list. */
export const LEARNED_WORD_SOURCES = ['approvals', 'editor'] as const;
export type LearnedWordSource = (typeof LEARNED_WORD_SOURCES)[number];

/** A word a publication accepts besides the dictionary (migration 0011). */
export interface LearnedWordsTable {
  id: Id;
  publication_id: number;
  /** As first written (« Apig »). */
  word: string;
  /** edition/learned-words.ts learnedWordKey: lower case, one apostrophe. */
  word_key: string;
  source: LearnedWordSource;
  /** Who approved the edition that taught it, or who accepted it in the editor. */
  added_by: string;
  added_at: Millis;
}

/** An unknown word met in one approved edition (migration 0011). */
export interface WordSightingsTable {
  publication_id: number;
  word_key: string;
  word: string;
  edition_id: number;
  seen_at: Millis;
}

export interface AuditLogTable {
  id: Id;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string | null;
  details: string | null;
  at: Millis;
}

/**
 * The archive's search index (migration 0007): one row per indexed edition.
 * SQLite: an FTS5 table (rowid = edition id). PostgreSQL: a table that also
 * holds `config` (the text search configuration) and `document` (tsvector),
 * written with raw SQL in edition-search.ts only.
 */
export interface EditionSearchTable {
  edition_id: number;
  publication_id: number;
  version: number;
  subject: string;
  body: string;
}

export interface Database {
  publications: PublicationsTable;
  people: PeopleTable;
  memberships: MembershipsTable;
  users: UsersTable;
  sessions: SessionsTable;
  editions: EditionsTable;
  edition_versions: EditionVersionsTable;
  edition_transitions: EditionTransitionsTable;
  edition_drafts: EditionDraftsTable;
  subscribers: SubscribersTable;
  subscriptions: SubscriptionsTable;
  consent_log: ConsentLogTable;
  suppressions: SuppressionsTable;
  sends: SendsTable;
  recipients: RecipientsTable;
  send_messages: SendMessagesTable;
  tips: TipsTable;
  tip_parts: TipPartsTable;
  audit_log: AuditLogTable;
  edition_search: EditionSearchTable;
  learned_words: LearnedWordsTable;
  word_sightings: WordSightingsTable;
}

export type PublicationRow = Selectable<PublicationsTable>;
export type EditionRow = Selectable<EditionsTable>;
export type EditionVersionRow = Selectable<EditionVersionsTable>;
export type SubscriberRow = Selectable<SubscribersTable>;
export type SubscriptionRow = Selectable<SubscriptionsTable>;
export type SendRow = Selectable<SendsTable>;
export type NewSend = Insertable<SendsTable>;
export type RecipientRow = Selectable<RecipientsTable>;
export type NewRecipient = Insertable<RecipientsTable>;
export type RecipientUpdate = Updateable<RecipientsTable>;
