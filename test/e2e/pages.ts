// Every page of the app that the browser sweep (page-sweep.test.ts) visits at
// 1280 and 375 px. A new page gets its line here: a name (the screenshot's
// file name), where it is (a path, or built from the sweep's world: ids of the
// sample data, links read from mails in the outbox), and whether it is a
// newsroom page (seen signed in as an admin of every publication) or public.
import type { Newsroom } from '../web/harness.ts';

/** What the sweep prepared for the pages to point at. */
export interface SweepWorld {
  n: Newsroom;
  /** A message of a Tech Matin test send in the outbox (its file name), and that send. */
  outboxFile: string;
  sendId: number;
  /** The reader who subscribed to Tech Matin and confirmed. */
  subscriberId: number;
  /** Paths of a reader's links, from the confirmation and welcome mails. */
  confirmPath: string;
  unsubscribePath: string;
  preferencesPath: string;
}

export interface SweptPage {
  name: string;
  path: string | ((w: SweepWorld) => string);
  /** Newsroom pages are seen signed in; public ones by a visitor without a session. */
  newsroom: boolean;
}

export const NEWSROOM_PAGES: SweptPage[] = [
  { name: 'newsroom-editions', path: '/newsroom', newsroom: true },
  { name: 'newsroom-editor', path: (w) => `/newsroom/editions/${w.n.ids.techEdition}`, newsroom: true },
  { name: 'newsroom-editor-draft', path: (w) => `/newsroom/editions/${w.n.ids.policyEdition}`, newsroom: true },
  { name: 'newsroom-versions', path: (w) => `/newsroom/editions/${w.n.ids.techEdition}/versions`, newsroom: true },
  { name: 'newsroom-publications', path: '/newsroom/publications', newsroom: true },
  { name: 'newsroom-publication-new', path: '/newsroom/publications/new', newsroom: true },
  { name: 'newsroom-publication-settings', path: '/newsroom/publications/tech-matin/settings', newsroom: true },
  { name: 'newsroom-sending-setup', path: '/newsroom/settings/sending', newsroom: true },
  { name: 'newsroom-sends', path: '/newsroom/sends', newsroom: true },
  { name: 'newsroom-outbox', path: '/newsroom/outbox', newsroom: true },
  { name: 'newsroom-outbox-message', path: (w) => `/newsroom/outbox/${w.outboxFile}`, newsroom: true },
  { name: 'newsroom-not-found', path: '/newsroom/editions/99999', newsroom: true },
  { name: 'newsroom-send-confirm', path: (w) => `/newsroom/editions/${w.n.ids.techEdition}/send/confirm?when=now`, newsroom: true },
  { name: 'newsroom-send', path: (w) => `/newsroom/sends/${w.sendId}`, newsroom: true },
  { name: 'newsroom-subscribers', path: '/newsroom/publications/tech-matin/subscribers', newsroom: true },
  { name: 'newsroom-subscriber', path: (w) => `/newsroom/publications/tech-matin/subscribers/${w.subscriberId}`, newsroom: true },
  { name: 'newsroom-import', path: '/newsroom/publications/tech-matin/import', newsroom: true },
  { name: 'newsroom-word-list', path: '/newsroom/publications/tech-matin/words', newsroom: true },
  { name: 'newsroom-team', path: '/newsroom/team', newsroom: true },
  { name: 'newsroom-account', path: '/newsroom/account', newsroom: true },
  { name: 'newsroom-tips', path: '/newsroom/tips', newsroom: true },
  { name: 'newsroom-key', path: '/newsroom/key', newsroom: true },
];

export const PUBLIC_PAGES: SweptPage[] = [
  { name: 'public-home', path: '/', newsroom: false },
  { name: 'public-archive-fr', path: '/tech-matin', newsroom: false },
  { name: 'public-archive-en', path: '/policy-morning', newsroom: false },
  { name: 'public-archive-search', path: '/tech-matin?q=fibre', newsroom: false },
  { name: 'public-subscribe-fr', path: '/tech-matin/subscribe', newsroom: false },
  { name: 'public-edition', path: '/tech-matin/2026-03-02', newsroom: false },
  { name: 'public-not-found', path: '/tech-matin/1999-01-01', newsroom: false },
  { name: 'public-confirm', path: (w) => w.confirmPath, newsroom: false },
  { name: 'public-unsubscribe', path: (w) => w.unsubscribePath, newsroom: false },
  { name: 'public-preferences', path: (w) => w.preferencesPath, newsroom: false },
  { name: 'newsroom-sign-in', path: '/newsroom/sign-in', newsroom: false },
  { name: 'public-tips-fr', path: '/tech-matin/tips', newsroom: false },
  { name: 'public-tips-en', path: '/policy-morning/tips', newsroom: false },
];
