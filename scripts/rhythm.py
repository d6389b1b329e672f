"""How a chapter reads: the longest run of exported lines before an example a reader can see (a code cell that is
neither exported nor hidden), per notebook; and per module its lines, its definitions and the longest class counting
its `@patch`ed methods. `python3 scripts/rhythm.py [--max N]` fails when a chapter's longest run exceeds N lines."""
import argparse, ast, json, re, sys
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
    args = ap.parse_args()
    worst = []
    print('| chapter | longest exported run before an example | exported lines |\n|---|---|---|')
    for nb in sorted((ROOT/'nbs').glob('[0-9]*.ipynb')):
        longest, total = longest_run(nb); worst.append((longest, nb.stem))
        print(f'| {nb.stem} | {longest} | {total} |')
    print('\n| module | lines | definitions | longest class (with patched methods) |\n|---|---|---|---|')
    for py in sorted((ROOT/'dggan_nb').rglob('*.py')):
        if py.name in ('_modidx.py', '__init__.py'): continue
        lines, n_defs, cls, size = module_stats(py)
        print(f'| {py.relative_to(ROOT/"dggan_nb")} | {lines} | {n_defs} | {cls} {size} |')
    if args.max is not None and (over := [f'{n} ({l})' for l, n in worst if l > args.max]):
        sys.exit(f'chapters with more than {args.max} exported lines before an example: {", ".join(over)}')
