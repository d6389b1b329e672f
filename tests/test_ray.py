"""Candidates trained on Ray: the same history as in process, a worker killed mid-candidate, a Python error, pause, stop and resume,
a run folder the workers cannot see, a bad address, the driver killed and resumed, a two-node cluster, the dashboard.

Every Ray run is compared with one in-process run of the same tiny search with one torch thread (CPU results depend on
torch's thread count; each Ray worker has one thread). Skipped when Ray is not installed (`pip install -e ".[ray]"`)."""
import os, shutil, signal, socket, subprocess, sys, tempfile, threading, time
from dataclasses import replace
from pathlib import Path
from typing import Callable

import pytest
import torch

ray = pytest.importorskip('ray', reason='Ray is an optional extra: pip install -e ".[ray]"')

import dggan_nb
from dggan_nb.cluster import RayExecutor, ClusterError
from dggan_nb.search.driver import Search
from dggan_nb.search.config import SearchConfig, CostModel
from dggan_nb.search.runner import NodeTask
from dggan_nb.store import RunStore
from dggan_nb.testing import TINY_SEARCH, tiny_config, comparable_history

# the search of before the fixed step was kept to the last rung: these tests are about the executor, and their stop and
# kill points (node 3, 9 nodes in 3 stages) are set for its history
CLI_SETTINGS = [f'--{key.replace("_", "-")}={value}' for key, value in TINY_SEARCH.items()] + ['--batch-size=16', '--no-keep-fixed-step', '--min-candidates=3']
ENV = {**os.environ, 'PYTHONUNBUFFERED': '1', 'OMP_NUM_THREADS': '1'}

def run_config() -> SearchConfig:
    "The search every test runs: 3 stages, 9 nodes; log points every 2 steps, so that progress comes back from the workers."
    return tiny_config(keep_fixed_step=False, min_candidates=3)

HOLD_S = 120  # how long a held task waits to be killed or cancelled

def hold(node_id: int, pid_file: Path) -> Callable[[NodeTask, dict], None]:
    """An `on_log` hook for `RayExecutor`: `node_id`'s task writes its worker's pid into `pid_file` at its first log point
    and waits there (`HOLD_S`) to be killed or cancelled. Once only: the task run again goes on. A closure, which Ray sends
    to the workers by value, so they need not import this module."""
    def on_log(task: NodeTask, record: dict):
        if task.node_id != node_id or pid_file.exists(): return
        pid_file.write_text(str(os.getpid()))
        for _ in range(HOLD_S * 10): time.sleep(0.1)  # short sleeps: a cancelled task's KeyboardInterrupt comes between them
    return on_log

def held_pid(path: Path, timeout_s: float = 120) -> int:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if path.is_file() and path.read_text(): return int(path.read_text())
        time.sleep(0.05)
    raise TimeoutError(f'no task reached the hold {path}')

LAUNCHER = '''"python -c LAUNCHER HOOK ARGS...: `dggan ARGS`, its executor with the `on_log` hook pickled in the file HOOK."
import pickle, sys
from functools import partial
import dggan_nb.cli
with open(sys.argv[1], 'rb') as f: on_log = pickle.load(f)
dggan_nb.cli.make_executor = partial(dggan_nb.cli.make_executor, on_log=on_log)
dggan_nb.cli.main(sys.argv[2:])'''

