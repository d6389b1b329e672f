"The README's main command, copied from README.md and run verbatim in a fresh clone, from a relative run folder."
import json, os, re, subprocess, sys
from pathlib import Path

from dggan_nb.train import load_gan
from dggan_nb.store import RunStore

ROOT = Path(__file__).resolve().parent.parent

def readme_main_command() -> str:
    "The shell block of the README's 'Set up and run the main job' paragraph, as a user would copy it."
    readme = (ROOT / 'README.md').read_text()
    section = readme[readme.index('**Set up and run the main job**'):]
    return re.search(r'```sh\n(.+?)\n```', section, re.S).group(1).strip()

def test_readme_main_command_in_a_fresh_clone(tmp_path):
    command = readme_main_command()
    assert 'dggan grow' in command
    clone = tmp_path / 'clone'
    subprocess.run(['git', 'clone', '-q', str(ROOT), str(clone)], check=True)
    # a virtual environment that sees the installed torch, so that `scripts/setup` installs this clone into it, not over the checkout
    subprocess.run([sys.executable, '-m', 'venv', '--system-site-packages', str(tmp_path / 'venv')], check=True)
    env = {**os.environ, 'PATH': f"{tmp_path / 'venv' / 'bin'}:{os.environ['PATH']}", 'PYTHONUNBUFFERED': '1'}
    env.pop('PYTHONPATH', None)
    out = subprocess.run(['bash', '-c', command], cwd=clone, env=env, capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    run = clone / re.search(r'--out (\S+)', command).group(1)
    gan = load_gan(run / 'final.pt')
    assert gan.spec.resolution == 16
    for name in ('final-samples.png', 'final-graph.svg', 'final-graph.png', 'report/report.html'): assert (run / name).stat().st_size > 0
    with RunStore.open(run, readonly=True) as store:
        final = next(s for s in store.segments() if s.phase == 'final')
        untrained = [s.score for s in store.segments() if s.node_id == 1][0]  # the 4×4 root after its first training
        spent, config = store.tflop_spent(), store.config
    assert config['budget_kimg'] is None and config['budget_tflop'] > 0  # the main job's budget is compute
    assert 0.99 * config['budget_tflop'] < spent <= 1.001 * config['budget_tflop'], (spent, config['budget_tflop'])
    assert final.score < 0.6 * untrained, (final.score, untrained)
    print(out.stdout.splitlines()[-1])
