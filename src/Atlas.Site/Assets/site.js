// Circuit Atlas pages: keyboard navigation, the overlay toggle's memory, and the layer grid's sort
// and filter. Everything here is an enhancement: every page works without it.
(function () {
  'use strict';

  // Storage can be unavailable (file:// in some browsers, private modes); the site must not care.
  function remember(key, value) {
    try {
      if (value === undefined) return window.localStorage.getItem(key);
      window.localStorage.setItem(key, value);
    } catch (e) { /* not remembered */ }
    return null;
  }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // ← previous, → next, ↑ up: targets come from the page's <link rel="prev|next|up">, so the script
  // holds no paths of its own. "/" focuses the search box.
  document.addEventListener('keydown', function (e) {
    if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || typing(e.target)) return;
    if (e.key === '/') {
      var box = document.querySelector('[data-search-input]');
      if (box) { e.preventDefault(); box.focus(); box.select(); }
      return;
    }
    var rel = { ArrowLeft: 'prev', ArrowRight: 'next', ArrowUp: 'up' }[e.key];
    // ↑ is also the key that scrolls up: below the top of a long page (a unit's examples, a layer's grid) it scrolls.
    if (rel === 'up' && (window.scrollY || document.documentElement.scrollTop) > 0) return;
    var link = rel && document.querySelector('link[rel="' + rel + '"]');
    if (!link) return;
    e.preventDefault();
    window.location.href = link.href;
  });

  // The overlay checkbox works through CSS alone; this only carries its state from unit to unit.
  var overlay = document.querySelector('[data-overlay-toggle]');
  if (overlay) {
    if (remember('circuit-atlas-overlays') === '1') overlay.checked = true;
    overlay.addEventListener('change', function () { remember('circuit-atlas-overlays', overlay.checked ? '1' : '0'); });
  }

  var grid = document.querySelector('[data-grid]');
  var controls = document.querySelector('[data-grid-controls]');
  if (!grid || !controls) return;
  var filter = controls.querySelector('[data-filter]');
  var sort = controls.querySelector('[data-sort]');
  var count = controls.querySelector('[data-count]');
  function number(li, name, missing) {
    var v = li.getAttribute(name);
    return v === null || v === '' ? missing : parseFloat(v);
  }
  // Read every tile once; sorting thousands of tiles then touches the DOM a single time.
  var tiles = Array.prototype.map.call(grid.children, function (li) {
    return {
      li: li,
      index: number(li, 'data-i', 0),
      max: number(li, 'data-max', -Infinity),
      spread: number(li, 'data-spread', Infinity),
      text: li.getAttribute('data-text') || ''
    };
  });
  var orders = {
    index: function (a, b) { return a.index - b.index; },
    max: function (a, b) { return b.max - a.max || a.index - b.index; },
    spread: function (a, b) { return a.spread - b.spread || a.index - b.index; }
  };

  function apply() {
    var query = filter.value.trim().toLowerCase();
    var order = orders[sort.value] || orders.index;
    var shown = 0;
    var fragment = document.createDocumentFragment();
    tiles.slice().sort(order).forEach(function (t) {
      var match = !query || (/^\d+$/.test(query) ? String(t.index) === query || t.text.indexOf(query) >= 0 : t.text.indexOf(query) >= 0);
      t.li.hidden = !match;
      if (match) shown++;
      fragment.appendChild(t.li);
    });
    grid.appendChild(fragment);
    count.textContent = shown === tiles.length ? tiles.length + ' units' : shown + ' of ' + tiles.length + ' units';
    // The state goes into the fragment so a sorted, filtered grid can be bookmarked or shared.
    var state = (sort.value !== 'index' ? 'sort=' + encodeURIComponent(sort.value) : '') +
      (query ? (sort.value !== 'index' ? '&' : '') + 'filter=' + encodeURIComponent(query) : '');
    try { history.replaceState(null, '', state ? '#' + state : window.location.pathname + window.location.search); } catch (e) { /* file:// may refuse */ }
  }

  // A fragment typed or cut short by hand ("#filter=%") is read as it stands: decodeURIComponent would throw, and
  // the grid would be left without its controls.
  function decode(text) {
    try { return decodeURIComponent(text); } catch (e) { return text; }
  }
  (window.location.hash || '').replace(/^#/, '').split('&').forEach(function (part) {
    var kv = part.split('=');
    var value = decode(kv[1] || '');
    if (kv[0] === 'sort' && orders[value] && sort.querySelector('option[value="' + value + '"]')) sort.value = value;
    if (kv[0] === 'filter') filter.value = value;
  });
  controls.hidden = false;
  controls.addEventListener('submit', function (e) { e.preventDefault(); });
  filter.addEventListener('input', apply);
  sort.addEventListener('change', apply);
  apply();
})();
