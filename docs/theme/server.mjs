// The dggan_nb docs theme: a MyST site template whose pages are rendered here, on the server, with myst-to-html.
// `myst build --html` starts it with PORT, CONTENT_CDN_PORT (MyST's content server: config.json, content/<slug>.json,
// and the files it extracted), BASE_URL and MODE=static, fetches every page, and saves what it gets as static HTML.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mystToHtml } from 'myst-to-html';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PORT = Number(process.env.PORT || 3000);
const CONTENT = `http://${process.env.HOST || 'localhost'}:${process.env.CONTENT_CDN_PORT || 3100}`;
const BASE = (process.env.BASE_URL || '').replace(/\/$/, '');
const STATIC = process.env.MODE === 'static';

const escapeHtml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const stripAnsi = (s) => String(s).replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
// A file MyST extracted (an image in a notebook or a page): `myst build --html` copies them to <site>/build/ and
// rewrites this folder name to `${BASE_URL}/build/`; `myst start` serves them from the content server.
const asset = (url) => (/^(https?:|data:)/.test(url) ? url : STATIC ? `/myst_assets_folder${url}` : `${CONTENT}${url}`);
const pageUrl = (slug) => `${BASE}/${slug === 'index' ? '' : slug}`;

async function getJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

// ---- notebook outputs: the richest form a static page can show ----
const OUTPUT_ORDER = ['text/html', 'image/svg+xml', 'image/png', 'image/jpeg', 'image/gif', 'text/markdown', 'text/latex', 'text/plain'];
function mimeContent(item) {
  return typeof item === 'string' ? item : item?.content ?? '';
}
function renderOutput(out) {
  if (out.output_type === 'stream') {
    return `<pre class="output stream${out.name === 'stderr' ? ' stderr' : ''}">${escapeHtml(stripAnsi(out.text))}</pre>`;
  }
  if (out.output_type === 'error') {
    return `<pre class="output error">${escapeHtml(stripAnsi((out.traceback || []).join('\n')))}</pre>`;
  }
  const data = out.data || {};
  const mime = OUTPUT_ORDER.find((m) => m in data);
  if (!mime) return '';
  const item = data[mime];
  if (mime === 'text/html') return `<div class="output html">${mimeContent(item)}</div>`;
  if (mime === 'image/svg+xml') {
    if (item.path) return `<div class="output image"><img src="${asset(item.path)}" alt="figure"></div>`;
    const svg = mimeContent(item).replace(/<\?xml[^>]*>\s*/, '').replace(/<!DOCTYPE[^>]*>\s*/, '');
    return `<div class="output image svg">${svg}</div>`;
  }
  if (mime.startsWith('image/')) {
    const src = item.path ? asset(item.path) : `data:${mime};base64,${mimeContent(item)}`;
    return `<div class="output image"><img src="${src}" alt="figure"></div>`;
  }
  return `<pre class="output text">${escapeHtml(stripAnsi(mimeContent(item)))}</pre>`;
}

// ---- the page's tree: small rewrites before myst-to-html turns it into HTML ----
function prepare(node, headings) {
  if (node.visibility === 'remove') return null;
  if (node.type === 'comment') return null;
  if (node.type === 'outputs') {
    const html = (node.children || []).filter((o) => o.visibility !== 'remove').map((o) => renderOutput(o.jupyter_data || {})).join('\n');
    return html ? { type: 'html', value: `<div class="outputs">${html}</div>` } : null;
  }
  if (node.type === 'image') node.url = asset(node.url);
  if (node.type === 'link' && node.url?.startsWith('/')) node.url = BASE + node.url;
  if (node.type === 'crossReference' && node.resolved) {  // a link to a heading, here or on another page
    const id = node.html_id || node.identifier;
    node.type = 'link'; node.url = (node.url ? BASE + node.url : '') + (id ? `#${id}` : '');
  }
  if (node.type === 'heading') {
    node.identifier = node.html_id || node.identifier;
    if (node.depth <= 3 && headings) headings.push({ depth: node.depth, id: node.identifier, text: textOf(node) });
  }
  if (node.children) node.children = node.children.map((c) => prepare(c, headings)).filter(Boolean);
  if (node.type === 'paragraph' && node.children?.length === 1 && node.children[0].type === 'link' &&
      textOf(node.children[0]) === 'source') {  // show_doc's link to the code: a small label at the right
    return { type: 'html', value: `<p class="source-link"><a href="${escapeHtml(node.children[0].url)}">source</a></p>` };
  }
  return node;
}
const textOf = (node) => (node.value ?? '') + (node.children || []).map(textOf).join('');

