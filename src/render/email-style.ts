// The email's look: inline styles per role (mail clients drop most <style>
// rules, Gmail keeps only inline ones reliably) and the few rules that must
// live in <style>: dark mode and phone width. Colours are never pure black on
// pure white, and every colour has a dark-mode counterpart.
import type { HtmlDialect, Role } from './html-content.ts';

/** The palette, light and dark; the web page uses it too, so both look alike. */
export const COLORS = {
  page: '#f3f0ea',
  card: '#ffffff',
  text: '#1f2328',
  muted: '#5b6168',
  link: '#0b57d0',
  accent: '#a3261e',
  rule: '#d8d3c8',
  darkPage: '#121212',
  darkCard: '#1e1e1e',
  darkText: '#e8e6e3',
  darkMuted: '#b4aea6',
  darkLink: '#8ab4f8',
  darkAccent: '#f28b82',
} as const;

/** System fonts only: a web font would cost a request and most mail clients ignore them. */
export const FONT = "-apple-system, BlinkMacSystemFont, 'Segoe UI', Helvetica, Arial, sans-serif";

const ROLE_STYLES: Record<Role, string> = {
  p: 'margin:0 0 14px',
  'lead-in': 'font-weight:bold',
  list: 'margin:0 0 14px;padding:0 0 0 22px',
  item: 'margin:0 0 8px',
  'item-lead': 'font-weight:bold',
  link: `color:${COLORS.link};text-decoration:underline`,
  image: 'display:block;max-width:100%;height:auto;border:0;margin:0 0 14px',
  section: 'margin:0',
  'section-label': `margin:0 0 14px;padding-top:10px;border-top:2px solid ${COLORS.text};font-size:14px;line-height:1.4;letter-spacing:0.08em;font-weight:bold;color:${COLORS.accent}`,
  story: 'margin:0 0 6px',
  kicker: 'display:inline;margin:0;font-size:inherit;line-height:inherit;font-weight:bold',
  opening: 'margin:0 0 14px',
  'first-paragraph': 'display:inline;margin:0',
};

/** The email dialect of the shared HTML content: inline styles, plain divs. */
export const emailDialect: HtmlDialect = {
  attrs: (role) => ` class="mt-${role}" style="${ROLE_STYLES[role]}"`,
  sectionTag: 'div',
  storyTag: 'div',
};

/** Inline style of a role, for the email's own wrappers. */
export function roleStyle(role: Role): string {
  return ROLE_STYLES[role];
}

/** Rules that only work from <style>: dark mode (Apple Mail, Outlook.com) and small screens. */
export const EMAIL_HEAD_CSS = `
:root { color-scheme: light dark; supported-color-schemes: light dark; }
@media (prefers-color-scheme: dark) {
  body, .mt-body { background-color: ${COLORS.darkPage} !important; }
  .mt-card, .mt-card > table, .mt-card td { background-color: ${COLORS.darkCard} !important; }
  .mt-card div, .mt-card p, .mt-card li, .mt-card h1, .mt-card h3, .mt-card span { color: ${COLORS.darkText} !important; }
  .mt-card .mt-muted, .mt-card .mt-muted p { color: ${COLORS.darkMuted} !important; }
  .mt-card a { color: ${COLORS.darkLink} !important; }
  .mt-card h2 { color: ${COLORS.darkAccent} !important; border-color: ${COLORS.darkText} !important; }
}
[data-ogsc] .mt-card div, [data-ogsc] .mt-card p, [data-ogsc] .mt-card li, [data-ogsc] .mt-card h1, [data-ogsc] .mt-card h3 { color: ${COLORS.darkText} !important; }
[data-ogsc] .mt-card a { color: ${COLORS.darkLink} !important; }
[data-ogsc] .mt-card h2 { color: ${COLORS.darkAccent} !important; }
@media only screen and (max-width: 480px) {
  .mt-card h1 { font-size: 26px !important; }
}
`;
