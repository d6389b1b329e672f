"""Check that the notebooks show what they teach, and stay small.

    python3 scripts/check_outputs.py

Every chapter (nbs/NN_*.ipynb) and every tutorial (nbs/tutorials/*.ipynb) must keep at least one picture among its
outputs: image/png or image/svg+xml data, or text/html holding an <img> or <svg>. `scripts/render_outputs` makes them.
No single output may exceed MAX_OUTPUT_BYTES and no notebook's outputs MAX_NOTEBOOK_BYTES (as JSON text), so that
re-rendering does not bloat the repository. No text output (index.ipynb's included) may hold a temporary folder of the
machine that rendered it (/tmp/..., the system's temporary folder): a cell prints paths relative to its scratch folder,
or names.
"""
import json, re, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_OUTPUT_BYTES = 200_000
MAX_NOTEBOOK_BYTES = 400_000
IMAGE_MIMES = ('image/png', 'image/svg+xml', 'image/jpeg', 'image/gif')
TEXT_MIMES = ('text/plain', 'text/html', 'text/markdown', 'text/latex', 'application/json')  # not base64 pictures
# a temporary folder of a POSIX machine, of macOS, of Windows, and of this machine (its TMPDIR)
TEMP_PATH = re.compile(r'(?<![\w.+/])(?:' + '|'.join([r'/(?:var/)?tmp/', r'/private/var/folders/', r'/var/folders/',
                                                      r'[A-Za-z]:\\\S*?\\Temp\\', re.escape(tempfile.gettempdir()) + r'[/\\]']) + r')[^\s\'"<>]*')

def temp_paths(output: dict) -> list[str]:
    "The temporary folder paths in an output's text."
    texts = [output.get('text', '')] + [v for m, v in output.get('data', {}).items() if m in TEXT_MIMES]
    return [m.group(0) for t in texts for m in TEMP_PATH.finditer(''.join(t) if isinstance(t, list) else str(t))]

def is_picture(output: dict) -> bool:
    data = output.get('data', {})
    if any(m in data for m in IMAGE_MIMES): return True
    html = data.get('text/html', '')
    return bool(re.search(r'<(img|svg)\b', ''.join(html) if isinstance(html, list) else html))

def temp_path_problems(path: Path) -> list[str]:
    "A problem for each cell whose outputs show a temporary folder."
    cells = [c for c in json.loads(path.read_text())['cells'] if c['cell_type'] == 'code']
    return [f"{path.relative_to(ROOT)}: cell {c.get('id', i)} prints a temporary folder ({hits[0]}): print paths relative to the "
            'scratch folder, or names, then run scripts/render_outputs' for i, c in enumerate(cells)
            if (hits := [h for o in c.get('outputs', []) for h in temp_paths(o)])]

def problems(path: Path) -> list[str]:
    nb = json.loads(path.read_text())
    outputs = [o for c in nb['cells'] if c['cell_type'] == 'code' for o in c.get('outputs', [])]
    name, found = path.relative_to(ROOT), temp_path_problems(path)
    if not any(is_picture(o) for o in outputs):
        found.append(f'{name} shows no picture (no output with image/png, image/svg+xml, or html with <img>/<svg>): '
                     'add a small deterministic picture cell, then run scripts/render_outputs and commit the notebook')
    sizes = [len(json.dumps(o)) for o in outputs]
    if sizes and max(sizes) > MAX_OUTPUT_BYTES:
        found.append(f'{name} has an output of {max(sizes):,} bytes (limit {MAX_OUTPUT_BYTES:,}): make the figure smaller')
    if sum(sizes) > MAX_NOTEBOOK_BYTES:
        found.append(f'{name} has {sum(sizes):,} bytes of outputs (limit {MAX_NOTEBOOK_BYTES:,}): show fewer or smaller pictures')
    return found

def main():
    nbs = ROOT/'nbs'
    notebooks = [*sorted(nbs.glob('[0-9]*.ipynb')), *sorted((nbs/'tutorials').glob('*.ipynb'))]
    found = temp_path_problems(nbs/'index.ipynb') + [p for nb in notebooks for p in problems(nb)]
    if found: sys.exit('\n'.join(found))
    print(f'{len(notebooks)} chapters and tutorials each show a picture; outputs within size limits; no temporary folder in any output')

if __name__ == '__main__': main()
