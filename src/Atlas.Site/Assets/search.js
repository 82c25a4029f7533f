// The search page: finds units by "layer:unit", a unit number, a layer name or a class name in the
// index that the version's search-index.js put into window.circuitAtlasSearch. Results are built
// with DOM calls and textContent, so no name from a manifest is ever parsed as HTML.
(function () {
  'use strict';
  var data = window.circuitAtlasSearch;
  var root = document.querySelector('[data-search-page]');
  if (!data || !root) return;
  var form = root.querySelector('form');
  var input = form.querySelector('input[name="q"]');
  var list = root.querySelector('[data-results]');
  var status = root.querySelector('[data-search-status]');
  var limit = 200;

  function folder(layer) { return layer.page.replace(/index\.html$/, ''); }
  function unitResult(layer, u, why) {
    return {
      href: folder(layer) + u[0] + '.html',
      title: layer.name + ':' + u[0] + (u[1] ? ' · ' + u[1] : ''),
      detail: why,
      img: u[3]
    };
  }

  // Returns { results, exact } where exact is a single unit the query names precisely.
  function search(raw) {
    var q = raw.trim().toLowerCase();
    var results = [], seen = {}, exact = null;
    function add(r) { if (!seen[r.href] && results.length < limit) { seen[r.href] = true; results.push(r); } }
    if (!q) return { results: results, exact: null };

    var ref = /^(.*?)\s*[:\s]\s*(\d+)$/.exec(q);
    if (ref) {
      var unit = parseInt(ref[2], 10);
      [true, false].forEach(function (whole) {
        data.layers.forEach(function (layer) {
          var name = layer.name.toLowerCase();
          if (whole ? name !== ref[1] : name === ref[1] || name.indexOf(ref[1]) < 0) return;
          layer.units.forEach(function (u) {
            if (u[0] !== unit) return;
            var r = unitResult(layer, u, 'unit ' + unit + ' of layer ' + layer.name);
            if (whole && !exact) exact = r;
            add(r);
          });
        });
      });
    }
    if (/^\d+$/.test(q)) {
      data.layers.forEach(function (layer) {
        layer.units.forEach(function (u) { if (String(u[0]) === q) add(unitResult(layer, u, 'unit ' + q + ' of layer ' + layer.name)); });
      });
    }
    data.layers.forEach(function (layer) {
      if (layer.name.toLowerCase().indexOf(q) >= 0) {
        add({ href: layer.page, title: layer.name, detail: 'layer · ' + layer.units.length + ' units', img: layer.units.length ? layer.units[0][3] : null });
      }
    });
    // Class names: units labelled with the class first (exact before partial), then units whose top examples are more than half of it (the index names no class for the others).
    [1, 2].forEach(function (field) {
      [true, false].forEach(function (whole) {
        data.layers.forEach(function (layer) {
          layer.units.forEach(function (u) {
            var name = u[field] ? String(u[field]).toLowerCase() : '';
            if (!name || (whole ? name !== q : name === q || name.indexOf(q) < 0)) return;
            add(unitResult(layer, u, field === 1 ? 'class ' + u[1] : 'over half of the top examples: ' + u[2]));
          });
        });
      });
    });
    return { results: results, exact: exact };
  }

  var current = [];
  function render(query) {
    var found = search(query);
    current = found.results;
    while (list.firstChild) list.removeChild(list.firstChild);
    current.forEach(function (r) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = r.href;
      if (r.img) {
        var img = document.createElement('img');
        img.src = r.img; img.alt = ''; img.width = 48; img.height = 48; img.loading = 'lazy';
        a.appendChild(img);
      }
      var title = document.createElement('span');
      title.className = 'title';
      title.textContent = r.title;
      var detail = document.createElement('small');
      detail.textContent = r.detail;
      a.appendChild(title);
      a.appendChild(detail);
      li.appendChild(a);
      list.appendChild(li);
    });
    var q = query.trim();
    status.textContent = !q ? '' : current.length === 0 ? 'Nothing matches “' + q + '”.'
      : current.length + (current.length >= limit ? '+' : '') + ' result' + (current.length === 1 ? '' : 's') + ' for “' + q + '”';
    try { history.replaceState(null, '', q ? '?q=' + encodeURIComponent(q) : window.location.pathname); } catch (e) { /* file:// may refuse */ }
    return found;
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var found = render(input.value);
    var target = found.exact || current[0];
    if (target) window.location.href = target.href;
  });
  input.addEventListener('input', function () { render(input.value); });

  var initial = new URLSearchParams(window.location.search).get('q') || '';
  input.value = initial;
  var first = render(initial);
  // Coming from another page's search box with an exact "layer:unit": go straight to the unit.
  if (first.exact) { window.location.replace(first.exact.href); return; }
  input.focus();
})();
