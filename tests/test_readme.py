"The README's main command, copied from README.md and run verbatim in a fresh clone, from a relative run folder."
import os, re, site, subprocess, sys, time
from pathlib import Path

from dggan_nb.train import load_gan
from dggan_nb.store import RunStore
from dggan_nb.search.config import SearchConfig, DEFAULT_BUDGET_MINUTES

ROOT = Path(__file__).resolve().parent.parent

def readme_block(heading: str) -> str:
    "The first shell block after `heading` in README.md, as a user would copy it."
    readme = (ROOT / 'README.md').read_text()
    section = readme[readme.index(heading):]
    return re.search(r'```sh\n(.+?)\n```', section, re.S).group(1).strip()

def readme_main_command() -> str: return readme_block('**Set up and run the main job**')

def test_readme_main_command_in_a_fresh_clone(tmp_path):
    command = readme_main_command()
    assert 'dggan grow' in command
    clone = tmp_path / 'clone'
    subprocess.run(['git', 'clone', '-q', str(ROOT), str(clone)], check=True)
    # a virtual environment that sees the packages of the interpreter running this test (torch among them, wherever it is:
    # the base interpreter or a venv), so that `scripts/setup` installs nothing big and puts this clone into it, not over the checkout
    venv = tmp_path / 'venv'
    subprocess.run([sys.executable, '-m', 'venv', '--system-site-packages', str(venv)], check=True)
    inner = subprocess.run([venv / 'bin' / 'python', '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
                           capture_output=True, text=True, check=True).stdout.strip()
    Path(inner, 'outer-site-packages.pth').write_text('\n'.join(site.getsitepackages()) + '\n')
    env = {**os.environ, 'PATH': f"{tmp_path / 'venv' / 'bin'}:{os.environ['PATH']}", 'PYTHONUNBUFFERED': '1'}
    env.pop('PYTHONPATH', None)
    t0 = time.perf_counter()
    # the main job's budget is time on this machine, so it bounds the run: this timeout only catches a hang
    out = subprocess.run(['bash', '-c', command], cwd=clone, env=env, capture_output=True, text=True, timeout=3600)
    took_s = time.perf_counter() - t0
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert 'installing torch' not in out.stdout, 'setup installed torch again: the venv does not see the installed one'
    assert not list(Path(inner).glob('torch*')), 'torch was installed into the test venv'

    run = clone / re.search(r'--out (\S+)', command).group(1)
    gan = load_gan(run / 'final.pt')
    assert gan.spec.resolution == 16
    for name in ('final-samples.png', 'final-graph.svg', 'final-graph.png', 'report/report.html'): assert (run / name).stat().st_size > 0
    with RunStore.open(run, readonly=True) as store:
        final = next(s for s in store.segments() if s.phase == 'final')
        untrained = [s.score for s in store.segments() if s.node_id == 1][0]  # the 4×4 root after its first training
        config = store.config
        spent_s = config.cost_model.calibration_s + sum(s.train_s + s.eval_s for s in store.segments())
    assert config.budget_unit == 'minutes' and config.budget_minutes >= DEFAULT_BUDGET_MINUTES  # the default: time on this machine
    budget_s = 60 * config.budget_minutes
    # the account is the clock: the run used its budget and did not run far over it (a slower machine raises the budget instead)
    assert 0.8 * budget_s < spent_s <= 1.5 * budget_s, (spent_s, budget_s)
    assert final.score < 0.6 * untrained, (final.score, untrained)
    print(f'the README main job: budget {budget_s:.0f} s, spent {spent_s:.0f} s by its account, setup and run {took_s:.0f} s in all')
    print(out.stdout.splitlines()[-1])
    # then the model, as the README uses it: samples and scores of the run it just made
    use = readme_block('**Use the model**')
    assert 'dggan sample' in use and 'dggan eval' in use
    out = subprocess.run(['bash', '-c', use], cwd=clone, env=env, capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    for path in re.findall(r'--out (\S+)', use): assert (clone / path).exists(), path
    assert 'SWD' in out.stdout and 'KID' in out.stdout, out.stdout
    print(out.stdout[-600:])
