// Publication settings: described once (a YAML file for the command line, the
// same fields in the dashboard and the store). See BRIEFING-MARKDOWN.md.
import { z } from 'zod';
import { Cron } from 'croner';
import { headerTextProblem, parseMailbox } from './mailbox.ts';
import { LINT_RULES } from './lint/lint-rules.ts';
import type { LintRuleId } from './lint/lint-rules.ts';
import { didYouMean } from './closest-key.ts';

/** Languages the renderers and the linter know. */
export const LANGUAGES = ['fr', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const ROLES = ['author', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/**
 * A string that may reach a mail header (the publication's name is in
 * List-Id, a team member's name in the From of mail to them): one line, no
 * control character, refused here so that nobody learns of it from a send.
 */
const headerText = z.string().superRefine((v, ctx) => {
  const problem = headerTextProblem(v);
  if (problem) ctx.addIssue({ code: 'custom', message: `${problem}: it goes into a mail header` });
});

const email = z.email({ message: 'is not a valid email address' });

/** `Name <address>` or a bare address, read as delivery writes it (mailbox.ts). */
const mailbox = z.string().superRefine((v, ctx) => {
  const { problem } = parseMailbox(v);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const timezone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a known IANA time zone (for instance Europe/Paris)' },
);

const cron = z.string().refine(
  (expr) => {
    try {
      new Cron(expr, { paused: true });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'is not a valid cron expression (for instance "0 6 * * 1-5")' },
);

const LINT_RULE_IDS = Object.keys(LINT_RULES);

/** The id of a lint rule, refused with the id it is not and the one it may have meant. */
const lintRuleId = z.string().superRefine((v, ctx) => {
  if (!LINT_RULE_IDS.includes(v)) ctx.addIssue({ code: 'custom', message: `is not a lint rule: \`${v}\`${didYouMean(v, LINT_RULE_IDS)} (the rules are listed in src/edition/lint/lint-rules.ts)` });
}) as unknown as z.ZodType<LintRuleId>;

/** What the publication asks of lint: the rules it turns off (`lint: { off: [grammar-style] }`). */
export const lintSettingsSchema = z.strictObject({
  off: z.array(lintRuleId).optional(),
});

export const teamMemberSchema = z.strictObject({
  name: headerText.min(1),
  email,
  role: z.enum(ROLES),
  /** ASCII-armoured OpenPGP public key, for tips. */
  pgpKey: z.string().optional(),
});

export const publicationSchema = z.strictObject({
  slug: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case letters, digits and dashes'),
  name: headerText.min(1),
  language: z.enum(LANGUAGES),
  timezone,
  schedule: cron,
  from: mailbox,
  replyTo: email.pipe(mailbox).optional(),
  address: z.string().min(1),
  team: z.array(teamMemberSchema).min(1),
  greeting: z.string().optional(),
  tipLine: z.string().optional(),
  /** Addresses of the team members tips are encrypted to (the tips desk); default: every editor and admin. */
  tipsDesk: z.array(email).optional(),
  /** Days a tip is kept before it is deleted (default 90). */
  tipRetentionDays: z.number().int().min(1).max(3650).optional(),
  /** Text of the welcome mail, in Briefing Markdown body syntax (audience). */
  welcome: z.string().optional(),
  /** Words the spelling check accepts besides the dictionary (the newsroom word list). */
  words: z.array(z.string()).optional(),
  /** Lint rules the newsroom turned off for this publication (any lint rule id). */
  lint: lintSettingsSchema.optional(),
});

export type TeamMember = z.infer<typeof teamMemberSchema>;
export type Publication = z.infer<typeof publicationSchema>;

/** The keys a publication file may hold, for "did you mean" suggestions. */
export const PUBLICATION_KEYS = Object.keys(publicationSchema.shape);

/** The address part of `Name <address>`. */
export function addressOf(mailboxText: string): string {
  const m = /<([^<>]+)>/.exec(mailboxText);
  return (m ? m[1]! : mailboxText).trim();
}
