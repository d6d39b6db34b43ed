/**
 * The Snowflake things the action holds, as plain shapes: a user's two key slots, a grant as SHOW GRANTS lists
 * it, a secret's qualified name. Below the modules that read them (users.ts, account-reader.ts, secrets.ts) and
 * the one that writes statements about them (statements.ts), so those need not import each other.
 */
export const SLOTS = ['RSA_PUBLIC_KEY', 'RSA_PUBLIC_KEY_2'] as const;
export type SlotName = (typeof SLOTS)[number];

export interface KeySlot {
  slot: SlotName;
  /** Base64 DER SPKI as DESC USER shows it; undefined when the slot is empty. */
  publicKeyBody?: string;
  fingerprint?: string;
  /** When the slot was last set; undefined when Snowflake does not say. */
  lastSetAt?: Date;
}

/** One row of SHOW GRANTS TO ROLE, with what a spec grant would be keyed by. */
export interface LiveGrant {
  privilege: string;
  /** Object type as GRANT writes it (`DATABASE ROLE`, not `DATABASE_ROLE`). */
  on: string;
  /** Resolved, dot-joined name; '' for the account. */
  name: string;
  /** The name as SHOW GRANTS printed it (parts quoted when needed), for SQL. */
  shownName: string;
}

export interface SnowflakeSecretName {
  database: string;
  schema: string;
  name: string;
}
