"""Sphinx configuration of the docs site: myst-nb reads the notebooks nbdev processed into `_proc/` (their outputs as
they are: nothing is executed), sphinx-book-theme draws the site. `bash scripts/docs` runs Sphinx with `-c docs` on `_proc/`.

`nbdev_marks` turns what nbdev leaves for Quarto into MyST, as each notebook is read:
- the frontmatter cell (title, description) becomes the page's heading and lead;
- a `show_doc` cell (`#| output: asis`) becomes the markdown it printed, so an API entry is a heading of the page
  (an anchor, an entry in the page's contents, text for the search) with its signature as a code block;
- nbdev's doc links (settings.ini's `doc_host` + `doc_baseurl` + `page.html#symbol`) point at this site's pages;
- `#| echo: false`, `#| output: false`, `#| include: false` become myst-nb's `remove-input`, `remove-output`,
  `remove-cell` tags, and no `#|` line is shown.
The home page (index) gets the navigation: every tutorial, then every chapter, each ordered by file name.
"""
import json, re
from functools import cache
from configparser import ConfigParser
from pathlib import Path

import yaml
from docutils import nodes

ROOT = Path(__file__).resolve().parent.parent
cfg = ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini'); cfg = cfg['DEFAULT']

project, author, copyright = cfg['title'], cfg['author'], cfg['copyright']
extensions = ['myst_nb', 'sphinx_copybutton']
source_suffix = {'.ipynb': 'myst-nb'}
exclude_patterns = ['_*', '.*', '**/.*']
nb_execution_mode = 'off'  # the notebooks carry their outputs
nb_merge_streams = True
myst_enable_extensions = ['attrs_inline', 'attrs_block']
myst_all_links_external = True  # links are made below, as plain relative URLs
# show_doc's `###` entries may follow a page's `#` title directly; a signature may hold a repr (`<factory>`) that is not Python
suppress_warnings = ['myst.header', 'misc.highlighting_failure']
pygments_style, pygments_dark_style = 'friendly', 'monokai'
copybutton_exclude = '.linenos, .gp, .go'

html_theme = 'sphinx_book_theme'
html_title = cfg['title']
html_static_path = ['_static']
html_css_files, html_js_files = ['site.css'], ['site.js']  # a few touches, and a fix for the menu on phones
html_copy_source = False
html_favicon = 'favicon.svg'  # drawn for this site: a network grown layer by layer
html_context = dict(default_mode='auto')  # pydata-sphinx-theme's light/dark mode before a reader picks one (unset: a console error)
html_theme_options = dict(
    repository_url=cfg['git_url'], repository_branch=cfg['branch'], path_to_docs=cfg['nbs_path'],
    use_repository_button=True, use_edit_page_button=True, use_download_button=False,
    show_toc_level=2, navigation_with_keys=False)

DOC_URL = re.compile(re.escape(cfg['doc_host'].rstrip('/') + cfg['doc_baseurl'].rstrip('/')) + r'/([\w\-/]+)\.html(?:#([^)\s"]*))?')
NAVIGATION = """```{toctree}\n:hidden:\n:caption: Tutorials\n:glob:\n\ntutorials/*\n```\n
```{toctree}\n:hidden:\n:caption: Chapters\n:glob:\n\n*\n```"""

def _text(x) -> str: return ''.join(x) if isinstance(x, list) else x

@cache
def _pages(srcdir: Path) -> dict:
    "nbdev's page names (a notebook's `output-file`, in its folder) → this site's (the notebook's path, as .html)."
    pages = {}
    for nb in srcdir.rglob('*.ipynb'):
        rel = nb.relative_to(srcdir)
        if any(p.startswith(('_', '.')) for p in rel.parts): continue
        out = re.search(r'^output-file:\s*(\S+)\.html', _text(json.loads(nb.read_text())['cells'][0]['source']), re.M)
        pages[(rel.parent/(out.group(1) if out else rel.stem)).as_posix()] = rel.with_suffix('.html').as_posix()
    return pages

