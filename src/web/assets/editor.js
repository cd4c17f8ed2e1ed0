/* global document */
// Live preview for the edition editor: as the author types, the source goes to
// POST /api/editions/preview and the diagnostics and the rendered page come
// back. No framework: one debounced request at a time, the newest one wins.
(function () {
  'use strict';
  var form = document.getElementById('editor-form');
  var source = document.getElementById('source');
  var frame = document.getElementById('preview');
  var list = document.getElementById('diagnostics');
  var state = document.getElementById('preview-state');
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!form || !source || !frame || !list || !meta) return;
  var publication = form.getAttribute('data-publication');
  var edition = Number(form.getAttribute('data-edition'));
  var token = meta.getAttribute('content');
  var timer = null;
  var sequence = 0;

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
      var where = document.createElement('span');
      where.className = 'where';
      where.textContent = d.line + ':' + d.column;
      var severity = document.createElement('strong');
      severity.textContent = d.severity;
      var rule = document.createElement('code');
      rule.textContent = d.rule;
      li.append(where, ' ', severity, ' ' + d.message + ' ', rule);
      list.appendChild(li);
    });
  }

  // The frame may be read from here (sandbox allow-same-origin, still no
  // scripts inside): keep the reader's scroll position across updates.
  function showPage(markup) {
    var y = 0;
    try {
      y = frame.contentWindow.scrollY;
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

  function refresh() {
    var mine = ++sequence;
    state.textContent = 'Updating preview…';
    fetch('/api/editions/preview', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': token },
      // The edition lets the server cancel the preview this one replaces.
      body: JSON.stringify({ publication: publication, edition: edition, source: source.value }),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error((body.error && body.error.message) || response.statusText);
          return body;
        });
      })
      .then(function (body) {
        if (mine !== sequence) return;
        if (body.html !== null) showPage(body.html);
        showDiagnostics(body.diagnostics);
        var errors = body.diagnostics.filter(function (d) { return d.severity === 'error'; }).length;
        state.textContent = errors ? 'Preview updated: ' + errors + ' error(s).' : 'Preview updated.';
      })
      .catch(function (err) {
        if (mine === sequence) state.textContent = 'Preview failed: ' + err.message;
      });
  }

  source.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();
