/* global document, window */
// The page of one send, live: polls GET /api/sends/:id every two seconds while
// the send may still move (scheduled, running, paused), rewrites the figures,
// the relay's answers and the controls from the JSON, and draws the rate over
// time as an SVG line. No meta-refresh: the page and its forms stay put.
(function () {
  'use strict';
  var root = document.getElementById('send');
  if (!root) return;
  var api = root.getAttribute('data-api');
  var SVG = 'http://www.w3.org/2000/svg';
  var MOVING = { scheduled: true, running: true, paused: true };

  function field(name) {
    return root.querySelector('[data-field="' + name + '"]');
  }

  function rate(perSecond) {
    if (perSecond === null) return '—';
    return (perSecond >= 10 ? Math.round(perSecond) : perSecond.toFixed(1)) + '/s';
  }

  function duration(seconds) {
    if (seconds < 90) return Math.ceil(seconds) + ' s';
    if (seconds < 5400) return Math.round(seconds / 60) + ' min';
    var h = Math.floor(seconds / 3600);
    return h + ' h ' + String(Math.round((seconds - h * 3600) / 60)).padStart(2, '0');
  }

  function showAnswers(answers) {
    var body = document.getElementById('answers');
    if (!body) return;
    body.textContent = '';
    if (answers.length === 0) {
      var none = document.createElement('tr');
      var cell = document.createElement('td');
      cell.colSpan = 3;
      cell.textContent = 'No answer from the relay yet.';
      none.appendChild(cell);
      body.appendChild(none);
      return;
    }
    answers.forEach(function (a) {
      var row = document.createElement('tr');
      var code = document.createElement('th');
      code.scope = 'row';
      code.textContent = a.code === null ? 'none' : String(a.code);
      var count = document.createElement('td');
      count.textContent = String(a.count);
      var texts = document.createElement('td');
      var list = document.createElement('ul');
      list.className = 'texts';
      a.texts.forEach(function (t) {
        var item = document.createElement('li');
        var text = document.createElement('code');
        text.textContent = t.text;
        item.append(text, ' × ' + t.count);
        list.appendChild(item);
      });
      texts.appendChild(list);
      row.append(code, count, texts);
      body.appendChild(row);
    });
  }

  function svgNode(name, attributes) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) {
      node.setAttribute(key, String(attributes[key]));
    });
    return node;
  }

  // A line of results per second over the send's time, with its peak and length written out for every reader.
  function drawChart(series) {
    var box = document.getElementById('rate-chart');
    if (!box) return;
    var points = series.points;
    var width = 600;
    var height = 160;
    var pad = 28;
    var peak = points.reduce(function (m, p) { return Math.max(m, p[1]); }, 0);
    var span = points.length ? points[points.length - 1][0] + series.slotSeconds : series.slotSeconds;
    var label = points.length === 0 ? 'No result yet.' : 'Peak ' + rate(peak) + ' over ' + duration(span) + ' of sending.';
    var svg = svgNode('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': 'Sending rate over time. ' + label, class: 'chart' });
    svg.appendChild(svgNode('line', { x1: pad, y1: height - pad, x2: width - 4, y2: height - pad, class: 'axis' }));
    svg.appendChild(svgNode('line', { x1: pad, y1: 4, x2: pad, y2: height - pad, class: 'axis' }));
    if (points.length > 0) {
      var x = function (t) { return pad + ((width - pad - 4) * t) / span; };
      var y = function (v) { return height - pad - (peak === 0 ? 0 : ((height - pad - 8) * v) / peak); };
      var path = points.map(function (p, i) { return (i === 0 ? 'M' : 'L') + x(p[0]).toFixed(1) + ' ' + y(p[1]).toFixed(1); }).join(' ');
      svg.appendChild(svgNode('path', { d: path, class: 'line' }));
      var top = svgNode('text', { x: pad + 4, y: 14, class: 'tick' });
      top.textContent = rate(peak);
      var end = svgNode('text', { x: width - 4, y: height - 8, class: 'tick', 'text-anchor': 'end' });
      end.textContent = duration(span);
      svg.append(top, end);
    }
    box.textContent = '';
    box.appendChild(svg);
    var text = document.createElement('p');
    text.className = 'chart-summary';
    text.textContent = label;
    box.appendChild(text);
  }

  function show(report) {
    var p = report.progress;
    field('status').textContent = p.status;
    var reason = field('reason');
    reason.textContent = p.statusReason || '';
    reason.hidden = !p.statusReason;
    var bar = field('progress');
    bar.max = Math.max(1, p.total);
    bar.value = p.finished;
    field('done').textContent = p.finished + ' of ' + p.total + ' recipients done';
    field('rate').textContent = rate(p.ratePerSecond);
    field('left').textContent = p.remaining === 0 ? '—' : p.secondsLeft === null ? '…' : duration(p.secondsLeft);
    field('slot').textContent = String(report.rate.slotSeconds);
    root.querySelectorAll('[data-count]').forEach(function (node) {
      var key = node.getAttribute('data-count');
      node.textContent = String(key === 'remaining' ? p.remaining : p.counts[key]);
    });
    root.querySelectorAll('[data-after]').forEach(function (node) {
      node.textContent = String(report.aftermath[node.getAttribute('data-after')]);
    });
    root.querySelectorAll('form[data-control]').forEach(function (form) {
      form.hidden = report.controls.indexOf(form.getAttribute('data-control')) < 0;
    });
    showAnswers(report.answers);
    drawChart(report.rate);
    return MOVING[p.status] === true;
  }

  // Every 2 s, or ten times as long as the server took to answer: a large
  // send's figures cost the database more, and each open page asks again.
  function poll() {
    var asked = Date.now();
    fetch(api, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) throw new Error('HTTP ' + response.status);
        return response.json();
      })
      .then(function (report) {
        if (show(report)) setTimeout(poll, Math.max(2000, 10 * (Date.now() - asked)));
      })
      .catch(function () {
        // The server restarting or the network gone: try again a little later.
        setTimeout(poll, 5000);
      });
  }

  // A cancel cannot be undone: the browser asks once more (without a script, the button acts at once).
  var cancel = root.querySelector('form[data-control="cancel"]');
  if (cancel) {
    cancel.addEventListener('submit', function (event) {
      if (!window.confirm('Cancel this send? The recipients not mailed yet will not get it (a resend can send them later).')) event.preventDefault();
    });
  }

  poll();
})();
