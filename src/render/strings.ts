// Fixed strings of every rendering, per language, typed with plain keyboard
// characters: renderers typeset them like author text. Templates take
// {date}, {name}, {team}, {thanks}, {recipient} where noted.
import type { Language } from '../edition/publication.ts';

export interface Strings {
  /** BCP 47 tag handed to Intl (dates, lists, capitals). */
  locale: string;
  /** Open Graph locale (`fr_FR`). */
  ogLocale: string;
  by: string;
  with: string;
  menu: string;
  viewInBrowser: string;
  /** Default greeting template: {date}, {name}. */
  greeting: string;
  /** Default tip line template: {team}, {form} (the link to the encrypted tip form). */
  tipLine: string;
  /** Words of the link to the tip form. */
  tipForm: string;
  /** The sentence that offers the form after a newsroom's own tip line without `{form}`: {form}. */
  tipFormAlone: string;
  /** Credits line: {thanks}. */
  credits: string;
  unsubscribe: string;
  preferences: string;
  /** Why the reader gets this mail: {recipient}, {name}. */
  why: string;
  /** Web page footer: why the page exists, and how to get it by mail: {name}. */
  subscribe: string;
  archive: string;
  /** Label of an image in the plain text. */
  image: string;
  /** What introduces a value after a label (« : » in French, with its space). */
  colon: string;
}

const fr: Strings = {
  locale: 'fr-FR',
  ogLocale: 'fr_FR',
  by: 'Par',
  with: 'Avec',
  menu: 'Au menu',
  viewInBrowser: 'Lire dans le navigateur',
  greeting: 'Bonjour, nous sommes le {date} et voici {name}.',
  tipLine: "Une info, un document, une rumeur à vérifier ? Écrivez à {team}, ou passez par {form}",
  tipForm: 'notre formulaire chiffré',
  tipFormAlone: 'En toute confidentialité : {form}.',
  credits: 'Un grand merci à : {thanks}',
  unsubscribe: 'Se désinscrire',
  preferences: 'Gérer vos préférences',
  why: "Vous recevez ce message parce que l'adresse {recipient} est inscrite à {name}.",
  subscribe: "Recevoir {name} chaque matin par courriel",
  archive: 'Toutes les éditions',
  image: 'image',
  colon: ' :',
};

const en: Strings = {
  locale: 'en-GB',
  ogLocale: 'en_GB',
  by: 'By',
  with: 'With',
  menu: 'In this edition',
  viewInBrowser: 'Read in your browser',
  greeting: 'Good morning. It is {date} and this is {name}.',
  tipLine: 'A tip, a document, a rumour worth checking? Write to {team}, or use {form}',
  tipForm: 'our encrypted form',
  tipFormAlone: 'In confidence: {form}.',
  credits: 'Many thanks to {thanks}',
  unsubscribe: 'Unsubscribe',
  preferences: 'Manage your preferences',
  why: 'You are receiving this email because {recipient} is subscribed to {name}.',
  subscribe: 'Get {name} by email every morning',
  archive: 'All editions',
  image: 'image',
  colon: ':',
};

const byLanguage: Record<Language, Strings> = { fr, en };

/** The fixed strings of a language. */
export function stringsFor(language: Language): Strings {
  return byLanguage[language];
}
