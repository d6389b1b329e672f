"""Turn the notebooks into a MyST project in `_myst/`: nbdev's docs processing (show_doc entries, doc links; what
`nbdev_proc_nbs` writes to `_proc/`), then what Quarto would do with nbdev's marks, in MyST's terms.

    python3 docs/prepare.py               # called by scripts/docs; writes _proc/ and _myst/ (both git-ignored)
    python3 docs/prepare.py --proc-only   # just _proc/, as `nbdev_proc_nbs` (scripts/test's docs check); --force: all again

- The frontmatter cell nbdev writes (a raw cell for Quarto) becomes MyST frontmatter (title, description).
- A `show_doc` cell (`#| output: asis`) becomes the markdown it printed: the API reference is then part of the page
  (headings in the contents, anchors for links, text for the search).
- nbdev's doc links (`doc_host` + `doc_baseurl` + `page.html#anchor`) become links between the site's own pages.
- `#| echo: false`, `#| output: false`, `#| include: false` become MyST's `remove-input`, `remove-output`, `remove-cell` tags.
- The sidebar is nbs/sidebar.yml's, the one the Quarto site uses.
"""
import json, re, shutil, sys
from configparser import ConfigParser
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PROC, MYST = ROOT/'_proc', ROOT/'_myst'

def nbdev_proc(force: bool = False) -> Path:
    "What `nbdev_proc_nbs` does, less its first step: without Quarto that step runs `pip install -e .[dev]`."
    from nbdev.quarto import refresh_quarto_yml, proc_nbs, nbdev_sidebar
    import nbdev.doclinks
    refresh_quarto_yml()
    nbdev.doclinks._build_modidx()
    nbdev_sidebar.__wrapped__()
    return proc_nbs(n_workers=2, force=force)

def settings() -> dict:
    cfg = ConfigParser(); cfg.read(ROOT/'settings.ini'); return dict(cfg['DEFAULT'])

def toc_from_sidebar(entries) -> list:
    "nbs/sidebar.yml's contents as a myst.yml toc."
    toc = []
    for e in entries:
        if isinstance(e, str): toc.append(dict(file=e))
        else: toc.append(dict(title=e['section'], children=toc_from_sidebar(e['contents'])))
    return toc

def slugify(text: str) -> str:
    "The anchor MyST gives a heading (lower case, runs of other characters → '-')."
    return re.sub(r'[^a-z0-9]+', '-', text.lower()).strip('-')

def anchors(nb: dict) -> set[str]:
    "The anchors of a processed notebook's headings, in markdown cells and in show_doc's markdown."
    texts = [_source(c) for c in nb['cells'] if c['cell_type'] == 'markdown']
    texts += [''.join(o.get('data', {}).get('text/markdown', [])) for c in nb['cells'] for o in c.get('outputs', [])]
    return {slugify(h) for t in texts for h in re.findall(r'^#+\s+(.+?)\s*$', t, re.M)}

def _source(cell) -> str: return ''.join(cell['source']) if isinstance(cell['source'], list) else cell['source']

