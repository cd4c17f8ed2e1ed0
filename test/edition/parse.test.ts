import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { MAX_SOURCE_LENGTH, parseEdition } from '../../src/edition/parse.ts';
import { hasErrors } from '../../src/edition/diagnostic.ts';
import type { Diagnostic } from '../../src/edition/diagnostic.ts';
import { EDITION_RULES, isEditionRule } from '../../src/edition/rules.ts';
import type { Publication } from '../../src/edition/publication.ts';
import { plainText } from '../../src/edition/inline-text.ts';

// Five lines of front matter: the body starts on line 6.
const FM = '---\npublication: tech-matin\ndate: 2026-03-02\nby: Jeanne Moreau\n---\n';
const VALID_BODY = '# Le fait du jour\n\n## Les câbles.\n> menu: Réseaux : la fibre.\n\nLe texte.\n';

function parse(body: string, frontMatter = FM) {
  return parseEdition(frontMatter + body, { file: 'e.md' });
}

/** `rule@line:col` of each diagnostic, the shape most assertions compare. */
function places(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.rule}@${d.line}:${d.column}`);
}

function only(diagnostics: readonly Diagnostic[], rule: string): string[] {
  return places(diagnostics.filter((d) => d.rule === rule));
}

describe('parseEdition: a valid edition', () => {
  it('parses the sample editions without any diagnostic', () => {
    for (const file of ['examples/2026-03-02-tech-matin.md', 'examples/2026-03-02-policy-morning.md']) {
      const result = parseEdition(readFileSync(file, 'utf8'), { file });
      assert.deepEqual(places(result.diagnostics), [], file);
      assert.ok(result.edition, file);
    }
  });

  it('builds sections, stories, teasers and the menu in order', () => {
    const { edition, diagnostics } = parse(
      'Un mot d’intro.\n\n# Le fait du jour\n\n## Les câbles.\n> menu: La fibre.\n\nTexte un.\n\n## Sans menu.\n\nTexte deux.\n\n# Cybersécurité\n\n## Alerte.\n> MENU: Hôpitaux.\n\nTexte trois.\n',
    );
    assert.deepEqual(places(diagnostics), []);
    assert.ok(edition);
    const intro = edition.intro[0];
    assert.equal(intro?.type === 'paragraph' && plainText(intro.children), 'Un mot d’intro.');
    assert.deepEqual(
      edition.sections.map((s) => [s.id, s.label, s.stories.map((st) => st.id)]),
      [
        ['le-fait-du-jour', 'Le fait du jour', ['s1-les-cables', 's2-sans-menu']],
        ['cybersecurite', 'Cybersécurité', ['s3-alerte']],
      ],
    );
    assert.deepEqual(
      edition.menu.map((m) => [m.storyId, plainText(m.teaser)]),
      [
        ['s1-les-cables', 'La fibre.'],
        ['s3-alerte', 'Hôpitaux.'],
      ],
    );
    assert.equal(edition.sections[0]!.stories[1]!.teaser, undefined);
  });

  it('keeps the teaser text with its position after `menu:`', () => {
    const { edition } = parse(VALID_BODY);
    const teaser = edition!.sections[0]!.stories[0]!.teaser!;
    assert.deepEqual(teaser, [
      { type: 'text', value: 'Réseaux : la fibre.', position: { start: { line: 9, column: 9, offset: teaser[0]!.position.start.offset }, end: teaser[0]!.position.end } },
    ]);
    const source = FM + VALID_BODY;
    assert.equal(source.slice(teaser[0]!.position.start.offset, teaser[0]!.position.end.offset), 'Réseaux : la fibre.');
  });

  it('reads front matter values, names as a name or a list', () => {
    const { edition, diagnostics } = parse(
      VALID_BODY,
      '---\npublication: tech-matin\ndate: 2026-03-02\nby: [Jeanne Moreau, Paul Girard]\nwith: Inès Haddad\nthanks: notre éditrice\nsubject: Le sujet\npreheader: Le résumé\n---\n',
    );
    assert.deepEqual(places(diagnostics), []);
    assert.deepEqual(
      { by: edition!.by, with: edition!.with, thanks: edition!.thanks, subject: edition!.subject, preheader: edition!.preheader },
      { by: ['Jeanne Moreau', 'Paul Girard'], with: ['Inès Haddad'], thanks: 'notre éditrice', subject: 'Le sujet', preheader: 'Le résumé' },
    );
    assert.deepEqual(parse(VALID_BODY).edition!.with, []);
  });

  it('takes a paragraph’s bold opening as its lead-in, and a list item’s as its lead', () => {
    const { edition, diagnostics } = parse(
      '# Ordre du jour\n\n**Ce qu’on sait.** Les foyers.\n\n**Tout en gras**\n\n- **9 h 30** Audition.\n- Sans gras.\n- **Seul**\n',
    );
    assert.deepEqual(places(diagnostics), []);
    const [withLead, allBold, list] = edition!.sections[0]!.blocks;
    assert.equal(withLead?.type, 'paragraph');
    if (withLead?.type !== 'paragraph' || allBold?.type !== 'paragraph' || list?.type !== 'list') return assert.fail('unexpected blocks');
    assert.equal(plainText(withLead.leadIn!), 'Ce qu’on sait.');
    assert.equal(withLead.children[0]?.type === 'text' && withLead.children[0].value, 'Les foyers.');
    // Bold words alone are not a lead-in: nothing runs on after them.
    assert.equal(allBold.leadIn, undefined);
    assert.deepEqual(
      list.items.map((i) => [i.lead ? plainText(i.lead) : null, plainText(i.children)]),
      [
        ['9 h 30', 'Audition.'],
        [null, 'Sans gras.'],
        [null, 'Seul'],
      ],
    );
  });

  it('keeps text exactly as typed (no typography)', () => {
    const { edition } = parse('# S\n\nIl a dit "oui"... l\'homme -- 4000 ?\n');
    const p = edition!.sections[0]!.blocks[0]!;
    assert.equal(p.type === 'paragraph' && plainText(p.children), 'Il a dit "oui"... l\'homme -- 4000 ?');
  });

  it('makes unique, accent-folded ids', () => {
    const { edition } = parse('# Médias\n\n## Été.\n\nA.\n\n# Médias\n\n## Été.\n\nB.\n');
    assert.deepEqual(
      edition!.sections.flatMap((s) => [s.id, ...s.stories.map((st) => st.id)]),
      ['medias', 's1-ete', 'medias-2', 's2-ete'],
    );
  });

  it('freezes the edition all the way down', () => {
    const { edition } = parse(VALID_BODY);
    assert.ok(Object.isFrozen(edition));
    assert.ok(Object.isFrozen(edition!.sections[0]!.stories[0]!.blocks[0]));
    assert.ok(Object.isFrozen(edition!.menu));
    assert.throws(() => {
      (edition!.sections as unknown as unknown[]).push(1);
    });
  });

  it('counts positions without a byte-order mark and accepts CRLF line ends', () => {
    const source = `\uFEFF${FM}${VALID_BODY}\n### Trop\n`.replace(/\n/g, '\r\n');
    const { diagnostics, edition } = parseEdition(source, { file: 'e.md' });
    assert.ok(edition);
    assert.deepEqual(places(diagnostics), ['heading-too-deep@13:1']);
  });
});

