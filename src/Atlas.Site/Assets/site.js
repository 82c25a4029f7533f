// Keyboard navigation on unit pages: ← previous unit, → next unit, ↑ the layer. Targets come from
// the page's <link rel="prev|next|up">, so the script holds no paths of its own.
document.addEventListener('keydown', function (e) {
  if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
  var t = e.target;
  if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
  var rel = { ArrowLeft: 'prev', ArrowRight: 'next', ArrowUp: 'up' }[e.key];
  var link = rel && document.querySelector('link[rel="' + rel + '"]');
  if (!link) return;
  e.preventDefault();
  window.location.href = link.href;
});
