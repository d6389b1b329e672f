"The DGGAN search as a user runs it from the command line: kill -9 in the middle of a stage, resume, same history."
import contextlib, signal, sqlite3, subprocess, time
from pathlib import Path

from dggan_nb.store import RunStore

TINY = ['--resolution', '8', '--channels', '8', '--latent-dim', '16', '--batch-size', '16', '--device', 'cpu',
        '--probe-kimg', '0.096', '--budget-kimg', '3', '--eval-samples', '64', '--k', '2', '--p', '0.5', '--min-candidates', '1']

def history(run: Path) -> list:
    "Every node, every training segment (the final phase's too) and the decisions' rungs."
    with RunStore.open(run, readonly=True) as store:
        return ([(n.id, n.parent_id, n.stage, n.action, n.status, n.rung, n.kimg_trained, n.score) for n in store.nodes()],
                [(s.node_id, s.phase, s.rung, s.kimg_start, s.kimg_end, s.score) for s in store.segments()],
                [d.rungs for d in store.decisions()])

def scored(run: Path) -> int:
    try:
        with contextlib.closing(sqlite3.connect(f'file:{run / "run.sqlite"}?mode=ro', uri=True)) as db:
            return db.execute("SELECT COUNT(*) FROM segments").fetchone()[0]  # trained and scored stretches
    except sqlite3.Error: return 0

def test_sigkill_mid_stage_then_resume_gives_the_uninterrupted_history(dggan, tmp_path):
    straight = dggan('grow', *TINY, '--out', tmp_path / 'straight')
    assert straight.returncode == 0, straight.stderr
    expected = history(tmp_path / 'straight')
    assert len(expected[0]) >= 4 and expected[1][-1][1] == 'final'

    run = tmp_path / 'killed'
    proc = subprocess.Popen(['dggan', 'grow', *TINY, '--out', str(run)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 180
    while time.time() < deadline and scored(run) < 4 and proc.poll() is None: time.sleep(0.05)
    time.sleep(0.15)  # into the next candidate's training
    proc.send_signal(signal.SIGKILL); proc.wait()
    assert scored(run) < len(expected[1]), 'the run finished before it could be killed: make it longer'
    with RunStore.open(run, readonly=True) as store:
        assert store.db.execute('PRAGMA integrity_check').fetchone()[0] == 'ok'
    resumed = dggan('resume', run)
    assert resumed.returncode == 0, resumed.stderr
    assert history(run) == expected
    assert (run / 'report' / 'report.html').exists() and (run / 'final.pt').exists()

def test_resume_refuses_what_is_not_a_run_and_writes_nothing(dggan, tmp_path):
    (tmp_path / 'notes').mkdir(); (tmp_path / 'notes' / 'a.txt').write_text('mine')
    out = dggan('resume', tmp_path / 'notes')
    assert out.returncode == 2 and 'holds no dggan_nb run' in out.stderr
    assert sorted(p.name for p in (tmp_path / 'notes').iterdir()) == ['a.txt']

def test_resume_refuses_a_run_from_a_newer_version(dggan, tmp_path):
    assert dggan('grow', *TINY, '--out', tmp_path / 'run').returncode == 0
    db = sqlite3.connect(tmp_path / 'run' / 'run.sqlite')
    with db: db.execute("UPDATE meta SET value = '99' WHERE key = 'format_version'")
    db.execute('PRAGMA wal_checkpoint(TRUNCATE)'); db.close()
    before = (tmp_path / 'run' / 'run.sqlite').read_bytes()
    out = dggan('resume', tmp_path / 'run')
    assert out.returncode != 0 and 'newer dggan_nb' in out.stderr
    assert (tmp_path / 'run' / 'run.sqlite').read_bytes() == before
