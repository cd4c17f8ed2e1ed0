// Fixed strings of the public site pages (home, archive, 404) per language,
// already typeset (typographic apostrophes, no-break spaces) since they are not author text.
// The edition page itself takes its strings from render/strings.ts.

export interface SiteStrings {
  editions: string;
  noEditionYet: string;
  subscribeTitle: string;
  emailLabel: string;
  nameLabel: string;
  subscribeButton: string;
  /** The subscribe form came back without its token (another site's form, or a page kept too long). */
  formExpired: string;
  /** Too many subscribe posts from one client. */
  tooManyRequests: string;
  notFoundTitle: string;
  notFoundText: string;
  backToArchive: string;
  home: string;
  /** The archive's search: the field's label, its button, and the results' headings ({q}: the query, {n}: a count). */
  searchLabel: string;
  searchButton: string;
  searchResults: string;
  searchNone: string;
  searchAll: string;
}

const fr: SiteStrings = {
  editions: 'Toutes les éditions',
  noEditionYet: 'Aucune édition publiée pour le moment.',
  subscribeTitle: 'S’inscrire',
  emailLabel: 'Adresse électronique',
  nameLabel: 'Prénom (facultatif)',
  subscribeButton: 'Recevoir chaque matin',
  formExpired: 'Ce formulaire a expiré. Vérifiez votre adresse et envoyez-le de nouveau.',
  tooManyRequests: 'Trop de demandes d’inscription depuis votre connexion. Réessayez dans quelques minutes.',
  notFoundTitle: 'Page introuvable',
  notFoundText: 'Cette page n’existe pas, ou pas encore.',
  backToArchive: 'Retour aux éditions',
  home: 'Accueil',
  searchLabel: 'Rechercher dans les éditions',
  searchButton: 'Rechercher',
  searchResults: 'Éditions contenant «\u00a0{q}\u00a0»',
  searchNone: 'Aucune édition publiée ne contient «\u00a0{q}\u00a0».',
  searchAll: 'Voir toutes les éditions',
};

const en: SiteStrings = {
  editions: 'All editions',
  noEditionYet: 'No edition published yet.',
  subscribeTitle: 'Subscribe',
  emailLabel: 'Email address',
  nameLabel: 'First name (optional)',
  subscribeButton: 'Get it every morning',
  formExpired: 'This form has expired. Check your address and send it again.',
  tooManyRequests: 'Too many subscription requests from your connection. Try again in a few minutes.',
  notFoundTitle: 'Page not found',
  notFoundText: 'This page does not exist, or not yet.',
  backToArchive: 'Back to all editions',
  home: 'Home',
  searchLabel: 'Search the editions',
  searchButton: 'Search',
  searchResults: 'Editions with “{q}”',
  searchNone: 'No published edition holds “{q}”.',
  searchAll: 'See all editions',
};

/** The site strings of a language (English for anything unknown). */
export function siteStrings(language: string): SiteStrings {
  return language === 'fr' ? fr : en;
}