describe('parseEdition: front matter', () => {
  it('requires a front matter', () => {
    const r = parseEdition(VALID_BODY, { file: 'e.md' });
    assert.deepEqual(places(r.diagnostics), ['front-matter-missing@1:1']);
    assert.equal(r.edition, undefined);
  });

  it('reports a front matter never closed', () => {
    const r = parseEdition('---\npublication: tech-matin\n\n# S\n\nText.\n', { file: 'e.md' });
    assert.deepEqual(only(r.diagnostics, 'front-matter-unclosed'), ['front-matter-unclosed@1:1']);
    assert.deepEqual(only(r.diagnostics, 'thematic-break'), []);
  });

  it('reports each missing required key', () => {
    const r = parse(VALID_BODY, '---\nwith: Paul\n---\n');
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.rule}@${d.line}:${d.column} ${d.message}`),
      ['publication', 'date', 'by'].map((key) => `front-matter-required@3:1 front matter lacks \`${key}\`: add it above the closing \`---\``),
    );
    assert.equal(r.edition, undefined);
    // Empty or not, always at the closing `---` line.
    const empty = parse(VALID_BODY, '---\n---\n').diagnostics.filter((d) => d.rule === 'front-matter-required');
    assert.deepEqual(empty.map((d) => `${d.line}:${d.column}`), ['2:1', '2:1', '2:1']);
    const long = parse(VALID_BODY, '---\npublication: tech-matin\ndate: 2026-03-02\n\n---\n').diagnostics.filter((d) => d.rule === 'front-matter-required');
    assert.deepEqual(long.map((d) => `${d.line}:${d.column}`), ['5:1']);
  });

  it('reports unknown keys with the closest known one', () => {
    const r = parse(VALID_BODY, `${FM.slice(0, -4)}thank: Lucie\nsubjet: X\nzzzzzz: 1\n---\n`);
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.rule}@${d.line}:${d.column} ${d.message}`),
      [
        'front-matter-unknown-key@5:1 unknown front-matter key `thank` (did you mean `thanks`?)',
        'front-matter-unknown-key@6:1 unknown front-matter key `subjet` (did you mean `subject`?)',
        'front-matter-unknown-key@7:1 unknown front-matter key `zzzzzz`',
      ],
    );
  });

  it('reports impossible dates and wrong date formats at the value', () => {
    for (const [value, ok] of [
      ['2026-02-30', false],
      ['2026-13-01', false],
      ['2025-02-29', false],
      ['2024-02-29', true],
      ['2 mars 2026', false],
      ['2026-3-2', false],
      ['"2026-03-02"', true],
      ['20260302', false],
      ['[2026-03-02]', false],
    ] as const) {
      const r = parse(VALID_BODY, `---\npublication: tech-matin\ndate: ${value}\nby: J\n---\n`);
      assert.deepEqual(places(r.diagnostics), ok ? [] : ['front-matter-date@3:7'], value);
    }
  });

  it('accepts `by` and `with` as a name or a list, refuses other shapes and empty names', () => {
    const fm = (by: string) => `---\npublication: tech-matin\ndate: 2026-03-02\nby: ${by}\n---\n`;
    assert.deepEqual(places(parse(VALID_BODY, fm('Jeanne')).diagnostics), []);
    assert.deepEqual(places(parse(VALID_BODY, fm('[Jeanne, Paul]')).diagnostics), []);
    assert.deepEqual(places(parse(VALID_BODY, fm('{ name: Jeanne }')).diagnostics), ['front-matter-type@4:5']);
    assert.deepEqual(places(parse(VALID_BODY, fm('[Jeanne, [Paul]]')).diagnostics), ['front-matter-type@4:14']);
    assert.deepEqual(places(parse(VALID_BODY, fm('[Jeanne, ""]')).diagnostics), ['front-matter-name@4:14']);
    assert.deepEqual(places(parse(VALID_BODY, fm('[]')).diagnostics), ['front-matter-name@4:5']);
    assert.deepEqual(places(parse(VALID_BODY, fm('""')).diagnostics), ['front-matter-name@4:5']);
  });

  it('refuses a publication that is not a slug, and text keys that are not text', () => {
    const r = parse(VALID_BODY, '---\npublication: Tech Matin\ndate: 2026-03-02\nby: J\nsubject: [a, b]\n---\n');
    assert.deepEqual(places(r.diagnostics), ['front-matter-publication@2:14', 'front-matter-type@5:10']);
  });

  it('reports YAML syntax errors at their line in the edition file', () => {
    const r = parse(VALID_BODY, '---\npublication: tech-matin\ndate: 2026-03-02\nby: [Jeanne\nthanks: x\n---\n');
    const yaml = r.diagnostics.filter((d) => d.rule === 'front-matter-yaml');
    assert.ok(yaml.length > 0);
    assert.ok(yaml.every((d) => d.line >= 4 && d.line <= 6), places(yaml).join());
    const dup = parse(VALID_BODY, `${FM.slice(0, -4)}by: Paul\n---\n`);
    assert.deepEqual(only(dup.diagnostics, 'front-matter-yaml'), ['front-matter-yaml@5:1']);
  });

  it('refuses a front matter that is not key: value lines', () => {
    assert.deepEqual(places(parse(VALID_BODY, '---\n- a\n- b\n---\n').diagnostics), ['front-matter-not-mapping@2:1']);
  });

  it('checks that the edition is for the publication given', () => {
    const publication = { slug: 'policy-morning' } as Publication;
    const r = parseEdition(FM + VALID_BODY, { file: 'e.md', publication });
    assert.deepEqual(places(r.diagnostics), ['publication-mismatch@2:1']);
    const ok = parseEdition(FM + VALID_BODY, { file: 'e.md', publication: { slug: 'tech-matin' } as Publication });
    assert.deepEqual(places(ok.diagnostics), []);
  });
});

describe('parseEdition: HTML in front-matter values', () => {
  it('is an error at the value, as in the body; an autolink is no HTML', () => {
    const fm =
      '---\npublication: tech-matin\ndate: 2026-03-02\nby: <b>Jeanne</b> Moreau\nwith: [Paul Girard, <i>Inès</i>]\n' +
      'thanks: Lucie <lucie@example.org>\nsubject: Un <span class="x">titre</span>\npreheader: Aperçu <!-- note -->\n---\n';
    const r = parse(VALID_BODY, fm);
    assert.deepEqual(
      r.diagnostics.map((d) => `${d.rule}@${d.line}:${d.column} ${d.message}`),
      [
        'raw-html@4:5 raw HTML `<b>` in `by` is not part of the format: write plain text',
        'raw-html@5:21 raw HTML `<i>` in `with` is not part of the format: write plain text',
        'raw-html@7:10 raw HTML `<span class="x">` in `subject` is not part of the format: write plain text',
        'raw-html@8:12 raw HTML `<!-- note -->` in `preheader` is not part of the format: write plain text',
      ],
    );
    assert.ok(hasErrors(r.diagnostics));
  });
});

describe('parseEdition: body rules', () => {
  const cases: Array<[name: string, body: string, expected: string[]]> = [
    ['raw HTML block', '# S\n\n<div>x</div>\n\nText.\n', ['raw-html@8:1']],
    ['raw HTML inline', '# S\n\nText <b>bold</b>.\n', ['raw-html@8:6', 'raw-html@8:13']],
    ['HTML comment', '# S\n\nText.\n\n<!-- note -->\n', ['raw-html@10:1']],
    ['heading level 3', '# S\n\nText.\n\n### Deep\n', ['heading-too-deep@10:1']],
    ['heading level 6', '# S\n\nText.\n\n###### Deep\n', ['heading-too-deep@10:1']],
    ['story before any section', '## K.\n\nText.\n\n# S\n\nText.\n', ['story-outside-section@6:1']],
    ['empty section label', '#\n\nText.\n', ['heading-empty@6:1']],
    ['empty kicker', '# S\n\n##\n\nText.\n', ['heading-empty@8:1']],
    ['fenced code block', '# S\n\nText.\n\n```\ncode\n```\n', ['code-block@10:1']],
    ['indented code block', '# S\n\nText.\n\n    code\n', ['code-block@10:1']],
    ['inline code', '# S\n\nRun `rm` now.\n', ['inline-code@8:5']],
    ['table', '# S\n\nText.\n\n| a | b |\n| - | - |\n| 1 | 2 |\n', ['table@10:1']],
    ['thematic break', '# S\n\nText.\n\n***\n\nMore.\n', ['thematic-break@10:1']],
    ['blockquote', '# S\n\n> Quoted.\n\nText.\n', ['blockquote@8:1']],
    ['problems inside a blockquote too', '# S\n\n> See [x](javascript:alert(1)).\n\nText.\n', ['blockquote@8:1', 'link-url@8:7']],
    ['a footnote mark inside a blockquote', '# S\n\n> See[^1].\n\nText.\n', ['blockquote@8:1', 'footnote@8:6']],
    ['menu not under a kicker', '# S\n\n> menu: Lost.\n\nText.\n', ['menu-misplaced@8:1']],
    ['menu after story text', '# S\n\n## K.\n\nText.\n\n> menu: Late.\n', ['menu-misplaced@12:1']],
    ['empty teaser', '# S\n\n## K.\n> menu:\n\nText.\n', ['teaser-empty@9:1']],
    ['teaser of spaces', '# S\n\n## K.\n> menu:   \n\nText.\n', ['teaser-empty@9:1']],
    ['teaser with more', '# S\n\n## K.\n> menu: T.\n>\n> More.\n\nText.\n', ['teaser-extra-content@11:3']],
    ['teaser lazy line', '# S\n\n## K.\n> menu: T.\nText joined.\n\nText.\n', ['teaser-lazy-line@10:1']],
    ['menu without >', '# S\n\n## K.\nmenu: T.\n\nText.\n', ['menu-not-quoted@9:1']],
    ['#Label without space', '# S\n\nText.\n\n#Médias\n', ['heading-no-space@10:1']],
    ['javascript link', '# S\n\nSee [x](javascript:alert(1)).\n', ['link-url@8:5']],
    ['data link', '# S\n\nSee [x](data:text/html,hi).\n', ['link-url@8:5']],
    ['relative link', '# S\n\nSee [x](/page).\n', ['link-url@8:5']],
    ['ftp link', '# S\n\nSee [x](ftp://example.org/f).\n', ['link-url@8:5']],
    ['mailto without address', '# S\n\nWrite [us](mailto:).\n', ['link-url@8:7']],
    ['link without text', '# S\n\nSee [](https://example.org).\n', ['link-empty@8:5']],
    ['image without alt', '# S\n\n![](https://example.org/a.png)\n', ['image-alt@8:1']],
    ['image with blank alt', '# S\n\n![ ](https://example.org/a.png)\n', ['image-alt@8:1']],
    ['image with a data URL', '# S\n\n![A chart](data:image/png;base64,AAAA)\n', ['image-url@8:1']],
    ['image with a relative URL', '# S\n\n![A chart](chart.png)\n', ['image-url@8:1']],
    ['reference link', '# S\n\nSee [x][r].\n\n[r]: https://example.org\n', ['reference-link@8:5', 'definition@10:1']],
    ['footnote', '# S\n\nSee[^1].\n\n[^1]: A note.\n', ['footnote@8:4', 'footnote@10:1']],
    ['footnote with a one-word note', '# S\n\nSee [^n].\n\n[^n]: https://example.org\n', ['footnote@8:5', 'footnote@10:1']],
    ['story without text', '# S\n\n## K.\n> menu: T.\n\n## L.\n\nText.\n', ['story-empty@8:1']],
    ['story without text at the end', '# S\n\n## K.\n', ['story-empty@8:1']],
    ['empty section', '# S\n\n# T\n\nText.\n', ['section-empty@6:1']],
    ['no section at all', 'Only an intro.\n', ['edition-empty@6:1']],
    ['empty list item', '# S\n\n- One.\n-\n- Three.\n', ['list-item-empty@9:1']],
    ['nested list', '# S\n\n- One.\n  - Inner.\n', ['list-item-complex@9:3']],
    ['two paragraphs in an item', '# S\n\n- One.\n\n  Two.\n', ['list-item-complex@10:3']],
    ['code in a list item', '# S\n\n- One.\n\n      code\n', ['list-item-complex@10:3', 'code-block@10:3']],
  ];
  for (const [name, body, expected] of cases) {
    it(`reports ${name}`, () => {
      assert.deepEqual(places(parse(body).diagnostics), expected);
    });
  }

  const valid: Array<[name: string, body: string]> = [
    ['http, https and mailto links', '# S\n\nSee [a](http://example.org), [b](https://example.org/x?y=1#z) and [c](mailto:a@example.org).\n'],
    ['an autolink', '# S\n\nSee <https://example.org>.\n'],
    ['an image with alt text', '# S\n\n![A chart of the fibre plan](https://example.org/a.png)\n'],
    ['a story under free content', '# S\n\nFree text.\n\n- An item.\n\n## K.\n\nStory text.\n'],
    ['an ordered list', '# S\n\n1. One.\n2. Two.\n'],
    ['emphasis and strong', '# S\n\n*Rien* n’est **joué**.\n'],
    ['a hard break', '# S\n\nOne  \nTwo.\n'],
    ['a teaser with markup', '# S\n\n## K.\n> menu: *Santé* : [le dossier](https://example.org).\n\nText.\n'],
    ['a blank line between kicker and teaser', '# S\n\n## K.\n\n> Menu : T.\n\nText.\n'],
    ['a hashtag inside text', '# S\n\nLe mot-clé #MeToo revient.\n'],
    ['a setext section', 'S\n=\n\nText.\n'],
    ['a teaser wrapped on two quoted lines', '# S\n\n## K.\n> menu: A long\n> teaser.\n\nText.\n'],
    ['a paragraph opening with menu: away from a kicker', '# S\n\nMenu: what the canteen serves.\n'],
    ['bold words that are not a lead (no space after)', '# S\n\n- **Dana Brooks**, of the Treasury.\n'],
  ];
  for (const [name, body] of valid) {
    it(`accepts ${name}`, () => {
      const r = parse(body);
      assert.deepEqual(places(r.diagnostics), []);
      assert.ok(r.edition);
    });
  }

  it('reports all problems at once, in reading order', () => {
    const r = parse('# S\n\n<b>x</b> `c`\n\n### D\n\n| a |\n| - |\n\n![](x)\n');
    assert.deepEqual(places(r.diagnostics), [
      'raw-html@8:1',
      'raw-html@8:5',
      'inline-code@8:10',
      'heading-too-deep@10:1',
      'table@12:1',
      'image-alt@15:1',
      'image-url@15:1',
    ]);
  });

  it('refuses a source too large to be a briefing, without reading it', () => {
    const r = parse(`# S\n\n${'*a'.repeat(MAX_SOURCE_LENGTH)}\n`);
    assert.deepEqual(places(r.diagnostics), ['edition-too-large@1:1']);
    assert.equal(r.edition, undefined);
  });

  it('reports nested blockquotes once', () => {
    assert.deepEqual(places(parse('# S\n\n>>>> Deep.\n\nText.\n').diagnostics), ['blockquote@8:1']);
  });

  it('keeps bold words without a following space as text, not a lead', () => {
    const { edition } = parse('# S\n\n- **Dana Brooks**, of the Treasury.\n');
    const list = edition!.sections[0]!.blocks[0]!;
    assert.ok(list.type === 'list' && list.items[0]!.lead === undefined && list.items[0]!.children[0]!.type === 'strong');
  });

  it('still returns the edition when only the body has errors', () => {
    const r = parse('# S\n\n```\nx\n```\n\nText.\n');
    assert.ok(hasErrors(r.diagnostics));
    assert.ok(r.edition);
    assert.ok(Object.isFrozen(r.edition));
  });
});

