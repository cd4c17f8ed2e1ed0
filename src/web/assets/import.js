/* global document, window, XMLHttpRequest */
// Upload of an import file: the file goes up as the request body (streamed,
// no multipart to take apart on the server), with its progress shown; the
// server answers where the mapping of its columns is, or why it refused it.
(function () {
  'use strict';
  var form = document.getElementById('upload-form');
  var input = document.getElementById('file');
  var bar = document.getElementById('upload-progress');
  var state = document.getElementById('upload-state');
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!form || !input || !bar || !state || !meta) return;
  var max = Number(form.getAttribute('data-max-bytes'));

  function problem(text) {
    state.textContent = text;
    state.setAttribute('role', 'alert');
    bar.hidden = true;
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var file = input.files && input.files[0];
    if (!file) return problem('Choose a file first.');
    if (file.size > max) return problem('The file is larger than ' + Math.round(max / 1048576) + ' MiB: split it, or use matinale subscribers import.');
    var request = new XMLHttpRequest();
    request.open('POST', form.getAttribute('action'));
    request.setRequestHeader('content-type', 'text/csv');
    request.setRequestHeader('x-csrf-token', meta.getAttribute('content'));
    request.setRequestHeader('x-file-name', encodeURIComponent(file.name));
    state.setAttribute('role', 'status');
    state.textContent = 'Uploading…';
    bar.hidden = false;
    bar.value = 0;
    request.upload.addEventListener('progress', function (e) {
      if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
    });
    request.addEventListener('load', function () {
      var body = null;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = null;
      }
      if (request.status >= 200 && request.status < 300 && body && body.next) {
        state.textContent = 'Uploaded.';
        window.location.assign(body.next);
      } else {
        problem((body && body.error && body.error.message) || 'The upload failed (' + request.status + ').');
      }
    });
    request.addEventListener('error', function () {
      problem('The upload failed: the connection was lost.');
    });
    request.send(file);
  });
})();