def start_dggan(args: list[str], on_log: Callable[[NodeTask, dict], None], hook_file: Path) -> subprocess.Popen:
    "Start `dggan ARGS` in a new session (its pid is the session id), its executor with `on_log`, pickled as Ray pickles it."
    hook_file.write_bytes(ray.cloudpickle.dumps(on_log))
    return subprocess.Popen([sys.executable, '-c', LAUNCHER, str(hook_file), *args], env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

def eventually(condition, timeout_s: float = 30) -> bool:
    deadline = time.time() + timeout_s
    while not condition() and time.time() < deadline: time.sleep(0.1)
    return condition()

def alive(pid: int) -> bool:
    try: os.kill(pid, 0); return True
    except ProcessLookupError: return False

@pytest.fixture(scope='session')
def local_ray():
    "One local Ray with 2 CPUs for the tests that drive a search in this process."
    started = not ray.is_initialized()
    t0 = time.perf_counter()
    if started: ray.init(address='local', num_cpus=2, include_dashboard=False, logging_level='WARNING')
    print(f'\nlocal Ray started in {time.perf_counter() - t0:.1f} s')
    yield
    if started: ray.shutdown()

@pytest.fixture(scope='session')
def baseline(tmp_path_factory) -> dict:
    "The tiny search in this process with one torch thread: the history every Ray run must match."
    threads = torch.get_num_threads(); torch.set_num_threads(1)
    try:
        search = Search.create(tmp_path_factory.mktemp('baseline')/'run', run_config())
        search.run()
        history = comparable_history(search.store); search.store.close()
    finally: torch.set_num_threads(threads)
    return history

def test_workers_import_this_checkout(local_ray):
    @ray.remote
    def package_file(): import dggan_nb; return dggan_nb.__file__
    assert ray.get(package_file.remote()) == dggan_nb.__file__

def test_same_history_as_in_process(local_ray, baseline, tmp_path):
    executor = RayExecutor()
    assert (executor.started_ray, executor.slots()) == (False, 2)
    events = []
    search = Search.create(tmp_path/'run', run_config(), executor=executor)
    search.subscribe(lambda event: events.append((event.kind, getattr(event, 'node_id', None))))  # in order: one queue
    search.run()
    assert comparable_history(search.store) == baseline
    in_flight, most = set(), 0
    for kind, node_id in events:
        if kind == 'candidate_started': in_flight.add(node_id); most = max(most, len(in_flight))
        elif kind in ('candidate_scored', 'candidate_failed'): in_flight.discard(node_id)
    assert most == 2, 'two candidates trained at once'
    assert ('candidate_progress', 3) in events, 'progress comes back from the workers'
    assert set(executor.attempts.values()) == {1}

def test_worker_killed_mid_candidate_is_retried(local_ray, baseline, tmp_path):
    executor = RayExecutor(on_log=hold(3, tmp_path/'held.pid'))  # a candidate of stage 1, trained beside node 2
    search = Search.create(tmp_path/'run', run_config(), executor=executor)
    worker = threading.Thread(target=search.run); worker.start()
    pid = held_pid(tmp_path/'held.pid')
    os.kill(pid, signal.SIGKILL)
    worker.join(300)
    assert executor.attempts[3, 0] == 2 and executor.where[3][1] != pid, 'Ray ran the task again in another worker'
    assert comparable_history(search.store) == baseline

def test_python_error_fails_the_node_and_is_not_retried(local_ray, tmp_path):
    def failures(executor, folder):
        search = Search.create(folder, run_config(), executor=executor)
        search.run(max_stages=1)  # the root
        (search.store.folder/search.view.history()[0].checkpoint).write_bytes(b'not a checkpoint')
        search.run(max_stages=1)  # stage 1: every child grows from the broken root
        return [(n.id, n.status, n.failure.replace(str(folder), 'RUN')) for n in search.view.history()[1:]]
    threads = torch.get_num_threads(); torch.set_num_threads(1)
    try: in_process = failures(None, tmp_path/'in-process')
    finally: torch.set_num_threads(threads)
    executor = RayExecutor()
    on_ray = failures(executor, tmp_path/'ray')
    assert on_ray == in_process and {status for _, status, _ in on_ray} == {'failed'}
    assert 'checkpoint' in on_ray[0][2]
    # one start per task, whichever rung the stage began at (a lone resolution step goes straight to the last rung)
    assert all(sum(v for (i, _), v in executor.attempts.items() if i == node_id) == 1 for node_id, _, _ in on_ray), 'a Python error is not retried'

def test_stop_cancels_the_tasks_in_flight_and_resume_completes(local_ray, baseline, tmp_path):
    # a loaded machine can take over 10 s (the default grace) to deliver the cancel, and then the worker is killed, which
    # is right for a run but not what this test asserts: the cancel gets longer here, the hold longer still
    executor = RayExecutor(on_log=hold(3, tmp_path/'held.pid'), cancel_grace_s=HOLD_S / 2)
    search = Search.create(tmp_path/'run', run_config(), executor=executor)
    worker = threading.Thread(target=search.run); worker.start()
    pid = held_pid(tmp_path/'held.pid')
    t0 = time.perf_counter(); search.stop(); worker.join(HOLD_S)
    # well under the hold means cancelled (10–15 s were measured on 2 cores beside a benchmark and the suite)
    assert not worker.is_alive() and time.perf_counter() - t0 < HOLD_S * 3 / 4, 'stop cancels the held task instead of waiting for it'
    assert [e.kind for e in search.store.events(kind='search_stopped')] == ['search_stopped']
    assert search.store.node(3).status == 'pending', 'the interrupted node goes back to before its first rung'
    assert eventually(lambda: ray.available_resources().get('CPU') == 2), 'its task ended (cancelled)'
    assert alive(pid), 'cancelling a task leaves its worker process (and the run it has loaded) alive'
    search.store.close()
    resumed = Search.resume(tmp_path/'run', executor=executor)
    resumed.run()
    assert comparable_history(resumed.store) == baseline

def test_pause_holds_the_driver_and_unpause_goes_on(local_ray, baseline, tmp_path):
    search = Search.create(tmp_path/'run', run_config(), executor=RayExecutor())
    events = []
    def pause_once(task, trainer, record):  # on the driver's thread, as the log record of a remote node comes in
        if task.node_id == 2 and 'paused' not in events: events.append('paused'); search.pause()
    search.log_hooks.append(pause_once)
    search.subscribe(lambda event: events.append(event.kind))
    worker = threading.Thread(target=search.run); worker.start()
    assert eventually(lambda: 'paused' in events, 120)
    time.sleep(2); seen = len(events); time.sleep(2)
    assert len(events) == seen and worker.is_alive(), 'while paused, nothing is submitted or recorded'
    search.unpause(); worker.join(300)
    assert comparable_history(search.store) == baseline

def test_a_run_folder_the_workers_cannot_see_stops_the_search(local_ray, tmp_path):
    executor = RayExecutor()
    executor._configs['/no/such/run'] = run_config().to_dict()  # as if the driver saw a folder that the workers do not
    task = NodeTask('/no/such/run', 1, {}, 0, 0, 0.064, 'checkpoints/node-1.pt')
    with pytest.raises(ClusterError, match='is not visible on the worker machine'): list(executor.map([task]))

def test_a_bad_address_fails_fast(tmp_path):
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]
    t0 = time.perf_counter()
    out = subprocess.run(['dggan', 'grow', *CLI_SETTINGS, '--out', str(tmp_path/'run'), '--ray-address', f'127.0.0.1:{port}'],
                         capture_output=True, text=True, env=ENV, timeout=120)
    assert out.returncode == 2 and 'no Ray cluster answers' in out.stderr and 'Traceback' not in out.stderr, out.stderr
    assert time.perf_counter() - t0 < 60 and not (tmp_path/'run').exists()

