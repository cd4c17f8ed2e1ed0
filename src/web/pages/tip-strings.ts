// Fixed strings of the tip pages, per language, typeset by hand (they are not
// author text): what a source reads before, while and after sending a tip.
import type { CodeProblem } from '../../tips/receipt-code.ts';

export interface TipStrings {
  title: (name: string) => string;
  intro: string;
  protections: string[];
  closed: string;
  messageLabel: string;
  filesLabel: string;
  limit: string;
  send: string;
  haveCode: string;
  codeLabel: string;
  read: string;
  receivedTitle: string;
  receivedText: string;
  keepCode: string;
  repliesTitle: string;
  noReply: string;
  addTitle: string;
  add: string;
  addedText: string;
  empty: string;
  tooLarge: string;
  malformed: string;
  tooMany: string;
  codeProblem: (p: CodeProblem) => string;
  back: string;
  /** Shown while the script encrypts and does its proof of work. */
  working: string;
  sealFailed: string;
  powFailed: string;
}

const NNBSP = '\u202f';
const NBSP = '\u00a0';

const fr: TipStrings = {
  title: (name) => `Envoyer une info à ${name}`,
  intro: `Ce formulaire chiffre votre message et vos fichiers pour la seule rédaction. Personne d’autre ne peut les lire, pas même qui gère ce serveur.`,
  protections: [
    `Nous ne gardons ni votre adresse IP, ni votre navigateur, ni l’heure d’envoi (seulement le jour), et ce formulaire ne dépose aucun cookie.`,
    `Pour que votre connexion elle-même ne vous désigne pas, utilisez le navigateur Tor, depuis un appareil et un réseau qui ne sont pas ceux de votre employeur.`,
    `Retirez de vos documents ce qui pourrait vous identifier (noms, métadonnées, photos d’écran de votre poste).`,
  ],
  closed: `La rédaction ne reçoit pas d’infos par ce formulaire pour le moment. Revenez plus tard.`,
  messageLabel: 'Votre message',
  filesLabel: 'Fichiers (facultatif)',
  limit: `10${NBSP}Mo au plus, message et fichiers compris.`,
  send: 'Envoyer chiffré',
  haveCode: `Vous avez déjà envoyé une info${NNBSP}?`,
  codeLabel: 'Votre code de reçu (8 mots)',
  read: 'Lire les réponses',
  receivedTitle: 'Votre info est arrivée, chiffrée',
  receivedText: `Voici votre code de reçu. Recopiez-le à la main et gardez-le en lieu sûr${NBSP}: c’est la seule façon de lire les réponses de la rédaction et de compléter votre envoi. Nous ne pourrons pas vous le redonner.`,
  keepCode: `Revenez sur cette page avec ce code dans quelques jours${NBSP}: la rédaction peut vous répondre ici.`,
  repliesTitle: 'Réponses de la rédaction',
  noReply: 'Pas encore de réponse.',
  addTitle: 'Compléter votre envoi',
  add: 'Envoyer chiffré',
  addedText: 'Votre complément est arrivé, chiffré, avec votre envoi.',
  empty: 'Écrivez un message ou joignez un fichier.',
  tooLarge: `L’envoi dépasse 10${NBSP}Mo. Retirez un fichier ou envoyez-le en plusieurs fois avec votre code de reçu.`,
  malformed: `Le formulaire n’a pas pu être lu. Réessayez.`,
  tooMany: `Trop d’envois depuis votre réseau. Réessayez dans une heure.`,
  codeProblem: (p) =>
    p.kind === 'count'
      ? `Un code de reçu a 8${NBSP}mots${NBSP}; celui-ci en a ${p.count}.`
      : p.kind === 'unknown'
        ? `Le ${p.position}e mot, «${NNBSP}${p.word}${NNBSP}», n’est pas un mot des codes${p.suggestion ? ` (peut-être «${NNBSP}${p.suggestion}${NNBSP}»${NNBSP}?)` : ''}.`
        : `Un des mots n’est pas celui du code${NBSP}: comparez-les un à un avec votre copie.`,
  back: 'Retour au formulaire',
  working: `Chiffrement dans votre navigateur et vérification anti-abus (quelques secondes)…`,
  sealFailed: `Le chiffrement dans le navigateur a échoué${NBSP}: rien n’a été envoyé. Réessayez.`,
  powFailed: `La vérification anti-abus a échoué ou a expiré. Rechargez la page et réessayez.`,
};

const en: TipStrings = {
  title: (name) => `Send a tip to ${name}`,
  intro: 'This form encrypts your message and files for the newsroom alone. Nobody else can read them, not even whoever runs this server.',
  protections: [
    'We keep neither your IP address, nor your browser, nor the time you sent it (only the day), and this form sets no cookie.',
    'So that your connection itself does not point to you, use Tor Browser, from a device and a network that are not your employer’s.',
    'Take out of your documents what could identify you (names, metadata, screenshots of your own screen).',
  ],
  closed: 'The newsroom does not take tips through this form at the moment. Please come back later.',
  messageLabel: 'Your message',
  filesLabel: 'Files (optional)',
  limit: '10 MB at most, message and files together.',
  send: 'Send encrypted',
  haveCode: 'Already sent a tip?',
  codeLabel: 'Your receipt code (8 words)',
  read: 'Read the replies',
  receivedTitle: 'Your tip arrived, encrypted',
  receivedText: 'Here is your receipt code. Copy it by hand and keep it safe: it is the only way to read the newsroom’s replies and add to your tip. We cannot give it to you again.',
  keepCode: 'Come back to this page with this code in a few days: the newsroom may reply here.',
  repliesTitle: 'Replies from the newsroom',
  noReply: 'No reply yet.',
  addTitle: 'Add to your tip',
  add: 'Send encrypted',
  addedText: 'What you added arrived, encrypted, with your tip.',
  empty: 'Write a message or attach a file.',
  tooLarge: 'This is more than 10 MB. Leave a file out, or send it in several goes with your receipt code.',
  malformed: 'The form could not be read. Please try again.',
  tooMany: 'Too many tips from your network. Try again in an hour.',
  codeProblem: (p) =>
    p.kind === 'count'
      ? `A receipt code has 8 words; this one has ${p.count}.`
      : p.kind === 'unknown'
        ? `Word ${p.position}, “${p.word}”, is not a word of the codes${p.suggestion ? ` (perhaps “${p.suggestion}”?)` : ''}.`
        : 'One of the words is not the code’s: compare them one by one with your copy.',
  back: 'Back to the form',
  working: 'Encrypting in your browser and checking against abuse (a few seconds)…',
  sealFailed: 'Encryption in the browser failed: nothing was sent. Please try again.',
  powFailed: 'The check against abuse failed or expired. Reload the page and try again.',
};

/** The tip pages' strings of a language (English for anything unknown). */
export function tipStrings(language: string): TipStrings {
  return language === 'fr' ? fr : en;
}
