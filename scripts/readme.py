"""Write README.md from nbs/index.ipynb (what nbdev_readme does, without needing Quarto).

`python scripts/readme.py` writes it; `--check` fails if README.md is out of date."""
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
nb = json.loads((root / 'nbs' / 'index.ipynb').read_text())
parts = []
for cell in nb['cells']:
    src = ''.join(cell['source']).strip()
    if not src or re.match(r'#\|\s*hide', src): continue
    if cell['cell_type'] == 'markdown': parts.append(re.sub(r'\]\((images/[^)]+)\)', r'](nbs/\1)', src))  # pictures live in nbs/images
    else: parts.append('```python\n' + '\n'.join(l for l in src.splitlines() if not l.startswith('#|')) + '\n```')
text = '<!-- generated from nbs/index.ipynb by scripts/readme.py: edit the notebook, not this file -->\n\n' + '\n\n'.join(parts) + '\n'
readme = root / 'README.md'
if '--check' in sys.argv:
    if not readme.exists() or readme.read_text() != text:
        sys.exit('README.md is out of date: run `python scripts/readme.py` and commit')
    print('README.md is up to date')
else:
    readme.write_text(text); print(f'wrote {readme}')
