// The one door through which every renderer typesets text, so that the
// renderers depend on the typesetting engine in one place only.
export { typeset } from '../edition/typography.ts';
