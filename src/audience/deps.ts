// What the audience's services need, injected: the store, the keys derived
// from the secret, a mailer, a clock, the public URL and the policy (delays).
import type { Config } from '../config.ts';
import type { Store } from '../store/db.ts';
import { systemClock, type Clock } from '../clock.ts';
import { publicRule, type PublicRule } from '../web/public-statuses.ts';
import { AudienceKeys } from './keys.ts';
import { mailerFor, type Mailer } from './mailer.ts';

const DAY = 24 * 60 * 60 * 1000;

/** Delays of the audience, injected rather than hard-wired so that tests and newsrooms can set them. */
export interface AudiencePolicy {
  /** How long a confirmation link works. */
  confirmMaxAgeMs: number;
  /** After how long a pending subscription never confirmed is deleted (longer than the link lives). */
  purgeUnconfirmedAfterMs: number;
}

export const DEFAULT_POLICY: AudiencePolicy = { confirmMaxAgeMs: 7 * DAY, purgeUnconfirmedAfterMs: 14 * DAY };

export interface AudienceDeps {
  store: Store;
  keys: AudienceKeys;
  mailer: Mailer;
  clock: Clock;
  /** PUBLIC_URL, the base of every link. */
  publicUrl: string;
  policy: AudiencePolicy;
  /**
   * Which editions the public site shows (web/public-statuses.ts), so that the
   * welcome mail links an edition its reader can open; sent or sending ones only when unset.
   */
  publicRule?: PublicRule;
}

export interface AudienceDepsOptions {
  clock?: Clock;
  mailer?: Mailer;
  policy?: Partial<AudiencePolicy>;
}

/** The audience's dependencies from the configuration, with optional replacements. */
export function audienceDeps(config: Config, store: Store, options: AudienceDepsOptions = {}): AudienceDeps {
  const clock = options.clock ?? systemClock;
  return {
    store,
    keys: new AudienceKeys(config.secret),
    mailer: options.mailer ?? mailerFor(config),
    clock,
    publicUrl: config.publicUrl,
    policy: { ...DEFAULT_POLICY, ...options.policy },
    publicRule: publicRule(config, clock),
  };
}