def _api_entry(markdown: str) -> str:
    "show_doc's markdown, less Quarto's syntax: the rule above the entry goes, the source link gets a class."
    markdown = re.sub(r'^\s*---\s*', '', markdown)
    markdown = re.sub(r'\)\{target="_blank"[^}]*\}', '){.api-source}', markdown)
    head, _, rest = markdown.partition('\n\n')  # the source link, then the heading: the link goes under the heading
    if '{.api-source}' in head: heading, _, rest = rest.partition('\n\n'); markdown = f'{heading}\n\n{head}\n\n{rest}'
    # the name is text, not markdown: `RunStore.__repr__` is not "RunStore.**repr**"
    markdown = re.sub(r'^(#+ )(.*)$', lambda m: m.group(1) + m.group(2).replace('_', r'\_'), markdown, count=1, flags=re.M)
    parts = markdown.split('```')  # a doc link inside the signature would show as markdown: keep its name
    return '```'.join(re.sub(r'\[`?([^]`]+)`?\]\([^)]*\)', r'\1', p) if i % 2 else p for i, p in enumerate(parts))

def _cell(cell: dict, relink) -> dict:
    src = _text(cell['source'])
    if cell['cell_type'] == 'raw' and src.startswith('---'):
        front = yaml.safe_load(src.strip().strip('-')) or {}
        lead = f"\n\n{{.description}}\n{front['description']}" if front.get('description') else ''
        return dict(cell_type='markdown', metadata={}, source=f"# {front.get('title', '')}{lead}")
    if cell['cell_type'] == 'markdown': return {**cell, 'source': relink(src)}
    if cell['cell_type'] != 'code': return cell
    options = dict(re.findall(r'^#\|\s*([\w-]+)\s*:\s*(.*?)\s*$', src, re.M))
    if options.get('output') == 'asis':
        text = ''.join(_text(o.get('data', {}).get('text/markdown', '')) for o in cell.get('outputs', []))
        return dict(cell_type='markdown', metadata={}, source=relink(_api_entry(text)))
    tags = [tag for option, tag in (('echo', 'remove-input'), ('output', 'remove-output'), ('include', 'remove-cell'))
            if options.get(option) == 'false']
    source = '\n'.join(l for l in src.splitlines() if not l.startswith('#|')).strip('\n')
    return {**cell, 'source': source, 'metadata': {**cell.get('metadata', {}), **({'tags': tags} if tags else {})}}

def nbdev_marks(app, docname: str, source: list):
    "Sphinx's `source-read`: one notebook of `_proc/`, nbdev's marks in MyST's terms (see the module docstring)."
    if not app.env.doc2path(docname).suffix == '.ipynb': return
    pages, up = _pages(Path(app.srcdir)), '../' * docname.count('/')
    def one(m):
        page = pages.get(m.group(1))
        return up + page + ('#' + nodes.make_id(m.group(2)) if m.group(2) else '') if page else m.group(0)
    relink = lambda text: DOC_URL.sub(one, text)
    nb = json.loads(source[0])
    nb['cells'] = [_cell(c, relink) for c in nb['cells']]
    if docname == app.config.root_doc: nb['cells'].append(dict(cell_type='markdown', metadata={}, source=NAVIGATION))
    for i, c in enumerate(nb['cells']): c['id'] = c.get('id') or f'cell-{i}'
    source[0] = json.dumps(nb)

def api_anchors(app, doctree):
    "Sphinx's `doctree-read`: an API entry owns its name's anchor (`#search` is class Search, not the page titled search)."
    for section in list(doctree.findall(nodes.section)):
        paragraphs = [p for p in section.children if isinstance(p, nodes.paragraph)]
        if not any('api-source' in r['classes'] for p in paragraphs for r in p.findall(nodes.reference)): continue
        want, mine = nodes.make_id(section[0].astext()), section['ids'][0]
        if want == mine: continue
        if (other := doctree.ids.get(want)) is not None:  # the heading that took it first gets this entry's id instead
            other['ids'] = [mine if i == want else i for i in other['ids']]; doctree.ids[mine] = other
        section['ids'][0] = want; doctree.ids[want] = section

def setup(app):
    app.connect('source-read', nbdev_marks)
    app.connect('doctree-read', api_anchors, priority=100)  # before Sphinx collects the pages' contents
