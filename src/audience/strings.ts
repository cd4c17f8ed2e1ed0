// Words of the audience's pages and mails, per language. Templates take
// {name} (the publication), {link}, {address} where noted. The consent wording
// has a version: the consent log records which words the person saw.
import type { Language } from '../edition/publication.ts';
import { typeset } from '../edition/typography.ts';
import { stringsFor } from '../render/strings.ts';

export interface AudienceStrings {
  /** Version of `consentWording`; change it whenever the wording changes. */
  wordingVersion: string;
  consentWording: string;
  subscribeButton: string;
  emailLabel: string;
  nameLabel: string;
  checkInbox: string;
  invalidAddress: string;
  confirmSubject: string;
  /** {name}, {link}. */
  confirmText: string;
  alreadySubject: string;
  /** {name}, {link} (preferences). */
  alreadyText: string;
  welcomeSubject: string;
  /** {name}. */
  welcomeDefault: string;
  latestEdition: string;
  archive: string;
  confirmTitle: string;
  confirmQuestion: string;
  confirmButton: string;
  confirmed: string;
  alreadyConfirmed: string;
  unsubscribeTitle: string;
  unsubscribeQuestion: string;
  unsubscribeButton: string;
  stayLink: string;
  changePreferences: string;
  unsubscribed: string;
  preferencesTitle: string;
  publicationsLegend: string;
  saveButton: string;
  saved: string;
  invalidLinkTitle: string;
  invalidLink: string;
  expiredLink: string;
  /** Preferences: a publication ticked that awaits its confirmation. */
  awaitingConfirmation: string;
  /** Preferences: {names}, the publications ticked now, each asked to be confirmed by mail. */
  confirmationsSent: string;
  /** Preferences: the form was not posted from its own page. */
  preferencesFormRefused: string;
  /** An expired preferences link, and the button that mails a fresh one. */
  preferencesExpired: string;
  sendFreshLinkButton: string;
  freshLinkSent: string;
  freshLinkSubject: string;
  /** {name}, {link}. */
  freshLinkText: string;
  notFound: string;
  unsubscribe: string;
  preferences: string;
}

const fr: OwnStrings = {
  wordingVersion: 'fr-2026-1',
  consentWording:
    "En vous inscrivant, vous acceptez de recevoir {name} par courriel. Vous pourrez vous désinscrire à tout moment d'un clic, depuis chaque envoi.",
  subscribeButton: "S'inscrire",
  emailLabel: 'Adresse électronique',
  nameLabel: 'Prénom (facultatif)',
  checkInbox: "Merci ! Si cette adresse peut recevoir {name}, un message vient de lui être envoyé : ouvrez-le pour confirmer l'inscription.",
  invalidAddress: "Cette adresse électronique n'est pas valide.",
  confirmSubject: 'Confirmez votre inscription à {name}',
  confirmText:
    "Bonjour,\n\nPour recevoir {name}, confirmez votre inscription en ouvrant ce lien :\n\n{link}\n\nSi vous n'avez rien demandé, ignorez ce message : vous ne recevrez rien.",
  alreadySubject: 'Vous êtes déjà inscrit à {name}',
  alreadyText:
    "Bonjour,\n\nQuelqu'un (sans doute vous) a demandé à inscrire cette adresse à {name}. Elle l'est déjà : rien ne change.\n\nPour gérer vos préférences : {link}",
  welcomeSubject: 'Bienvenue dans {name}',
  welcomeDefault: 'Bienvenue ! Vous recevrez désormais {name} chaque matin.',
  latestEdition: 'La dernière édition',
  confirmTitle: "Confirmer l'inscription",
  confirmQuestion: 'Confirmez-vous votre inscription à {name} ?',
  confirmButton: 'Je confirme',
  confirmed: 'Votre inscription à {name} est confirmée. Bienvenue !',
  alreadyConfirmed: 'Votre inscription à {name} était déjà confirmée.',
  unsubscribeTitle: 'Se désinscrire',
  unsubscribeQuestion: 'Voulez-vous ne plus recevoir {name} ?',
  unsubscribeButton: 'Me désinscrire',
  stayLink: 'Rester inscrit',
  changePreferences: 'Gérer mes préférences',
  unsubscribed: 'Vous ne recevrez plus {name}.',
  preferencesTitle: 'Vos préférences',
  publicationsLegend: 'Lettres reçues',
  saveButton: 'Enregistrer',
  saved: 'Vos préférences sont enregistrées.',
  invalidLinkTitle: "Ce lien n'est pas valide",
  invalidLink: "Ce lien n'est pas valide. Vérifiez qu'il est complet.",
  expiredLink: "Ce lien a expiré. Inscrivez-vous à nouveau pour en recevoir un autre.",
  awaitingConfirmation: 'en attente de votre confirmation',
  confirmationsSent: 'Pour recevoir {names}, confirmez votre inscription : un message vient de vous être envoyé.',
  preferencesFormRefused: "Ce formulaire n'a pas été envoyé depuis sa page. Vérifiez vos choix et enregistrez-les de nouveau.",
  preferencesExpired: 'Ce lien vers vos préférences a expiré. Recevez-en un nouveau à votre adresse.',
  sendFreshLinkButton: "M'envoyer un nouveau lien",
  freshLinkSent: 'Un nouveau lien vers vos préférences vient de vous être envoyé.',
  freshLinkSubject: 'Vos préférences pour {name}',
  freshLinkText:
    "Bonjour,\n\nVoici un nouveau lien pour gérer vos préférences ({name}) :\n\n{link}\n\nSi vous n'avez rien demandé, ignorez ce message : rien ne change.",
  notFound: 'Page introuvable.',
};

