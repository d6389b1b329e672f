"""The package's shape in numbers, for a maintainer: lines per class counting its `@patch`ed methods, export cells per
chapter (median and longest), the places that read a run's config as a dict, parse a stored action or build an action's
label, and the import graph (modules, layers, imports that point upward, cycles).
`python3 scripts/architecture.py [--classes A,B] [--json]`."""
import argparse, ast, json, re, statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT/'dggan_nb'
PATTERNS = {  # what a read of a run looks like when it bypasses a typed view
    'config read as a dict': r"\b(config|cfg)(\[['\"]|\.get\()",
    'action parsed': r"(?<!def )\baction_from_dict\(",
    "action's label built": r"str\(action_from_dict\(|\{action_from_dict\(|def _short_action|\.action\[['\"]kind['\"]\] if",
}

def modules() -> dict[str, Path]:
    "Module name → file, for every module of the package but the generated index."
    return {'.'.join(p.relative_to(ROOT).with_suffix('').parts): p for p in sorted(PKG.rglob('*.py'))
            if p.name not in ('_modidx.py', '__init__.py')}

def class_sizes(path: Path) -> dict[str, int]:
    "Lines of each class of a module, counting the functions patched onto it in the same module."
    tree = ast.parse(path.read_text())
    sizes = {n.name: n.end_lineno - n.lineno + 1 for n in tree.body if isinstance(n, ast.ClassDef)}
    for n in tree.body:
        if isinstance(n, ast.FunctionDef) and any('patch' in ast.unparse(d) for d in n.decorator_list) and n.args.args:
            ann = n.args.args[0].annotation
            if ann is not None and ast.unparse(ann) in sizes: sizes[ast.unparse(ann)] += n.end_lineno - n.lineno + 1 + len(n.decorator_list)
    return sizes

def export_cells(nb: Path) -> list[int]:
    "Non-blank lines of each exported code cell (the `#| export` line not counted)."
    out = []
    for cell in json.loads(nb.read_text())['cells']:
        src = ''.join(cell['source']) if cell['cell_type'] == 'code' else ''
        if re.match(r'#\|\s*(export|exports)\b', src.lstrip()): out.append(len([l for l in src.splitlines()[1:] if l.strip()]))
    return out

def pattern_hits(mods: dict[str, Path]) -> dict[str, list[str]]:
    "For each pattern, the `module:line` places that match it."
    hits = {k: [] for k in PATTERNS}
    for name, path in mods.items():
        for i, line in enumerate(path.read_text().splitlines(), 1):
            for k, pat in PATTERNS.items():
                if re.search(pat, line): hits[k].append(f'{name.removeprefix("dggan_nb.")}:{i}')
    return hits

def imports(mods: dict[str, Path]) -> dict[str, dict[str, bool]]:
    "Module → {imported package module: imported at the top level}."
    graph = {}
    for name, path in mods.items():
        pkg = name.split('.')[:-1]; deps = {}
        tree = ast.parse(path.read_text()); top = set(map(id, tree.body))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom): continue
            base = pkg[:len(pkg) - node.level + 1] if node.level else []
            target = '.'.join(base + (node.module.split('.') if node.module else [])) if node.level else (node.module or '')
            cands = [target] + [f'{target}.{a.name}' for a in node.names]
            for t in cands:
                if t in mods and t != name: deps[t] = deps.get(t, False) or id(node) in top
        graph[name] = deps
    return graph

def layers(graph) -> dict[str, int]:
    "Each module's floor: 0 for modules that import no other, else one above the highest it imports at the top level."
    memo = {}
    def floor(m, seen=()):
        if m not in memo:
            deps = [d for d, top in graph[m].items() if top and d not in seen]
            memo[m] = 1 + max((floor(d, seen + (m,)) for d in deps), default=-1)
        return memo[m]
    return {m: floor(m) for m in graph}

def cycles(graph) -> list[list[str]]:
    "Strongly connected groups of more than one module (Tarjan), counting imports inside functions too."
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    def visit(v):
        index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
        for w in graph[v]:
            if w not in index: visit(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop(); on.discard(w); group.append(w)
                if w == v: break
            if len(group) > 1: out.append(sorted(group))
    for v in graph:
        if v not in index: visit(v)
    return out

def measure(classes=('Dashboard', 'RunStore', 'Search', 'Planner')) -> dict:
    mods = modules(); graph = imports(mods); floors = layers(graph)
    sizes = {}
    for name, path in mods.items():
        for cls, size in class_sizes(path).items(): sizes[cls] = size
    cells = {nb.stem: export_cells(nb) for nb in sorted((ROOT/'nbs').glob('[0-9]*.ipynb'))}
    upward = [f'{m} → {d}' for m, deps in graph.items() for d, top in deps.items() if floors[d] >= floors[m]]
    return dict(classes={c: sizes.get(c) for c in classes},
                cells={k: dict(cells=len(v), median=statistics.median(v) if v else 0, longest=max(v, default=0)) for k, v in cells.items()},
                places={k: len(v) for k, v in pattern_hits(mods).items()}, where=pattern_hits(mods),
                modules=len(mods), layers=1 + max(floors.values()), upward=upward, cycles=cycles(graph),
                floors={m.removeprefix('dggan_nb.'): f for m, f in sorted(floors.items(), key=lambda kv: (kv[1], kv[0]))})

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--classes', default='Dashboard,RunStore,Search,Planner', help='comma-separated classes to size')
    ap.add_argument('--json', action='store_true', help='print the numbers as JSON')
    a = ap.parse_args(); m = measure(tuple(a.classes.split(',')))
    if a.json: print(json.dumps(m, indent=1)); raise SystemExit
    print('| class | lines (with patched methods) |\n|---|---|'); [print(f'| {c} | {s} |') for c, s in m['classes'].items()]
    print('\n| chapter | export cells | median lines | longest |\n|---|---|---|---|')
    for k, v in m['cells'].items(): print(f"| {k} | {v['cells']} | {v['median']:g} | {v['longest']} |")
    print('\n| read of a run | places | where |\n|---|---|---|')
    for k, v in m['where'].items(): print(f"| {k} | {len(v)} | {', '.join(v)} |")
    print(f"\nimport graph: {m['modules']} modules on {m['layers']} floors; {len(m['upward'])} imports point upward"
          f"{' (' + ', '.join(m['upward']) + ')' if m['upward'] else ''}; {len(m['cycles'])} cycles{' ' + str(m['cycles']) if m['cycles'] else ''}")
    print('floors: ' + '; '.join(f'{f}: ' + ', '.join(k for k, v in m['floors'].items() if v == f) for f in sorted(set(m['floors'].values()))))
