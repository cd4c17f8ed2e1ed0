// The edition's plain words, subject and preheader, as the edition stage
// derives them: one definition for the email, the web page and the JSON.
export { plainText, subjectOf, preheaderOf } from '../edition/inline-text.ts';
