"The `dggan` console script as a user runs it: help, bad input, a short run, a kill mid-run."
import json, os, signal, subprocess, sys, time
from pathlib import Path

import torch

from dggan_nb.train import read_checkpoint

TINY = ['--resolution', '8', '--channels', '8', '--latent-dim', '16', '--batch-size', '16', '--device', 'cpu']

def test_help_lists_subcommands(dggan):
    out = dggan('--help')
    assert out.returncode == 0
    for cmd in ('train', 'grow', 'resume', 'report', 'bench'): assert cmd in out.stdout
    assert '--kimg-per-node' in dggan('train', '--help').stdout

def test_bad_input_fails_fast_and_writes_nothing(dggan, tmp_path):
    for args, message in [(['--resolution', '24'], 'power of two'), (['--resolution', '64'], 'at most 32'),
                          (['--data', tmp_path / 'missing'], 'missing'), (['--kimg-per-node', '0'], 'must be positive')]:
        t0 = time.perf_counter()
        out = dggan('train', *args, '--out', tmp_path / 'run')
        assert out.returncode == 2, out.stderr
        assert message in out.stderr and 'Traceback' not in out.stderr
        assert not (tmp_path / 'run').exists()

def test_short_run_writes_samples_graphs_and_checkpoints(dggan, tmp_path):
    out = dggan('train', *TINY, '--kimg-per-node', '0.048', '--out', tmp_path / 'run')
    assert out.returncode == 0, out.stderr
    run = tmp_path / 'run'
    summary = json.loads((run / 'summary.json').read_text())
    assert summary['resolution'] == 8 and len(summary['nodes']) == 4
    for name in ('final-samples.png', 'final-graph.svg', 'final-graph.png'): assert (run / name).stat().st_size > 0
    assert len(list((run / 'checkpoints').glob('node-*.pt'))) == 4

def test_kill_mid_run_leaves_every_checkpoint_readable(tmp_path):
    run = tmp_path / 'run'
    proc = subprocess.Popen(['dggan', 'train', *TINY, '--kimg-per-node', '2', '--out', str(run)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and len(list((run / 'checkpoints').glob('node-*.pt'))) < 2: time.sleep(0.2)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL); proc.wait()
    saved = list((run / 'checkpoints').glob('node-*.pt'))
    assert saved, 'the run wrote no checkpoint before it was killed'
    for path in saved: assert read_checkpoint(path)['spec']
