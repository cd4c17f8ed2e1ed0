// Golden fixture folders: test/fixtures/render/<case>/{input.md, email.html,
// text.txt, web.html, edition.json}; UPDATE=1 rewrites them, to be reviewed in the diff.
import { test } from 'node:test';
import { join } from 'node:path';
import { assertGolden } from '../helpers/golden.ts';
import { renderEmail } from '../../src/render/email.ts';
import { renderText } from '../../src/render/text.ts';
import { renderWeb } from '../../src/render/web.ts';
import { renderJson } from '../../src/render/json.ts';
import { CASES, FIXTURES, PUBLIC_URL, fixtureEdition } from './fixture-edition.ts';

const options = { publicUrl: PUBLIC_URL };

for (const name of CASES) {
  test(`${name}: every rendering matches its golden file`, async () => {
    const { edition, publication } = await fixtureEdition(name);
    const dir = join(FIXTURES, name);
    assertGolden(join(dir, 'email.html'), renderEmail(edition, publication, options));
    assertGolden(join(dir, 'text.txt'), renderText(edition, publication, options));
    assertGolden(join(dir, 'web.html'), renderWeb(edition, publication, options));
    assertGolden(join(dir, 'edition.json'), renderJson(edition, publication, options));
  });
}