def convert(nb: dict, page_of: dict, anchors_of: dict, doc_url: str) -> dict:
    "One nbdev-processed notebook as a MyST notebook (see the module docstring); `page_of`: nbdev page → notebook path."
    link_re = re.compile(re.escape(doc_url) + r'/([\w\-/]+)\.html(?:#([^)\s]*))?')
    def relink(text: str) -> str:
        def one(m):
            if m.group(1) not in page_of: return m.group(0)
            page, anchor = page_of[m.group(1)], slugify(m.group(2) or '')
            return page + (f'#{anchor}' if anchor in anchors_of[m.group(1)] else '')  # nbdev links symbols it does not show
        return link_re.sub(one, text)
    cells = []
    for cell in nb['cells']:
        src = _source(cell)
        if cell['cell_type'] == 'raw' and src.startswith('---'):
            front = yaml.safe_load(src.strip().strip('-')) or {}
            keep = {k: front[k] for k in ('title', 'description') if k in front}
            cells.append(dict(cell_type='markdown', id=cell.get('id', 'front'), metadata={},
                              source='---\n' + yaml.safe_dump(keep, allow_unicode=True, width=1000) + '---'))
            continue
        if cell['cell_type'] == 'markdown':
            cells.append({**cell, 'source': relink(src)}); continue
        if cell['cell_type'] != 'code': cells.append(cell); continue
        lines = src.splitlines()
        options = dict(l[3:].split(':', 1) for l in lines if l.startswith('#| ') and ':' in l)
        options = {k.strip(): v.strip() for k, v in options.items()}
        if options.get('output') == 'asis':  # show_doc: the markdown it printed, as Quarto would insert it
            text = ''.join(''.join(o.get('data', {}).get('text/markdown', [])) for o in cell.get('outputs', []))
            text = re.sub(r'^\s*---\s*', '', text)  # nbdev's rule above each entry: the theme draws it
            text = re.sub(r'\)\{target="_blank"[^}]*\}', ')', text)  # Quarto link attributes
            parts = text.split('```')  # a doc link inside the signature (in a docment) would show as markdown: keep its name
            text = '```'.join(re.sub(r'\[`?([^]`]+)`?\]\([^)]*\)', r'\1', t) if i % 2 else t for i, t in enumerate(parts))
            cells.append(dict(cell_type='markdown', id=cell.get('id'), metadata={}, source=relink(text)))
            continue
        tags = [t for k, t in (('echo', 'remove-input'), ('output', 'remove-output'), ('include', 'remove-cell'))
                if options.get(k) == 'false']
        body = '\n'.join(l for l in lines if not (l.startswith('#| ') and l[3:].split(':')[0].strip() in ('echo', 'output', 'include')))
        cells.append({**cell, 'source': body, 'metadata': {**cell.get('metadata', {}), **({'tags': tags} if tags else {})}})
    return {**nb, 'cells': cells}

def main():
    nbdev_proc(force='--force' in sys.argv)
    if '--proc-only' in sys.argv: return
    cfg = settings()
    doc_url = cfg['doc_host'].rstrip('/') + cfg['doc_baseurl'].rstrip('/')
    notebooks = sorted(rel for rel in (p.relative_to(PROC) for p in PROC.rglob('*.ipynb')) if not any(part.startswith(('_', '.')) for part in rel.parts))
    page_of, anchors_of = {}, {}  # nbdev's page (its output-file, without .html, under the notebook's folder) → notebook, anchors
    for rel in notebooks:
        nb = json.loads((PROC/rel).read_text())
        m = re.search(r'^output-file:\s*(\S+)\.html', _source(nb['cells'][0]), re.M)
        page = (rel.parent/(m.group(1) if m else rel.stem)).as_posix()
        page_of[page], anchors_of[page] = rel.as_posix(), anchors(nb)
    if MYST.exists(): shutil.rmtree(MYST)
    for src in PROC.rglob('*'):
        rel = src.relative_to(PROC)
        if src.is_dir() or rel.parts[0].startswith(('_', '.')) or src.suffix in ('.yml', '.css'): continue
        dest = MYST/rel; dest.parent.mkdir(parents=True, exist_ok=True)
        if src.suffix == '.ipynb':
            pages = {k: '../' * (len(rel.parts) - 1) + v for k, v in page_of.items()}
            dest.write_text(json.dumps(convert(json.loads(src.read_text()), pages, anchors_of, doc_url), indent=1, ensure_ascii=False))
        else: shutil.copyfile(src, dest)
    sidebar = yaml.safe_load((ROOT/'nbs'/'sidebar.yml').read_text())['website']['sidebar']['contents']
    project = dict(title=cfg['title'], description=cfg['description'], github=cfg['git_url'],
                   toc=toc_from_sidebar(sidebar), numbering=dict(headings=False))
    site = dict(template='../docs/theme', title=cfg['title'])
    (MYST/'myst.yml').write_text(yaml.safe_dump(dict(version=1, project=project, site=site), sort_keys=False, allow_unicode=True))
    print(f'prepared {len(notebooks)} notebooks in {MYST.relative_to(ROOT)}/')

if __name__ == '__main__': main()
