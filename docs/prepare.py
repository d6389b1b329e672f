"""nbdev's docs processing of the notebooks into `_proc/` (what `nbdev_proc_nbs` does, without its Quarto steps):
show_doc cells run and print their API entries, doc links are added. Sphinx reads `_proc/` (docs/conf.py).

    python3 docs/prepare.py           # scripts/docs and scripts/test call it; --force: every notebook again
"""
import sys

from nbdev.config import get_config
from nbdev.serve import proc_nbs

def main():
    cfg = get_config()
    sys.path.insert(0, str(cfg.config_path))  # this checkout's package, for the workers too (an editable install may point elsewhere)
    proc = proc_nbs(n_workers=2, force='--force' in sys.argv)
    for done in sorted(proc.rglob('*'), reverse=True):  # what proc_nbs made from a file that is gone (a renamed notebook)
        rel = done.relative_to(proc)
        if rel.parts[0].startswith('.') or (cfg.nbs_path/rel).exists(): continue
        done.rmdir() if done.is_dir() else done.unlink()
        print(f'removed {proc.name}/{rel}: its source is gone')

if __name__ == '__main__': main()
