"""Split exported notebook cells so that each holds one public definition (with the private helpers and constants
written just above it). `python3 scripts/split_cells.py nbs/07_store.ipynb ...` rewrites the notebooks; `--dry` only
reports. Run `nbdev_clean && nbdev_export` after it."""
import ast, json, re, secrets, sys
from pathlib import Path

SMALL = 12
LIMIT = 40 # the most non-blank lines an export cell should hold
HEAD = re.compile(r'#\|\s*(export|exports)\b')

def groups(src: str) -> list[str]:
    "The cell's source cut before each public definition after the first (helpers and constants go with what follows them)."
    lines = src.split('\n'); head, body = lines[0], '\n'.join(lines[1:])
    try: tree = ast.parse(body)
    except SyntaxError: return [src]
    public = lambda n: isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not n.name.startswith('_')
    body_lines = body.split('\n'); starts, seen_public, pending = [], False, None
    for n in tree.body:
        first = min([n.lineno] + [d.lineno for d in getattr(n, 'decorator_list', [])])
        while first > 1 and body_lines[first - 2].lstrip().startswith('#'): first -= 1  # its comments go with it
        if public(n):
            if seen_public: starts.append(pending if pending is not None else first)
            seen_public, pending = True, None
        elif pending is None: pending = first
    cuts = [0] + [s - 1 for s in starts] + [len(body_lines)]
    chunks = [c for a, b in zip(cuts, cuts[1:]) if (c := '\n'.join(body_lines[a:b]).strip('\n')).strip()]
    size = lambda t: len([l for l in t.split('\n') if l.strip()])
    merged = []  # one-liners (a patched property, a small helper) keep each other company, up to SMALL lines a cell
    for c in chunks:
        size = lambda t: len([l for l in t.split('\n') if l.strip()])
        if merged and size(c) <= 3 and size(merged[-1]) + size(c) <= SMALL and all(size(x) <= 3 for x in merged[-1].split('\n\n')): merged[-1] += '\n\n' + c
        else: merged.append(c)
    out = []
    for c in merged:  # a group still too long is cut at every top-level definition, helpers included
        tops = [n for n in ast.parse(c).body] if size(c) > LIMIT else []
        if len(tops) < 2: out.append(c); continue
        cl = c.split('\n'); starts = []
        for n in tops[1:]:
            first = min([n.lineno] + [d.lineno for d in getattr(n, 'decorator_list', [])])
            while first > 1 and cl[first - 2].lstrip().startswith('#'): first -= 1
            starts.append(first - 1)
        out += [t for a, b in zip([0] + starts, starts + [len(cl)]) if (t := '\n'.join(cl[a:b]).strip('\n')).strip()]
    return [head + '\n' + c for c in out] or [src]

def split_notebook(path: Path, dry: bool = False) -> int:
    nb = json.loads(path.read_text()); cells, made = [], 0
    for c in nb['cells']:
        if not c.get('id'): c['id'] = secrets.token_hex(4); made += 0.001  # nbformat 4.5: every cell has an id (nbdev's doc links need them)
        src = ''.join(c['source'])
        if c['cell_type'] != 'code' or not HEAD.match(src.lstrip()) or re.search(r'^SCHEMA = ', src, re.M): cells.append(c); continue
        parts = groups(src)
        if len(parts) == 1: cells.append(c); continue
        made += len(parts) - 1
        for i, part in enumerate(parts):
            new = dict(c, source=[l + '\n' for l in part.split('\n')[:-1]] + [part.split('\n')[-1]], outputs=[])
            new['id'] = c.get('id') if i == 0 else secrets.token_hex(4)
            cells.append(new)
    if not dry and made:
        nb['cells'] = cells
        with open(path, 'w') as f: json.dump(nb, f, indent=1, ensure_ascii=False); f.write('\n')
    return made

if __name__ == '__main__':
    dry = '--dry' in sys.argv
    for p in [a for a in sys.argv[1:] if not a.startswith('--')]: print(p, int(split_notebook(Path(p), dry)), 'new cells')
