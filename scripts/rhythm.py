"""How a chapter reads: the longest run of exported lines before an example a reader can see (a code cell that is
neither exported nor hidden) and the median and longest export cell, per notebook; and per module its lines, its
definitions and the longest class counting its `@patch`ed methods. `python3 scripts/rhythm.py [--max N] [--max-cell M]`
fails when a chapter's longest run exceeds N lines, or an export cell holds more than M non-blank lines (the SQL
schema, one string, excepted)."""
import argparse, ast, json, re, statistics, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def longest_run(nb_path: Path) -> tuple[int, int]:
    "(longest run of exported lines before a visible example, exported lines in all)"
    run = longest = total = 0
    for cell in json.loads(nb_path.read_text())['cells']:
        if cell['cell_type'] != 'code': continue
        src = ''.join(cell['source'])
        first = src.lstrip().split('\n', 1)[0]
        if re.match(r'#\|\s*(export|exports)\b', first):
            n = len([l for l in src.splitlines()[1:] if l.strip()])
            run += n; total += n; longest = max(longest, run)
        elif re.match(r'#\|\s*(hide|default_exp|eval:\s*false)', first) or not src.strip(): continue
        elif all(re.match(r'\s*(import |from \S+ import |#|$)', l) for l in src.splitlines()): continue  # imports only
        else: run = 0
    return longest, total

def export_cells(nb_path: Path) -> list[tuple[str, int]]:
    "(cell id, non-blank lines after the directive) of each export cell; the SQL schema's cell is left out."
    out = []
    for cell in json.loads(nb_path.read_text())['cells']:
        src = ''.join(cell['source']) if cell['cell_type'] == 'code' else ''
        if re.match(r'#\|\s*(export|exports)\b', src.lstrip()) and not re.search(r'^SCHEMA = """', src, re.M):
            out.append((cell.get('id', '?'), len([l for l in src.splitlines()[1:] if l.strip()])))
    return out

def module_stats(path: Path) -> tuple[int, int, str, int]:
    "(lines, top-level definitions, longest class, its lines counting patched methods)"
    text = path.read_text(); tree = ast.parse(text)
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))]
    sizes = {n.name: n.end_lineno - n.lineno + 1 for n in defs if isinstance(n, ast.ClassDef)}
    for n in defs:
        if isinstance(n, ast.FunctionDef) and any('patch' in ast.unparse(d) for d in n.decorator_list) and n.args.args:
            ann = n.args.args[0].annotation
            if ann is not None and ast.unparse(ann) in sizes: sizes[ast.unparse(ann)] += n.end_lineno - n.lineno + 1 + len(n.decorator_list)
    name = max(sizes, key=sizes.get) if sizes else '-'
    return len(text.splitlines()), len(defs), name, sizes.get(name, 0)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--max', type=int, default=None, help='fail when a chapter runs longer than this many exported lines without an example')
    ap.add_argument('--max-cell', type=int, default=None, help='fail when an export cell holds more than this many non-blank lines')
    args = ap.parse_args()
    worst, big = [], []
    print('| chapter | longest exported run before an example | exported lines | export cells | median cell | longest cell |\n|---|---|---|---|---|---|')
    for nb in sorted((ROOT/'nbs').glob('[0-9]*.ipynb')):
        longest, total = longest_run(nb); worst.append((longest, nb.stem)); cells = export_cells(nb)
        sizes = [n for _, n in cells] or [0]
        big += [f'{nb.stem} cell {i} ({n})' for i, n in cells if args.max_cell is not None and n > args.max_cell]
        print(f'| {nb.stem} | {longest} | {total} | {len(cells)} | {statistics.median(sizes):g} | {max(sizes)} |')
    print('\n| module | lines | definitions | longest class (with patched methods) |\n|---|---|---|---|')
    for py in sorted((ROOT/'dggan_nb').rglob('*.py')):
        if py.name in ('_modidx.py', '__init__.py'): continue
        lines, n_defs, cls, size = module_stats(py)
        print(f'| {py.relative_to(ROOT/"dggan_nb")} | {lines} | {n_defs} | {cls} {size} |')
    problems = []
    if args.max is not None and (over := [f'{n} ({l})' for l, n in worst if l > args.max]):
        problems.append(f'chapters with more than {args.max} exported lines before an example: {", ".join(over)}')
    if big: problems.append(f'export cells of more than {args.max_cell} lines (cut them at a definition; patch long classes\' methods in the cells below): {", ".join(big)}')
    if problems: sys.exit('\n'.join(problems))
