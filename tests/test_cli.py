"The `dggan` console script as a user runs it: help, bad input, a short run, a kill mid-run."
import signal, subprocess, time

from dggan_nb.store import RunStore
from dggan_nb.train import read_checkpoint

TINY = ['--resolution', '8', '--channels', '8', '--latent-dim', '16', '--batch-size', '16', '--device', 'cpu', '--eval-samples', '64']

def test_help_lists_subcommands(dggan):
    out = dggan('--help')
    assert out.returncode == 0
    for cmd in ('train', 'grow', 'resume', 'report', 'bench'): assert cmd in out.stdout
    assert 'grow --policy progressive' in dggan('train', '--help').stdout

def test_bad_input_fails_fast_and_writes_nothing(dggan, tmp_path):
    for args, message in [(['--resolution', '24'], 'power of two'), (['--resolution', '64'], 'at most 32'),
                          (['--data', tmp_path / 'missing'], 'missing'), (['--budget-kimg', '0'], 'must be positive')]:
        out = dggan('train', *args, '--out', tmp_path / 'run')
        assert out.returncode == 2, out.stderr
        assert message in out.stderr and 'Traceback' not in out.stderr
        assert not (tmp_path / 'run').exists()
    (tmp_path / 'full').mkdir(); (tmp_path / 'full' / 'mine.txt').write_text('keep me')
    out = dggan('train', '--resolution', '8', '--out', tmp_path / 'full')
    assert out.returncode == 2 and 'not empty' in out.stderr and 'Traceback' not in out.stderr
    assert [p.name for p in (tmp_path / 'full').iterdir()] == ['mine.txt']

def test_errors_name_flags_and_commands(dggan, tmp_path):
    "The library's errors name its Python API (`eval_samples`, `RunStore.create`); the command line says its own flags and commands."
    from PIL import Image
    (tmp_path / 'three').mkdir()
    for i in range(3): Image.new('RGB', (16, 16), (80 * i, 40, 200)).save(tmp_path / 'three' / f'{i}.png')
    (tmp_path / 'empty').mkdir()
    for args, message in [(['grow', '--data', tmp_path / 'three', '--resolution', '8', '--out', tmp_path / 'run'],
                           'need 512 real images but got 3: lower --eval-samples or give more data'),
                          (['resume', tmp_path / 'empty'],
                           f"{tmp_path / 'empty'} holds no dggan_nb run (no run.sqlite): start one with `dggan grow --out {tmp_path / 'empty'}`"),
                          (['report', tmp_path / 'empty'], 'start one with `dggan grow --out'),
                          (['grow', '--rungs', '0', '--out', tmp_path / 'run'], '--rungs must be an integer ≥ 1, got 0'),
                          (['grow', '--probe-kimg', '5', '--budget-kimg', '20', '--out', tmp_path / 'run'],
                           'raise --budget-kimg, or lower --probe-kimg, --rungs or --min-candidates'),
                          (['grow', '--eval-samples', '8', '--out', tmp_path / 'run'], '--eval-samples must be at least 16, got 8'),
                          (['grow', '--batch-size', '1', '--out', tmp_path / 'run'], '--batch-size must be ≥ 2')]:
        out = dggan(*args)
        assert out.returncode == 2 and out.stderr.startswith('dggan: error: '), (args, out.stderr)
        assert message in out.stderr and 'Traceback' not in out.stderr, (args, out.stderr)
        assert 'RunStore.create' not in out.stderr and 'n_samples' not in out.stderr and 'eval_samples' not in out.stderr, out.stderr
    assert not (tmp_path / 'run').exists() and list((tmp_path / 'empty').iterdir()) == []

def test_train_is_grow_with_the_progressive_policy(dggan, tmp_path):
    out = dggan('train', *TINY, '--budget-kimg', '1', '--out', tmp_path / 'run')
    assert out.returncode == 0, out.stderr
    assert 'dggan grow --policy progressive' in out.stdout
    run = tmp_path / 'run'
    for name in ('final.pt', 'final-samples.png', 'final-graph.svg', 'final-graph.png', 'report/report.html'):
        assert (run / name).stat().st_size > 0
    with RunStore.open(run, readonly=True) as store:
        assert store.config['policy'] == 'progressive'
        nodes = store.nodes()
        assert [n.status for n in nodes] == ['done'] * 4  # the 4×4 seed and the schedule's three steps to 8×8
        assert all(store.samples_path(n.id).stat().st_size > 0 and store.checkpoint_path(n.id).exists() for n in nodes)

def test_kill_mid_run_leaves_every_checkpoint_readable(tmp_path):
    run = tmp_path / 'run'
    proc = subprocess.Popen(['dggan', 'train', *TINY, '--budget-kimg', '16', '--out', str(run)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((run / 'checkpoints').glob('node-*.pt'))) < 2: time.sleep(0.2)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL); proc.wait()
    assert not (run / 'final.pt').exists(), 'the run finished before it could be killed: make it longer'
    saved = list((run / 'checkpoints').glob('node-*.pt'))
    assert saved, 'the run wrote no checkpoint before it was killed'
    for path in saved: assert read_checkpoint(path)['spec']
