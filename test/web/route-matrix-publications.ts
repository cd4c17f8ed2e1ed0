// The route matrix's lines for publications (route-matrix.test.ts runs them):
// a new publication, a publication's settings and their YAML file, the list of
// publications, and its word list, to which any member adds a word (from the
// editor's diagnostics) but only an editor removes one.
import { learnWord, learnedWordsOf } from '../../src/store/learned-words.ts';
import { samplePublication } from './harness.ts';
import { ADMINS_ONLY, EDITORS_ONLY, MEMBERS_LIST, MEMBERS_READ, NEWSROOM_ADMINS, type MatrixLines, type World } from './route-matrix-harness.ts';

/** Tech Matin's settings as its form posts them, with a new greeting (the name stays: other lists look for it). */
function techMatinForm(greeting: string): Record<string, string> {
  const p = samplePublication('tech-matin');
  return {
    name: p.name, greeting, language: p.language, timezone: p.timezone, schedule_mode: 'cron', schedule: p.schedule, from: p.from, replyTo: p.replyTo ?? '',
    address: p.address, words: (p.words ?? []).join('\n'), welcome: p.welcome ?? '',
  };
}
const techMatinSettings = async (w: World) => (await w.n.store.db.selectFrom('publications').select('settings').where('id', '=', w.n.ids.techMatin).executeTakeFirstOrThrow()).settings;

const WORDS = '/newsroom/publications/tech-matin/words';
let wordCounter = 0;
const learnedWordIn = async (w: World, word: string) => (await learnedWordsOf(w.n.store, w.n.ids.techMatin)).includes(word);
/** One a try of a form: each names a title or a greeting of its own. */
let tryCounter = 0;

export const PUBLICATION_ROUTES: MatrixLines = {
  'GET /newsroom/publications/new': {
    form: { expect: NEWSROOM_ADMINS, send: (v) => v.get('/newsroom/publications/new') },
  },
  'POST /newsroom/publications/new': {
    create: {
      expect: NEWSROOM_ADMINS,
      prepare: async () => ++tryCounter,
      send: (v, _w, k) =>
        v.post('/newsroom/publications/new', {
          slug: `new-title-${k}`, name: `New ${k}`, language: 'en', timezone: 'UTC', schedule_mode: 'cron', schedule: '0 6 * * *',
          from: 'New <new@example.org>', address: '1 Main Street', member_name: 'Admin', member_email: v.email, member_role: 'admin',
        }),
      effect: async (w, k) => (await w.n.store.db.selectFrom('publications').select('id').where('slug', '=', `new-title-${k}`).execute()).length,
    },
  },
  'GET /newsroom/publications/:slug/settings': {
    open: { expect: ADMINS_ONLY, send: (v) => v.get('/newsroom/publications/tech-matin/settings'), missing: (v) => v.get('/newsroom/publications/no-such-title/settings') },
  },
  'POST /newsroom/publications/:slug/settings': {
    save: {
      expect: ADMINS_ONLY,
      prepare: async () => ++tryCounter,
      // The whole team of the file, so that a save keeps everyone on it.
      send: (v, _w, k) => {
        const team = samplePublication('tech-matin').team;
        const body = new URLSearchParams(Object.entries(techMatinForm(`Bonjour ${k}`)));
        for (const m of team) {
          body.append('member_name', m.name);
          body.append('member_email', m.email);
          body.append('member_role', m.role);
        }
        return v.post('/newsroom/publications/tech-matin/settings', body);
      },
      missing: (v) => v.post('/newsroom/publications/no-such-title/settings', techMatinForm('x')),
      effect: techMatinSettings,
    },
  },
  'GET /newsroom/publications/:slug/settings.yaml': {
    download: {
      expect: ADMINS_ONLY,
      send: (v) => v.get('/newsroom/publications/tech-matin/settings.yaml'),
      missing: (v) => v.get('/newsroom/publications/no-such-title/settings.yaml'),
    },
  },
  'GET /newsroom/publications': {
    list: { expect: MEMBERS_LIST, send: (v) => v.get('/newsroom/publications'), shows: (res) => res.body.includes('Tech Matin') },
  },
  // The word list: any member adds a word (from the editor's diagnostics), only editors remove one.
  'GET /newsroom/publications/:slug/words': {
    read: { expect: MEMBERS_READ, send: (v) => v.get(WORDS), missing: (v) => v.get('/newsroom/publications/no-such-title/words') },
  },
  'POST /newsroom/publications/:slug/words': {
    add: {
      expect: MEMBERS_READ,
      prepare: async () => ++wordCounter,
      send: (v, _w, k) => v.post(WORDS, { word: `Zorbalux${k}` }),
      missing: (v) => v.post('/newsroom/publications/no-such-title/words', { word: 'Zorbalux' }),
      effect: (w, k) => learnedWordIn(w, `Zorbalux${k}`),
    },
  },
  'POST /api/publications/:slug/words': {
    add: {
      expect: MEMBERS_READ,
      prepare: async () => ++wordCounter,
      send: (v, _w, k) => v.api('POST', '/api/publications/tech-matin/words', { word: `Zorbalux${k}` }),
      missing: (v) => v.api('POST', '/api/publications/no-such-title/words', { word: 'Zorbalux' }),
      effect: (w, k) => learnedWordIn(w, `Zorbalux${k}`),
    },
  },
  'POST /newsroom/publications/:slug/words/remove': {
    remove: {
      expect: EDITORS_ONLY,
      prepare: async (w) => {
        const k = ++wordCounter;
        await learnWord(w.n.store, { publicationId: w.n.ids.techMatin, word: `Zorbalux${k}`, by: 'matrix' });
        return k;
      },
      send: (v, _w, k) => v.post(`${WORDS}/remove`, { word: `Zorbalux${k}` }),
      missing: (v) => v.post('/newsroom/publications/no-such-title/words/remove', { word: 'Zorbalux' }),
      effect: (w, k) => learnedWordIn(w, `Zorbalux${k}`),
    },
  },
};