def test_dashboard_shows_a_search_on_ray(local_ray, tmp_path):
    from dggan_nb.widgets import Dashboard
    search = Search.create(tmp_path/'run', run_config(), executor=RayExecutor())
    dash = Dashboard(search)
    dash.run(max_stages=2); assert dash.wait(300) == 'finished'
    dash.refresh()
    decision = search.store.decisions()[0]
    assert dash.stepper.candidate_table.value.count('<tr') - 1 == len(decision.candidates)
    assert all(f'#{node_id}' in dash.plots.tree.value for node_id in decision.children)
    assert not dash.errors

def test_driver_killed_mid_rung_then_resumed(baseline, tmp_path):
    run = tmp_path/'run'
    grow = start_dggan(['grow', *CLI_SETTINGS, '--out', str(run), '--workers', '2'],
                       hold(6, tmp_path/'held.pid'), tmp_path/'hook.pickle')  # a candidate of stage 2's first rung, beside another
    try:
        pid = held_pid(tmp_path/'held.pid', 180)
        with RunStore.open(run, readonly=True) as store: before = [(s.id, s.node_id, s.rung, s.score) for s in store.segments()]
        grow.kill(); grow.wait()
        assert eventually(lambda: not alive(pid), 60), 'the driver took its local Ray along: nothing trains behind the resumed run'
    finally: stop_sessions([grow.pid])  # whatever of its Ray is left
    with RunStore.open(run, readonly=True) as store:
        in_flight = [n.id for n in store.nodes() if n.status == 'running']
        assert 6 in in_flight and len(in_flight) <= 2
    resumed = subprocess.run(['dggan', 'resume', str(run), '--workers', '2'], capture_output=True, text=True, env=ENV, timeout=300)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    with RunStore.open(run, readonly=True) as store:
        assert comparable_history(store) == baseline
        assert [e.payload['node_ids'] for e in store.events(kind='candidates_requeued')] == [in_flight], 'only the candidates in flight train again'
        assert [(s.id, s.node_id, s.rung, s.score) for s in store.segments()][:len(before)] == before, 'what was recorded before the kill stays'