const en: OwnStrings = {
  wordingVersion: 'en-2026-1',
  consentWording: 'By subscribing you agree to receive {name} by email. You can unsubscribe at any time with one click from every email.',
  subscribeButton: 'Subscribe',
  emailLabel: 'Email address',
  nameLabel: 'First name (optional)',
  checkInbox: 'Thank you! If this address can receive {name}, we have just sent it a message: open it to confirm your subscription.',
  invalidAddress: 'This email address is not valid.',
  confirmSubject: 'Confirm your subscription to {name}',
  confirmText:
    "Hello,\n\nTo receive {name}, confirm your subscription by opening this link:\n\n{link}\n\nIf you did not ask for it, ignore this email: you will not hear from us.",
  alreadySubject: 'You are already subscribed to {name}',
  alreadyText:
    'Hello,\n\nSomeone (probably you) asked to subscribe this address to {name}. It already is: nothing changes.\n\nTo manage your preferences: {link}',
  welcomeSubject: 'Welcome to {name}',
  welcomeDefault: 'Welcome! You will now receive {name} every morning.',
  latestEdition: 'The latest edition',
  confirmTitle: 'Confirm your subscription',
  confirmQuestion: 'Do you confirm your subscription to {name}?',
  confirmButton: 'Confirm',
  confirmed: 'Your subscription to {name} is confirmed. Welcome!',
  alreadyConfirmed: 'Your subscription to {name} was already confirmed.',
  unsubscribeTitle: 'Unsubscribe',
  unsubscribeQuestion: 'Do you want to stop receiving {name}?',
  unsubscribeButton: 'Unsubscribe',
  stayLink: 'Stay subscribed',
  changePreferences: 'Manage my preferences',
  unsubscribed: 'You will no longer receive {name}.',
  preferencesTitle: 'Your preferences',
  publicationsLegend: 'Newsletters you receive',
  saveButton: 'Save',
  saved: 'Your preferences are saved.',
  invalidLinkTitle: 'This link is not valid',
  invalidLink: 'This link is not valid. Check that it is complete.',
  expiredLink: 'This link has expired. Subscribe again to get a new one.',
  awaitingConfirmation: 'awaiting your confirmation',
  confirmationsSent: 'To receive {names}, confirm your subscription: we have just sent you a message.',
  preferencesFormRefused: 'This form was not sent from its own page. Check your choices and save them again.',
  preferencesExpired: 'This link to your preferences has expired. Get a new one at your address.',
  sendFreshLinkButton: 'Send me a new link',
  freshLinkSent: 'A new link to your preferences has just been sent to you.',
  freshLinkSubject: 'Your preferences for {name}',
  freshLinkText:
    "Hello,\n\nHere is a new link to manage your preferences ({name}):\n\n{link}\n\nIf you did not ask for it, ignore this message: nothing changes.",
  notFound: 'Page not found.',
};

/**
 * The words an edition's footer and the audience's pages and mails both say
 * come from the edition's strings (render/strings.ts): one wording for one thing.
 */
type SharedWords = 'unsubscribe' | 'preferences' | 'archive';
type OwnStrings = Omit<AudienceStrings, SharedWords>;

function withSharedWords(own: OwnStrings, language: Language): AudienceStrings {
  const { unsubscribe, preferences, archive } = stringsFor(language);
  return { ...own, unsubscribe, preferences, archive };
}

const byLanguage: Record<Language, AudienceStrings> = { fr: withSharedWords(fr, 'fr'), en: withSharedWords(en, 'en') };

/** The audience's words in a publication's language. */
export function audienceStrings(language: Language): AudienceStrings {
  return byLanguage[language];
}

/** Fills `{key}` slots of a template with plain values. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

const typesetByLanguage = new Map<Language, AudienceStrings>();

/**
 * The audience's words typeset in the language (curly apostrophes, French
 * spaces before : ; ! ?), for pages: plain characters, to escape like any text.
 * The words are written with keyboard characters here and typeset like an
 * edition's, once per language.
 */
export function typesetStrings(language: Language): AudienceStrings {
  let cached = typesetByLanguage.get(language);
  if (!cached) {
    const plain = byLanguage[language];
    const entries = Object.entries(plain).map(([key, value]) => [key, key === 'wordingVersion' ? value : typeset(value, language)]);
    cached = Object.freeze(Object.fromEntries(entries)) as unknown as AudienceStrings;
    typesetByLanguage.set(language, cached);
  }
  return cached;
}
