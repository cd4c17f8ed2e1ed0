// How long the SMTP client waits for each step of a session. A client that
// gives up sooner than the relay takes to answer the end of DATA has no way of
// knowing whether the message was taken: it tries again, and the reader gets
// it twice. RFC 5321 §4.5.3.2 sets the least a client should wait for each
// reply; these are the defaults, and an operator may change them per relay on
// its SMTP_URL (smtp-pool.ts).
import ms from 'ms';

export interface SmtpTimeouts {
  /** The TCP connection, and the TLS handshake (smtps://, STARTTLS); not in the RFC. */
  connectMs: number;
  /** The 220 greeting (RFC: 5 minutes). */
  greetingMs: number;
  /** The reply to MAIL FROM, RCPT TO (RFC: 5 minutes each), and to EHLO, STARTTLS, AUTH, RSET. */
  commandMs: number;
  /** The 354 to DATA (RFC: 2 minutes). */
  dataStartMs: number;
  /** The reply to the end of the message, while the relay takes it in (RFC: 10 minutes). */
  dataEndMs: number;
}

const MINUTE = 60_000;

/** RFC 5321 §4.5.3.2's minimums (and 30 s to connect, which the RFC leaves open). */
export const RFC_TIMEOUTS: Readonly<SmtpTimeouts> = Object.freeze({
  connectMs: 30_000,
  greetingMs: 5 * MINUTE,
  commandMs: 5 * MINUTE,
  dataStartMs: 2 * MINUTE,
  dataEndMs: 10 * MINUTE,
});

/** The SMTP_URL option that sets each timeout. */
export const TIMEOUT_OPTIONS: Readonly<Record<string, keyof SmtpTimeouts>> = Object.freeze({
  connectTimeout: 'connectMs',
  greetingTimeout: 'greetingMs',
  commandTimeout: 'commandMs',
  dataStartTimeout: 'dataStartMs',
  dataEndTimeout: 'dataEndMs',
});

/** No wait longer than a day: a typo (5h for 5m) is more likely than a relay that slow. */
const LONGEST_MS = 24 * 60 * MINUTE;

/**
 * The timeouts a relay URL's query sets (`?dataEndTimeout=15m&greetingTimeout=90s`),
 * only those given; a value that does not read as a duration throws, naming the option.
 */
export function timeoutsFromQuery(query: URLSearchParams): Partial<SmtpTimeouts> {
  const out: Partial<SmtpTimeouts> = {};
  for (const [option, field] of Object.entries(TIMEOUT_OPTIONS)) {
    const text = query.get(option);
    if (text === null) continue;
    // `ms` reads "5m", "90s", "500ms", and a bare number as milliseconds.
    const value = /^\d+(?:\.\d+)?\s*[a-z]*$/i.test(text.trim()) ? ms(text.trim() as ms.StringValue) : undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > LONGEST_MS) {
      throw new Error(`SMTP_URL option ${option} must be a duration from 1ms to 24h, such as 5m, 90s or 500ms (got ${JSON.stringify(text)})`);
    }
    out[field] = Math.round(value);
  }
  return out;
}