@pytest.fixture
def two_node_cluster(tmp_path):
    "A Ray head and a second Ray node on 127.0.0.1, one CPU each, as separate processes (stopped by their session ids)."
    port = 6500 + os.getpid() % 400
    env = {**ENV, 'RAY_AUTH_MODE': 'disabled'}
    common = ['--num-cpus=1', '--block', '--disable-usage-stats', '--object-store-memory=100000000']
    temp_dir = tempfile.mkdtemp(prefix='ray-test-')  # the head's logs and sockets
    head = subprocess.Popen(['ray', 'start', '--head', f'--port={port}', '--include-dashboard=false', f'--temp-dir={temp_dir}', *common],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    procs = [head]
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try: socket.create_connection(('127.0.0.1', port), timeout=1).close(); break
            except OSError: time.sleep(0.5)
        procs.append(subprocess.Popen(['ray', 'start', f'--address=127.0.0.1:{port}', *common], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True))
        wait_for_two = ('import ray, time; ray.init(address=%r, logging_level="ERROR"); deadline = time.time() + 120\n'
                        'while sum(n["Alive"] for n in ray.nodes()) < 2 and time.time() < deadline: time.sleep(0.5)') % f'127.0.0.1:{port}'
        subprocess.run([sys.executable, '-c', wait_for_two], env=env, timeout=180, check=True, capture_output=True)
        yield f'127.0.0.1:{port}', env
    finally:
        stop_sessions([p.pid for p in procs])
        for p in procs: p.wait(10)
        shutil.rmtree(temp_dir, ignore_errors=True)

def _session(pid: int) -> int | None:
    "The session of a live process (None: gone, or a zombie waiting for its parent)."
    try: state, _, _, session = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()[:4]  # after the name
    except (OSError, ValueError): return None
    return None if state == 'Z' else int(session)

def stop_sessions(sessions: list[int], grace_s: float = 5):
    "End every process of the sessions these tests started (`start_new_session=True`: the session id is the pid): TERM, then KILL."
    def members(): return [int(d) for d in os.listdir('/proc') if d.isdigit() and _session(int(d)) in sessions]
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in members():
            try: os.kill(pid, sig)
            except ProcessLookupError: pass
        if eventually(lambda: not members(), grace_s): return

def test_two_node_cluster(two_node_cluster, baseline, tmp_path):
    address, env = two_node_cluster
    out = subprocess.run(['dggan', 'grow', *CLI_SETTINGS, '--out', str(tmp_path/'run'), '--ray-address', address],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert 'Ray on 2 machine(s)' in out.stdout, out.stdout
    with RunStore.open(tmp_path/'run', readonly=True) as store: assert comparable_history(store) == baseline


def test_a_time_budget_on_ray(local_ray, tmp_path):
    """A budget in minutes with candidates on Ray: the driver prices the device once, the workers train by the prices in
    the config, and the run's own clock (the device seconds of every segment, summed over the workers) ends on its budget."""
    search = Search.create(tmp_path/'run', replace(run_config(), budget_kimg=None, budget_minutes=0.4), executor=RayExecutor(), raise_budget=True)
    budget, prices = search.config.budget_minutes, search.config.cost_model
    assert prices is not None and prices.calibration_s > 0
    search.run()
    with RunStore.open(tmp_path/'run', readonly=True) as stored: assert stored.config.cost_model == prices  # what the workers were given
    assert search.view.result() is not None and (tmp_path/'run'/'final.pt').is_file()
    assert 0.8 * budget <= search.view.spent() <= 1.3 * budget, (search.view.spent(), budget)
    search.store.close()
