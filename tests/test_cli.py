"The `dggan` console script as a user runs it: help, bad input, a short run, a kill mid-run."
import signal, subprocess, time

from dggan_nb.store import RunStore
from dggan_nb.train import read_checkpoint

TINY = ['--resolution', '8', '--channels', '8', '--latent-dim', '16', '--batch-size', '16', '--device', 'cpu', '--eval-samples', '64']

def test_help_lists_subcommands(dggan):
    out = dggan('--help')
    assert out.returncode == 0
    for cmd in ('train', 'grow', 'resume', 'report', 'sample', 'eval', 'bench'): assert cmd in out.stdout
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
        assert store.config.policy == 'progressive'
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

def tiny_run(folder):
    "A run folder as the search leaves it, in seconds: an 8×8 digits model trained for 32 images, saved as node 1 and as final.pt."
    from dggan_nb.arch import initial_gan, GrowResolution
    from dggan_nb.core import TrainConfig
    from dggan_nb.data import load_source
    from dggan_nb.nets import Gan, grow
    from dggan_nb.search.config import SearchConfig
    from dggan_nb.train import Trainer
    gan = grow(Gan(initial_gan(1, 8, 16)), GrowResolution(3, 8, 3, 8)).finish_fade()
    trainer = Trainer(gan, load_source('digits'), until_kimg=0.032, config=TrainConfig(batch_size=16), device='cpu')
    trainer.train()
    with RunStore.create(folder, SearchConfig(resolution=8, channels=8, latent_dim=16, device='cpu').to_dict()) as store:
        node = store.add_node(gan.spec.to_dict(), stage=0)
        trainer.save(store.checkpoint_path(node))
        store.update_node(node, status='done', checkpoint=store.checkpoint_path(node), score=1.0, rung=0)
    trainer.save(folder / 'final.pt')
    return folder

def files(folder):
    "The run's files, less the index SQLite keeps beside run.sqlite for any reader (`run.sqlite-shm`, an empty `-wal`)."
    return sorted(p.relative_to(folder) for p in folder.rglob('*') if not p.name.endswith(('-shm', '-wal')))

def test_sample_writes_a_folder_a_grid_and_an_interpolation(dggan, tmp_path):
    from PIL import Image
    run = tiny_run(tmp_path / 'run'); before = files(run)
    out = dggan('sample', run, '--n', '5', '--seed', '3', '--out', tmp_path / 'fakes')
    assert out.returncode == 0, out.stderr
    assert 'final.pt' in out.stdout and '5 images, seed 3' in out.stdout
    assert [p.name for p in sorted((tmp_path / 'fakes').iterdir())] == [f'{i:06d}.png' for i in range(5)]
    assert Image.open(tmp_path / 'fakes' / '000000.png').size == (8, 8)
    for args, name, size in [(['--format', 'grid', '--n', '4'], 'grid.png', (2 * 65 + 1,) * 2),
                             (['--format', 'interpolation', '--n', '6', '--scale', '2'], 'strip.png', (6 * 17 + 1, 18)),
                             (['--node', '1', '--format', 'grid', '--n', '1', '--scale', '1'], 'node.png', (10, 10))]:
        out = dggan('sample', run, *args, '--out', tmp_path / name)
        assert out.returncode == 0, out.stderr
        assert Image.open(tmp_path / name).size == size
    assert files(run) == before  # nothing written into the run
    out = dggan('sample', run, '--node', '9')
    assert out.returncode == 2 and "give --node with a done node's id (1)" in out.stderr and 'Traceback' not in out.stderr, out.stderr
    (run / 'final.pt').unlink()
    out = dggan('sample', run, '--out', tmp_path / 'never')
    assert out.returncode == 2 and 'has no final.pt: the run has not finished' in out.stderr and '--node ID' in out.stderr
    assert 'Traceback' not in out.stderr and not (tmp_path / 'never').exists()

def test_eval_scores_the_model_and_writes_only_its_json(dggan, tmp_path):
    import json
    run = tiny_run(tmp_path / 'run'); before = files(run)
    out = dggan('eval', run, '--n', '16', '--out', tmp_path / 'scores.json', timeout=600)
    assert out.returncode == 0, out.stderr
    for label in ('SWD×1e3', 'FID', 'KID×1e3', 'against digits: 16 generated and 16 real images'): assert label in out.stdout
    scores = json.loads((tmp_path / 'scores.json').read_text())
    assert (scores['resolution'], scores['n'], scores['data']) == (8, 16, 'digits')
    assert scores['swd_x1e3'] > 0 and scores['fid'] > 0 and 'kid' in scores
    assert files(run) == before
    out = dggan('eval', run, '--metrics', 'swd,bogus')
    assert out.returncode == 2 and 'unknown bogus' in out.stderr and 'Traceback' not in out.stderr, out.stderr

def test_bench_search_refuses_before_anything_runs(dggan, tmp_path):
    "The full bench runs for hours: without --out, with a data set that does not exist or an arm that changes a setting the bench gives every run, it stops at once and writes nothing."
    out = dggan('bench', 'search')
    assert out.returncode == 2 and 'give the bench a folder with --out' in out.stderr and 'Traceback' not in out.stderr
    out = dggan('bench', 'search', '--out', tmp_path / 'bench', '--data', 'digits,nowhere')
    assert out.returncode == 2 and "'nowhere' is neither a known data set" in out.stderr
    assert not (tmp_path / 'bench').exists()
    out = dggan('bench', 'search', '--out', tmp_path / 'bench', '--arm', 'fixed=--policy progressive')
    assert out.returncode == 2 and 'arm fixed: the bench sets --policy for every run' in out.stderr and 'Traceback' not in out.stderr
    assert not (tmp_path / 'bench').exists()
    assert '--budget-minutes' in dggan('bench', 'search', '--help').stdout
