// Dashboard pages of an import from the browser: the upload form (its size
// limit stated), the mapping of the file's columns, the progress while it
// runs, and the report with the rejects file.
import { html, type SafeHtml } from '../html.ts';
import { CSRF_FIELD } from '../auth/guard.ts';
import type { DeskPublication } from '../desk.ts';
import type { ImportJob } from '../import-jobs.ts';
import type { ColumnMap } from '../../audience/import-columns.ts';

const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;

/** The upload form; the file goes up through /assets/import.js, streamed as the request body. */
export function uploadPage(publication: DeskPublication, maxBytes: number): SafeHtml {
  return html`<p><a href="/newsroom/publications/${publication.slug}/subscribers">← Subscribers of ${publication.name}</a></p>
<h1>Import subscribers into ${publication.name}</h1>
<p>A CSV file with a header row, separated by commas, semicolons or tabs, in UTF-8 or Windows-1252, <strong>at most ${mib(maxBytes)}</strong>.
Next you say which column holds what; nothing is written before that. Addresses already on the list are left as they are; suppressed ones are refused.</p>
<form id="upload-form" method="post" action="/api/publications/${publication.slug}/imports" data-max-bytes="${maxBytes}">
<p><label for="file">CSV file</label><br><input id="file" name="file" type="file" accept=".csv,.txt,text/csv" required aria-describedby="upload-state"></p>
<p><button type="submit">Upload</button></p>
<p><progress id="upload-progress" max="100" value="0" hidden aria-label="Upload"></progress> <span id="upload-state" role="status"></span></p>
</form>
<noscript><p class="problem">The upload needs JavaScript; or use <code>matinale subscribers import FILE.csv --publication ${publication.slug}</code>.</p></noscript>`;
}

const FIELDS: Array<{ key: keyof ColumnMap; label: string }> = [
  { key: 'email', label: 'Email address (required)' },
  { key: 'name', label: 'Name' },
  { key: 'firstName', label: 'First name' },
  { key: 'lastName', label: 'Last name' },
  { key: 'createdAt', label: 'Date they subscribed' },
  { key: 'consentSource', label: 'Source of their consent' },
];

/** The mapping of the uploaded file's columns, with what the import guessed from their names. */
export function mappingPage(publication: DeskPublication, job: ImportJob, csrf: string, problem?: string): SafeHtml {
  const choose = (key: keyof ColumnMap) => {
    const chosen = job.suggested?.[key];
    return html`<select id="col-${key}" name="${key}">
<option value=""${chosen === undefined ? html` selected` : null}>— not in the file —</option>
${job.headers.map((h, i) => html`<option value="${i}"${chosen === i ? html` selected` : null}>column ${i + 1}: ${h || '(no name)'}</option>`)}
</select>`;
  };
  return html`<p><a href="/newsroom/publications/${publication.slug}/subscribers">← Subscribers of ${publication.name}</a></p>
<h1>Which column holds what</h1>
<p>${job.fileName}: ${job.expectedRows} rows at most, ${job.encoding}.</p>
${problem ? html`<p class="problem" role="alert">${problem}</p>` : null}
<form method="post" action="/newsroom/imports/${job.id}/start">
<input type="hidden" name="${CSRF_FIELD}" value="${csrf}">
<fieldset><legend>Columns of the file</legend>
${FIELDS.map((f) => html`<p><label for="col-${f.key}">${f.label}</label><br>${choose(f.key)}</p>`)}
</fieldset>
<fieldset><legend>Consent</legend>
<p><label><input type="checkbox" name="confirmed" value="yes"> They already confirmed elsewhere: subscribe them as active at once</label></p>
<p><label for="consentText">Source of their consent, for rows without one</label><br><input id="consentText" name="consentText" type="text"></p>
<p><small>Without the box ticked they are pending, as if they had used the form, until they confirm.</small></p>
</fieldset>
<p><button type="submit">Import</button></p>
</form>`;
}

/** The progress of a running import, or its report. */
export function progressPage(publication: DeskPublication, job: ImportJob): SafeHtml {
  const p = job.progress;
  const back = html`<p><a href="/newsroom/publications/${publication.slug}/subscribers">← Subscribers of ${publication.name}</a></p>`;
  if (job.status === 'failed') {
    return html`${back}<h1>The import failed</h1><p class="problem" role="alert">${job.error ?? 'The import stopped.'}</p>
<p><a href="/newsroom/publications/${publication.slug}/import">Upload a file again</a></p>`;
  }
  const figures = p
    ? html`<dl class="facts"><dt>Rows read</dt><dd>${p.rows} of ${p.expectedRows} at most</dd><dt>Imported</dt><dd>${p.imported}</dd><dt>Unchanged</dt><dd>${p.unchanged}</dd><dt>Rejected</dt><dd>${p.rejected}</dd></dl>`
    : null;
  if (job.status !== 'done') {
    return html`${back}<h1>Importing ${job.fileName}</h1>
<p><progress max="${Math.max(1, job.expectedRows)}" value="${p?.rows ?? 0}" aria-label="Rows read"></progress></p>
<div role="status">${figures ?? html`<p>Starting…</p>`}</div>
<p><small>This page follows the import by itself.</small></p>`;
  }
  const rejects = job.sampleRejects ?? [];
  return html`${back}<h1>Import of ${job.fileName} done</h1>
<div role="status">${figures}</div>
${
  p && p.rejected > 0
    ? html`<p><a href="/newsroom/imports/${job.id}/rejects.csv" download>Download the ${p.rejected} rejected rows (CSV: line, reason, address)</a></p>
<div class="scroll"><table><caption>First rejected rows</caption>
<thead><tr><th scope="col">Line</th><th scope="col">Reason</th><th scope="col">Address</th></tr></thead>
<tbody>${rejects.map((r) => html`<tr><td>${r.line}</td><td>${r.reason}</td><td>${r.email}</td></tr>`)}</tbody></table></div>`
    : html`<p>No row was rejected.</p>`
}`;
}
