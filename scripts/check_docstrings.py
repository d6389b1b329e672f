#!/usr/bin/env python3
"""Every public function, class, method and property of the package has a docstring.

    python3 scripts/check_docstrings.py     # scripts/test calls it; exits 1 and names each one that has none

An API entry of the docs shows its object's docstring; without one, nbdev's `show_doc` falls back to an inherited
text ("Call self as a function.", "Return repr(self)."). What is checked, in every module of the package (read as
source, nothing imported):
- functions and classes at module level whose names do not start with `_`;
- functions a later cell adds with fastcore's `@patch` (`@patch(as_prop=True)` properties and dunders such as
  `__enter__` included: the docs document them as `Class.name`);
- the methods and properties of those public classes whose names do not start with `_`.
"""
import ast, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT/'dggan_nb'

def _is_patch(decorator: ast.expr) -> bool:
    "`@patch` or `@patch(...)`."
    f = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(f, ast.Name) and f.id == 'patch'

def _patched_name(node: ast.FunctionDef) -> str:
    "`Class.name` for a function patched onto `Class` (its first argument's annotation)."
    ann = node.args.args[0].annotation if node.args.args else None
    return f'{ast.unparse(ann) if ann is not None else "?"}.{node.name}'

def missing_docstrings(path: Path) -> list[str]:
    "`file:line name` of each public function, class, method or property in `path` without a docstring."
    out, rel = [], path.relative_to(ROOT)
    def need(node, name):
        if not ast.get_docstring(node): out.append(f'{rel}:{node.lineno} {name}')
    for node in ast.parse(path.read_text()).body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): continue
        if isinstance(node, ast.ClassDef):
            if node.name.startswith('_'): continue
            need(node, node.name)
            for m in node.body:
                if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and not m.name.startswith('_'): need(m, f'{node.name}.{m.name}')
        elif any(map(_is_patch, node.decorator_list)):
            if not node.name.startswith('_') or node.name.endswith('__'): need(node, _patched_name(node))
        elif not node.name.startswith('_'): need(node, node.name)
    return out

def main():
    found = [m for py in sorted(PACKAGE.rglob('*.py')) if not py.name.startswith('_') for m in missing_docstrings(py)]
    if found:
        print(f'{len(found)} public functions, classes, methods or properties have no docstring '
              '(give each a short one in its notebook, then nbdev_export):', *found, sep='\n  ')
        sys.exit(1)

if __name__ == '__main__': main()
