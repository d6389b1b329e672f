"""Check that the notebooks show what they teach, and stay small.

    python3 scripts/check_outputs.py

Every chapter (nbs/NN_*.ipynb) and every tutorial (nbs/tutorials/*.ipynb) must keep at least one picture among its
outputs: image/png or image/svg+xml data, or text/html holding an <img> or <svg>. `scripts/render_outputs` makes them.
No single output may exceed MAX_OUTPUT_BYTES and no notebook's outputs MAX_NOTEBOOK_BYTES (as JSON text), so that
re-rendering does not bloat the repository.
"""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_OUTPUT_BYTES = 200_000
MAX_NOTEBOOK_BYTES = 400_000
IMAGE_MIMES = ('image/png', 'image/svg+xml', 'image/jpeg', 'image/gif')

def is_picture(output: dict) -> bool:
    data = output.get('data', {})
    if any(m in data for m in IMAGE_MIMES): return True
    html = data.get('text/html', '')
    return bool(re.search(r'<(img|svg)\b', ''.join(html) if isinstance(html, list) else html))

def problems(path: Path) -> list[str]:
    nb = json.loads(path.read_text())
    outputs = [o for c in nb['cells'] if c['cell_type'] == 'code' for o in c.get('outputs', [])]
    name, found = path.relative_to(ROOT), []
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
    found = [p for nb in notebooks for p in problems(nb)]
    if found: sys.exit('\n'.join(found))
    print(f'{len(notebooks)} chapters and tutorials each show a picture; outputs within size limits')

if __name__ == '__main__': main()
