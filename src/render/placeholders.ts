// Per-recipient values are never rendered: the edition is rendered once and
// delivery splices these tokens afterwards. They are plain ASCII made of
// characters that HTML escaping, MJML and URL attributes all leave untouched.

/** The placeholder tokens delivery replaces for each recipient. */
export const PLACEHOLDERS = {
  unsubscribeUrl: '%%unsubscribe_url%%',
  preferencesUrl: '%%preferences_url%%',
  recipient: '%%recipient%%',
} as const;

export type PlaceholderName = keyof typeof PLACEHOLDERS;

/** Every token, for checks that a rendering carries (or no longer carries) them. */
export const PLACEHOLDER_TOKENS: readonly string[] = Object.values(PLACEHOLDERS);

/** Sample values, for previews and the `eml` format: never a real recipient. */
export const SAMPLE_PLACEHOLDER_VALUES: Record<PlaceholderName, string> = {
  unsubscribeUrl: 'https://example.invalid/unsubscribe?preview=1',
  preferencesUrl: 'https://example.invalid/preferences?preview=1',
  recipient: 'lecteur@example.invalid',
};

/**
 * Replaces every placeholder by its value. `escape` is for the output's context
 * (HTML escaping for the email): an address may legally hold `&` or `'`.
 */
export function fillPlaceholders(
  text: string,
  values: Record<PlaceholderName, string>,
  escape: (value: string) => string = (v) => v,
): string {
  let out = text;
  for (const [name, token] of Object.entries(PLACEHOLDERS) as Array<[PlaceholderName, string]>) {
    out = out.split(token).join(escape(values[name]));
  }
  return out;
}
