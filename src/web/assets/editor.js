/* global document, window, history */
// The edition editor: as the author types, the source goes to
// POST /api/editions/preview and the diagnostics and the renderings (email,
// plain text, web page) come back; the preview switches between them without
// reloading; a diagnostic's place puts the cursor there in the source; unsaved
// text is kept for the person (POST /api/editions/:id/unsaved) and leaving
// the page with it asks first. No framework: one debounced request at a time,
// the newest one wins.
(function () {
  'use strict';
  var form = document.getElementById('editor-form');
  var source = document.getElementById('source');
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!form || !source || !meta) return;
  var frame = document.getElementById('preview');
  var list = document.getElementById('diagnostics');
  var state = document.getElementById('preview-state');
  var baseField = form.querySelector('input[name="base"]');
  var publication = form.getAttribute('data-publication');
  var edition = Number(form.getAttribute('data-edition'));
  var locked = form.getAttribute('data-locked') === 'true';
  var token = meta.getAttribute('content');
  var timer = null;
  var unsavedTimer = null;
  var sequence = 0;
  // The preview request in flight, aborted when a newer one starts.
  var previewing = null;
  var saved = source.value;
  var leaving = false;
  var rendered = null;
  var view = frame ? frame.getAttribute('data-view') : null;

  function say(text) {
    if (state) state.textContent = text;
  }

  function post(url, body, keepalive, signal) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      keepalive: Boolean(keepalive),
      signal: signal,
      headers: { 'content-type': 'application/json', 'x-csrf-token': token },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) throw new Error((answer.error && answer.error.message) || response.statusText);
        return answer;
      });
    });
  }

  // --- Diagnostics, and the way to their place in the source.

  // What lint could not check (grammar without its checker): said under the list, once each.
  function showNotes(notes) {
    var box = document.getElementById('lint-notes');
    if (!box) return;
    box.textContent = '';
    notes.forEach(function (note) {
      var p = document.createElement('p');
      p.className = 'muted lint-note';
      p.textContent = 'Note: ' + note;
      box.appendChild(p);
    });
  }

  function showDiagnostics(diagnostics) {
    list.textContent = '';
    if (diagnostics.length === 0) {
      var ok = document.createElement('li');
      ok.className = 'ok';
      ok.textContent = 'No problem found.';
      list.appendChild(ok);
      return;
    }
    diagnostics.forEach(function (d) {
      var li = document.createElement('li');
      li.className = d.severity;
      var where = document.createElement('button');
      where.type = 'button';
      where.className = 'where';
      where.setAttribute('data-line', d.line);
      where.setAttribute('data-column', d.column);
      // The visible text starts the accessible name (WCAG 2.5.3: speech users say what they see).
      where.setAttribute('aria-label', d.line + ':' + d.column + ', go to line ' + d.line + ', column ' + d.column);
      where.textContent = d.line + ':' + d.column;
      var severity = document.createElement('strong');
      severity.textContent = d.severity;
      var rule = document.createElement('code');
      rule.textContent = d.rule;
      li.append(where, ' ', severity, ' ' + d.message + ' ', rule);
      if (d.rule === 'unknown-word' && d.word) li.append(' ', learnForm(d.word));
      list.appendChild(li);
    });
  }

  // An unknown word's « add to the word list »: the same form as the page's
  // (pages/word-list-pages.ts), which works without the script too.
  function learnForm(word) {
    var learn = document.createElement('form');
    learn.method = 'post';
    learn.action = '/newsroom/publications/' + encodeURIComponent(publication) + '/words';
    learn.className = 'learn';
    [
      ['_csrf', token],
      ['word', word],
      ['back', '/newsroom/editions/' + edition],
    ].forEach(function (pair) {
      var input = document.createElement('input');
      input.type = 'hidden';
      input.name = pair[0];
      input.value = pair[1];
      learn.appendChild(input);
    });
    var button = document.createElement('button');
    button.type = 'submit';
    button.textContent = 'Add « ' + word + ' » to the word list';
    learn.appendChild(button);
    return learn;
  }

  // Columns count characters (code points), as the diagnostics do, not UTF-16 units.
  function offsetOf(text, line, column) {
    var lines = text.split('\n');
    var offset = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
    var chars = Array.from(lines[Math.min(line, lines.length) - 1] || '').slice(0, Math.max(0, column - 1));
    return Math.min(text.length, offset + chars.join('').length);
  }

  function jump(line, column) {
    var at = offsetOf(source.value, line, column);
    source.focus();
    source.setSelectionRange(at, at);
    var height = parseFloat(window.getComputedStyle(source).lineHeight) || 20;
    source.scrollTop = Math.max(0, (line - 1) * height - source.clientHeight / 3);
  }

  if (list) {
    // Adding a word keeps the text being typed: the word goes in by the API, then the preview is asked for again.
    list.addEventListener('submit', function (event) {
      var learn = event.target;
      if (!learn.classList || !learn.classList.contains('learn')) return;
      event.preventDefault();
      var word = learn.querySelector('input[name="word"]').value;
      var button = learn.querySelector('button');
      button.disabled = true;
      post('/api/publications/' + encodeURIComponent(publication) + '/words', { word: word })
        .then(function () {
          say('« ' + word + ' » added to the word list.');
          refresh();
        })
        .catch(function (err) {
          button.disabled = false;
          say('Not added: ' + err.message);
        });
    });
    list.addEventListener('click', function (event) {
      var button = event.target.closest ? event.target.closest('button.where') : null;
      if (!button) return;
      jump(Number(button.getAttribute('data-line')), Number(button.getAttribute('data-column')));
    });
  }

  // --- The preview: four views of one rendering.

  function escapeHtml(text) {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  }

  // The same documents as previewDocument (pages/editor-parts.ts).
  function documentFor(which) {
    if (!rendered) return null;
    if (which === 'web') return rendered.html;
    if (which === 'text') {
      return rendered.text === null
        ? null
        : '<!doctype html><meta charset="utf-8"><title>Plain text</title><pre style="white-space:pre-wrap;font:13px/1.5 monospace;margin:1rem">' +
            escapeHtml(rendered.text) +
            '</pre>';
    }
    return rendered.email;
  }

  // The frame may be read from here (sandbox allow-same-origin, still no
  // scripts inside): keep the reader's scroll position across updates.
  function showPage(markup, keepScroll) {
    var y = 0;
    try {
      y = keepScroll ? frame.contentWindow.scrollY : 0;
    } catch {
      y = 0;
    }
    frame.addEventListener('load', function restore() {
      frame.removeEventListener('load', restore);
      try {
        frame.contentWindow.scrollTo(0, y);
      } catch {
        // nothing to restore
      }
    });
    frame.srcdoc = markup;
  }

  function show(which, keepScroll) {
    var markup = documentFor(which);
    if (markup !== null && markup !== undefined) showPage(markup, keepScroll);
  }

  function switchTo(which, label) {
    view = which;
    frame.className = 'view-' + which;
    frame.setAttribute('data-view', which);
    frame.title = 'Preview: ' + label;
    document.querySelectorAll('.views a').forEach(function (a) {
      if (a.getAttribute('data-view') === which) a.setAttribute('aria-current', 'true');
      else a.removeAttribute('aria-current');
    });
    var url = new URL(window.location.href);
    url.searchParams.set('view', which);
    history.replaceState(null, '', url);
    if (rendered) show(which, false);
    else refresh();
  }

  document.querySelectorAll('.views a').forEach(function (a) {
    a.addEventListener('click', function (event) {
      if (!frame) return;
      event.preventDefault();
      switchTo(a.getAttribute('data-view'), a.textContent);
    });
  });

  function refresh() {
    if (!frame || !list) return;
    var mine = ++sequence;
    say('Updating preview…');
    // The preview this one replaces is dropped here (its answer no longer
    // matters), and the edition lets the server stop rendering it: a 409 for a
    // request still open would be an error in the console for no fault.
    if (previewing) previewing.abort();
    previewing = new AbortController();
    post('/api/editions/preview', { publication: publication, edition: edition, source: source.value }, false, previewing.signal)
      .then(function (body) {
        if (mine !== sequence) return;
        rendered = { html: body.html, email: body.email, text: body.text };
        show(view, true);
        showDiagnostics(body.diagnostics);
        showNotes(body.notes || []);
        var errors = body.diagnostics.filter(function (d) {
          return d.severity === 'error';
        }).length;
        say(errors ? 'Preview updated: ' + errors + ' error(s).' : 'Preview updated.');
      })
      .catch(function (err) {
        if (mine === sequence && err.name !== 'AbortError') say('Preview failed: ' + err.message);
      });
  }

  // --- Unsaved text: kept for the person (nobody else sees it), and a warning before leaving.

  // `leavingNow`: sent as the page goes away (a keepalive request, which browsers cap at 64 kB).
  function keepUnsavedText(leavingNow) {
    if (locked || !baseField || source.value === saved) return;
    if (leavingNow && source.value.length > 60000) return;
    post('/api/editions/' + edition + '/unsaved', { source: source.value, base: Number(baseField.value) }, leavingNow)
      .then(function () {
        say('Unsaved changes kept (only you see them until you save).');
      })
      .catch(function (err) {
        say('Your unsaved changes could not be kept: ' + err.message);
      });
  }

  source.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
    clearTimeout(unsavedTimer);
    unsavedTimer = setTimeout(function () {
      keepUnsavedText(false);
    }, 2000);
  });

  form.addEventListener('submit', function () {
    leaving = true;
    clearTimeout(unsavedTimer);
  });

  window.addEventListener('beforeunload', function (event) {
    if (leaving || locked || source.value === saved) return;
    clearTimeout(unsavedTimer);
    keepUnsavedText(true);
    event.preventDefault();
    // Older browsers show the prompt only when a value is set.
    event.returnValue = '';
  });
})();
