// What the audience's services need, injected: the store, the keys derived
// from the secret, a mailer, a clock, the public URL and the policy (delays).
import type { AudienceSettings, Config } from '../config.ts';
import type { Store } from '../store/db.ts';
import { systemClock, type Clock } from '../clock.ts';
import { publicRule, type PublicRule } from '../edition/published.ts';
import { AudienceKeys } from './keys.ts';
import { NO_MAILER, type Mailer } from './mailer.ts';

const DAY = 24 * 60 * 60 * 1000;

/** Delays of the audience, injected rather than hard-wired so that tests and newsrooms can set them. */
export interface AudiencePolicy {
  /** How long a confirmation link works. */
  confirmMaxAgeMs: number;
  /** After how long a pending subscription never confirmed is deleted (longer than the link lives). */
  purgeUnconfirmedAfterMs: number;
  /**
   * How long a preferences link works. Every mail carries a fresh one, so only
   * an old mail's link runs out; its page offers to mail a new link.
   */
  preferencesMaxAgeMs: number;
}

export const DEFAULT_POLICY: AudiencePolicy = { confirmMaxAgeMs: 7 * DAY, purgeUnconfirmedAfterMs: 14 * DAY, preferencesMaxAgeMs: 90 * DAY };

/**
 * The audience policy in force: what code passes (tests) over what the
 * operator set (config.audience: CONFIRM_LINK_MAX_AGE, PURGE_UNCONFIRMED_AFTER,
 * PREFERENCES_LINK_MAX_AGE)
 * over DEFAULT_POLICY. Refused when the purge would come before the link
 * expires: a valid click would then find its subscription gone. The
 * configuration can only check this when both are set; here the defaults are known.
 */
export function audiencePolicyOf(settings: AudienceSettings | undefined, override: Partial<AudiencePolicy> = {}): AudiencePolicy {
  const policy: AudiencePolicy = {
    confirmMaxAgeMs: override.confirmMaxAgeMs ?? settings?.confirmMaxAgeMs ?? DEFAULT_POLICY.confirmMaxAgeMs,
    purgeUnconfirmedAfterMs: override.purgeUnconfirmedAfterMs ?? settings?.purgeUnconfirmedAfterMs ?? DEFAULT_POLICY.purgeUnconfirmedAfterMs,
    preferencesMaxAgeMs: override.preferencesMaxAgeMs ?? settings?.preferencesMaxAgeMs ?? DEFAULT_POLICY.preferencesMaxAgeMs,
  };
  if (policy.purgeUnconfirmedAfterMs < policy.confirmMaxAgeMs) {
    const days = (ms: number) => `${+(ms / DAY).toFixed(2)} days`;
    throw new Error(
      `PURGE_UNCONFIRMED_AFTER (${days(policy.purgeUnconfirmedAfterMs)}) must not be shorter than CONFIRM_LINK_MAX_AGE (${days(policy.confirmMaxAgeMs)}): a subscription would be purged while its link still works`,
    );
  }
  return policy;
}

export interface AudienceDeps {
  store: Store;
  keys: AudienceKeys;
  mailer: Mailer;
  clock: Clock;
  /** PUBLIC_URL, the base of every link. */
  publicUrl: string;
  policy: AudiencePolicy;
  /**
   * Which editions the public site shows (edition/published.ts), so that the
   * welcome mail links an edition its reader can open; sent or sending ones only when unset.
   */
  publicRule?: PublicRule;
}

export interface AudienceDepsOptions {
  clock?: Clock;
  /**
   * The process's transactional mailer (delivery/mail-stack.ts), built over
   * its one transport; without it the deps send no mail (NO_MAILER).
   */
  mailer?: Mailer;
  policy?: Partial<AudiencePolicy>;
}

/** The audience's dependencies from the configuration, with optional replacements. */
export function audienceDeps(config: Config, store: Store, options: AudienceDepsOptions = {}): AudienceDeps {
  const clock = options.clock ?? systemClock;
  return {
    store,
    keys: new AudienceKeys(config.secret),
    mailer: options.mailer ?? NO_MAILER,
    clock,
    publicUrl: config.publicUrl,
    policy: audiencePolicyOf(config.audience, options.policy),
    publicRule: publicRule(config, clock),
  };
}