function sidebar(config, slug) {
  const project = config.projects?.[0] || {};
  const items = [{ slug: project.index || 'index', title: project.title || config.title, level: 1 }, ...(project.pages || [])];
  return items.map((p) => {
    if (!p.slug) return `<div class="nav-section level-${p.level}">${escapeHtml(p.title)}</div>`;
    const current = p.slug === slug ? ' aria-current="page"' : '';
    return `<a class="nav-page level-${p.level}" href="${pageUrl(p.slug)}"${current}>${escapeHtml(p.title)}</a>`;
  }).join('\n');
}

async function renderPage(slug) {
  const config = await getJson(`${CONTENT}/config.json`);
  const project = config.projects?.[0] || {};
  const page = await getJson(`${CONTENT}/content/${slug}.json`);
  const fm = page.frontmatter || {};
  const headings = [];
  const tree = prepare(structuredClone(page.mdast), headings);
  const body = mystToHtml(tree, { hast: { allowDangerousHtml: true }, stringifyHtml: { allowDangerousHtml: true } });
  const title = fm.title || slug;
  const toc = headings.filter((h) => h.depth >= 2)
    .map((h) => `<a class="toc-${h.depth}" href="#${escapeHtml(h.id)}">${escapeHtml(h.text)}</a>`).join('\n');
  const github = project.github || config.github;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – ${escapeHtml(config.title || project.title || '')}</title>
${fm.description ? `<meta name="description" content="${escapeHtml(fm.description)}">` : ''}
<link rel="stylesheet" href="${BASE}/theme.css">
</head>
<body data-base="${BASE}">
<header class="topbar">
  <a class="brand" href="${pageUrl('index')}">${escapeHtml(config.title || project.title || '')}</a>
  <div class="search"><input id="site-search" type="search" placeholder="Search the docs" autocomplete="off"><div id="site-search-results" hidden></div></div>
  ${github ? `<a class="github" href="${escapeHtml(github)}">GitHub</a>` : ''}
</header>
<div class="layout">
<nav class="sidebar">
${sidebar(config, slug)}
</nav>
<main class="article">
<h1 class="title">${escapeHtml(title)}</h1>
${fm.description ? `<p class="description">${escapeHtml(fm.description)}</p>` : ''}
${body}
</main>
<aside class="toc">${toc ? `<div class="toc-title">On this page</div>\n${toc}` : ''}</aside>
</div>
<script src="${BASE}/search.js" defer></script>
</body>
</html>
`;
}

function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type });
  res.end(body);
}

const server = http.createServer(async (req, res) => {
  try {
    let url = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (BASE && url.startsWith(BASE)) url = url.slice(BASE.length) || '/';
    const file = path.join(HERE, 'public', path.normalize(url).replace(/^(\.\.[/\\])+/, ''));
    if (url !== '/' && fs.existsSync(file) && fs.statSync(file).isFile()) {
      const type = { '.css': 'text/css', '.js': 'text/javascript' }[path.extname(file)] || 'application/octet-stream';
      return send(res, 200, type, fs.readFileSync(file));
    }
    if (url === '/robots.txt') return send(res, 200, 'text/plain', 'User-agent: *\nAllow: /\n');
    if (url === '/myst-theme.css') return send(res, 200, 'text/css', '/* the theme\'s styles are in theme.css */\n');
    if (url === '/sitemap.xml') return send(res, 200, 'application/xml', '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>\n');
    if (url === '/sitemap_style.xsl') return send(res, 200, 'application/xml', '<?xml version="1.0"?>\n');
    if (url === '/favicon.ico') return send(res, 204, 'image/x-icon', '');
    if (url.endsWith('.json')) {  // the page's MyST tree, as the book theme serves it
      const r = await fetch(`${CONTENT}/content${url}`);
      return send(res, r.status, 'application/json', Buffer.from(await r.arrayBuffer()));
    }
    const config = await getJson(`${CONTENT}/config.json`);
    const slug = url.replace(/^\/|\/$/g, '') || config.projects?.[0]?.index || 'index';
    return send(res, 200, 'text/html; charset=utf-8', await renderPage(slug));
  } catch (err) {
    console.error(`${req.url}: ${err.stack || err}`);
    send(res, 404, 'text/plain', `not found: ${req.url}\n`);
  }
});
server.listen(PORT, () => console.log(`dggan_nb theme listening on http://localhost:${PORT}`));