describe('rule registry', () => {
  it('holds every rule id parseEdition emits', () => {
    const sources = [
      readFileSync('test/fixtures/edition/invalid/input.md', 'utf8'),
      parseEdition.toString(),
      '---\n- a\n---\n',
      '---\npublication: x\n',
      'text',
    ];
    const emitted = new Set<string>();
    for (const source of sources) for (const d of parseEdition(source, { file: 'e.md' }).diagnostics) emitted.add(d.rule);
    for (const rule of emitted) assert.ok(isEditionRule(rule), `rule ${rule} is not in the registry`);
    assert.ok(emitted.size >= 10);
  });

  it('has kebab-case ids, a severity and a one-line description for each', () => {
    for (const [id, info] of Object.entries(EDITION_RULES)) {
      assert.match(id, /^[a-z]+(?:-[a-z]+)*$/);
      assert.ok(info.severity === 'error' || info.severity === 'warning');
      assert.ok(info.description.length > 10 && !info.description.includes('\n'), id);
    }
  });

  it('every rule id is emitted by some check in the edition folder', () => {
    const code = readdirSync('src/edition')
      .filter((f) => f.endsWith('.ts') && f !== 'rules.ts')
      .map((f) => readFileSync(`src/edition/${f}`, 'utf8'))
      .join('\n');
    for (const id of Object.keys(EDITION_RULES)) assert.ok(code.includes(`'${id}'`), `${id} is registered but never emitted`);
  });
});
