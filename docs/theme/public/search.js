// Search box: MyST writes myst.search.json (one record per heading/paragraph); match every word typed.
(() => {
  const input = document.getElementById('site-search'), box = document.getElementById('site-search-results');
  if (!input) return;
  const base = document.body.dataset.base || '';
  let records = null;
  const load = async () => {
    if (records) return records;
    const index = await (await fetch(`${base}/myst.search.json`)).json();
    records = (index.records || []).map((r) => ({ ...r, text: [r.hierarchy && Object.values(r.hierarchy).join(' '), r.content].join(' ').toLowerCase() }));
    return records;
  };
  const esc = (s) => String(s || '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
  input.addEventListener('input', async () => {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) { box.hidden = true; return; }
    const hits = (await load()).filter((r) => words.every((w) => r.text.includes(w))).slice(0, 20);
    box.innerHTML = hits.length ? hits.map((r) => {
      const h = r.hierarchy || {}, title = [h.lvl1, h.lvl2, h.lvl3].filter(Boolean).join(' › ');
      return `<a href="${base}${r.url}"><span>${esc(title)}</span><small>${esc((r.content || '').slice(0, 120))}</small></a>`;
    }).join('') : '<a>no match</a>';
    box.hidden = false;
  });
  document.addEventListener('click', (e) => { if (!box.contains(e.target) && e.target !== input) box.hidden = true; });
})();
