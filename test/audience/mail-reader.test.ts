// The test helper that reads mail as a mail program does must decode Subjects
// as RFC 2047 says, or tests comparing subjects would pass or fail for the wrong reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { readMail } from './mail-reader.ts';

const subjectOf = (header: string) => readMail(`Subject: ${header}\r\nTo: a@example.org\r\n\r\nbody\r\n`).subject;

test('encoded-words: the space between a word and plain text stays, the folding between two adjacent words goes', () => {
  assert.equal(subjectOf('=?UTF-8?Q?Caf=C3=A9?= du matin'), 'Café du matin');
  assert.equal(subjectOf('[TEST] =?UTF-8?B?w6l0w6k=?= ici'), '[TEST] été ici');
  assert.equal(subjectOf('=?UTF-8?Q?Le_caf=C3=A9?=\r\n =?UTF-8?Q?_du_matin?='), 'Le café du matin');
  // A character whose bytes a writer split across two words.
  assert.equal(subjectOf('=?UTF-8?Q?=C3?= =?UTF-8?Q?=A9t=C3=A9?='), 'été');
  assert.equal(subjectOf('plain subject'), 'plain subject');
});

test('a long French subject encoded by Nodemailer reads back as written', async () => {
  const subject = '[TEST] Tech Matin — « L’Arcep relève ses tarifs » : ce qu’il faut savoir avant lundi, et après';
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
  const info = await transport.sendMail({ from: 'a@example.org', to: 'b@example.org', subject, text: 'x' });
  assert.equal(readMail((info.message as Buffer).toString('utf8')).subject, subject);
});
