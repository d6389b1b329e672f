"The dashboard in a real browser: JupyterLab runs the interactive tutorial, a click overrides a decision while the search trains."
import json, os, re, secrets, shutil, socket, sqlite3, subprocess, sys, time, urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = ROOT/'nbs'/'tutorials'/'grow_interactively.ipynb'
SCREENSHOT = ROOT/'nbs'/'tutorials'/'images'/'dashboard.png'
NOTE = 'picked in the browser'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--no-first-run']

def _free_port() -> int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

@pytest.fixture
def lab(tmp_path):
    "A JupyterLab server on 127.0.0.1 serving a copy of the tutorial; killed (with its kernels) at the end."
    if shutil.which('chromium') is None: pytest.skip('chromium is not installed (Debian: apt-get install chromium)')
    try: import playwright.sync_api  # noqa: F401
    except ImportError: pytest.skip('playwright (python) is not installed: pip install playwright')
    if subprocess.run([sys.executable, '-m', 'jupyter', 'lab', '--version'], capture_output=True).returncode != 0:
        pytest.skip('jupyterlab is not installed: pip install jupyterlab')
    root = tmp_path/'lab'; root.mkdir()
    shutil.copy(TUTORIAL, root/TUTORIAL.name)
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, DGGAN_TUTORIAL_TINY='1', JUPYTER_RUNTIME_DIR=str(tmp_path/'runtime'),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp_path/'workspaces'), PYTHONUNBUFFERED='1')
    env.pop('IN_TEST', None)
    log = open(tmp_path/'jupyter.log', 'w')
    proc = subprocess.Popen([sys.executable, '-m', 'jupyter', 'lab', '--no-browser', '--allow-root', '--ServerApp.ip=127.0.0.1',
                             f'--ServerApp.port={port}', f'--ServerApp.token={token}', f'--ServerApp.root_dir={root}',
                             '--LabApp.news_url=', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'],
                            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        url = f'http://127.0.0.1:{port}'
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f'{url}/api/status?token={token}', timeout=2): break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError('JupyterLab did not start:\n' + (tmp_path/'jupyter.log').read_text()[-3000:])
                time.sleep(0.3)
        yield dict(url=url, token=token, root=root)
    finally:
        try: os.killpg(proc.pid, 15)
        except ProcessLookupError: pass
        try: proc.wait(10)
        except subprocess.TimeoutExpired: os.killpg(proc.pid, 9); proc.wait()
        log.close()

def _person_decisions(run: Path) -> list[dict]:
    "Decisions decided by a person, read straight from the run's SQLite file (read-only)."
    if not (run/'run.sqlite').exists(): return []
    db = sqlite3.connect(f'file:{run/"run.sqlite"}?mode=ro', uri=True, timeout=10)
    try:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute("SELECT * FROM decisions WHERE decided_by = 'person' ORDER BY id")]
    finally: db.close()

# What does not fit the dashboard: a panel that scrolls as a whole, content clipped by a box that hides its overflow,
# anything beyond its right edge outside the boxes made to scroll (.dggan-scroll: the candidate table, the tree, G/D
# drawings), a scroll box whose end cannot be scrolled into view.
LAYOUT_PROBLEMS = r"""d => {
  const problems = [], beyond = [], edge = d.getBoundingClientRect().right + 1;
  const scrolls = v => v === 'auto' || v === 'scroll';
  const name = e => `${e.tagName.toLowerCase()}.${String(e.className.baseVal ?? e.className).trim().split(/\s+/).slice(-2).join('.')}`;
  if (d.scrollWidth > d.clientWidth + 1) problems.push(`the dashboard is ${d.scrollWidth} px wide in ${d.clientWidth} px`);
  for (const e of d.querySelectorAll('*')) {
    const r = e.getBoundingClientRect(), s = getComputedStyle(e);
    if (!r.width || e.closest('.dggan-scroll') && !e.classList.contains('dggan-scroll')) continue;
    if (r.right > edge && !beyond.some(a => a.contains(e))) beyond.push(e), problems.push(`${name(e)} reaches ${Math.round(r.right)} px, beyond the dashboard (${Math.round(edge)} px)`);
    const wide = e.scrollWidth > e.clientWidth + 1, tall = e.scrollHeight > e.clientHeight + 1;
    if ((wide && ['hidden', 'clip'].includes(s.overflowX)) || (tall && ['hidden', 'clip'].includes(s.overflowY)))
      problems.push(`${name(e)} clips what it holds (${e.scrollWidth}×${e.scrollHeight} in ${e.clientWidth}×${e.clientHeight})`);
    if (e.classList.contains('widget-box') && wide) problems.push(`the panel ${name(e)} scrolls as a whole (${e.scrollWidth} px in ${e.clientWidth} px)`);
    if (e.classList.contains('dggan-scroll') && ((wide && !scrolls(s.overflowX)) || (tall && !scrolls(s.overflowY))))
      problems.push(`${name(e)} holds more than it shows and does not scroll`);
  }
  for (const box of d.querySelectorAll('.dggan-scroll')) {  // the last row or node can be scrolled into view
    const last = box.querySelector('tr:last-child') || box.querySelector('svg');
    if (!last) continue;
    box.scrollTop = box.scrollHeight; box.scrollLeft = box.scrollWidth;
    const b = box.getBoundingClientRect(), l = last.getBoundingClientRect();
    if (l.bottom > b.bottom + 1 || l.right > b.right + 1) problems.push(`${name(box)}: its end cannot be scrolled into view`);
    box.scrollTop = 0; box.scrollLeft = 0;
  }
  return problems;
}"""

def _stage_note(page, stage: int) -> str:
    "Show `stage` in the stepper (with its buttons, as a person would) and return the note beside it ('' if none)."
    label = page.locator('.dggan-dashboard').first.get_by_text(re.compile(r'^\s*stage \d+ of \d+\s*$')).first
    for _ in range(50):
        shown = int(re.search(r'stage (\d+) of', label.text_content()).group(1))
        if shown == stage: break
        page.locator('.dggan-dashboard button:has(i.fa-chevron-left)' if shown > stage else '.dggan-dashboard button:has(i.fa-chevron-right)').first.click()
        # a click goes browser → kernel → widgets, and the kernel also draws the stage's G/D: on a busy machine that takes a while
        _wait(lambda: int(re.search(r'stage (\d+) of', label.text_content()).group(1)) != shown, 90, 'the stepper to move')
    texts = page.locator('.dggan-dashboard .dggan-followed').all_text_contents()  # no wait: a redraw may replace the note meanwhile
    return texts[0] if texts else ''

def _nodes_scored(page) -> int:
    return int(re.search(r'nodes scored: (\d+)', page.locator('.dggan-scored').first.text_content()).group(1))

def _wait(condition, timeout_s: float, what: str, page=None, tmp_path=None):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if (value := condition()): return value
        time.sleep(1.0)  # gently: each look at the page costs the (CPU-starved) browser time
    if page is not None and tmp_path is not None: page.screenshot(path=str(tmp_path/'timeout.png'), full_page=True)
    raise AssertionError(f'timed out after {timeout_s:.0f} s waiting for {what}')

def test_click_overrides_the_running_search(lab, tmp_path):
    from playwright.sync_api import sync_playwright
    t_start = time.time()
    with sync_playwright() as p:
        # scrollbars shown (Playwright hides them by default): what scrolls looks scrollable in the screenshot, as on screen
        browser = p.chromium.launch(executable_path=shutil.which('chromium'), args=CHROMIUM_ARGS, ignore_default_args=['--hide-scrollbars'])
        try:
            page = browser.new_page(viewport=dict(width=1280, height=2000))  # a laptop's width: the dashboard must fit it
            page.goto(f"{lab['url']}/lab/tree/{TUTORIAL.name}?token={lab['token']}")
            tmp_path.joinpath('page-url').write_text(page.url)
            page.locator('.jp-Notebook').first.wait_for(timeout=60_000)
            page.get_by_text(re.compile(r'ipykernel\) \| Idle')).first.wait_for(timeout=60_000)  # the kernel is connected
            for attempt in range(3):  # a Run All sent while the kernel's websocket reconnects can be lost: try again
                page.locator('.lm-MenuBar-itemLabel', has_text=re.compile('^Run$')).first.click()
                page.locator('.lm-Menu-itemLabel', has_text=re.compile('^Run All Cells$')).first.click()
                try: page.locator('.jp-InputPrompt', has_text=re.compile(r'\[(\*|\d+)\]')).first.wait_for(timeout=15_000); break
                except Exception:
                    if attempt == 2: raise

            dashboard = page.locator('.dggan-dashboard').first
            dashboard.wait_for(timeout=120_000)
            run = Path(page.locator('.dggan-run-folder').first.text_content().strip())
            options = page.locator('.dggan-candidates select option')
            _wait(lambda: options.count() > 0, 120, 'the override panel to list candidates', page, tmp_path)
            # pause, as a person who reads the stages would: the kernel answers the stepper at once, and the search cannot
            # end before the click (on an idle machine the tiny search takes seconds)
            state = lambda: page.locator('.dggan-state').first.text_content()
            page.locator('button.dggan-pause').first.click()
            _wait(lambda: state() == 'paused', 60, 'the search to pause', page, tmp_path)
            status = page.locator('.dggan-override-status').first
            _wait(lambda: 'your override was followed' in _stage_note(page, 1), 120, "the tutorial's own override beside stage 1", page, tmp_path)
            assert _stage_note(page, 0) == '' and 'followed' not in status.text_content()  # the note stands with stage 1 only
            texts = lambda: [t.replace('\xa0', ' ') for t in options.all_text_contents()]  # ipywidgets shows spaces as no-break spaces
            _wait(lambda: any('trained as' in t for t in texts()), 30, 'the list to mark trained candidates', page, tmp_path)
            texts = texts()
            index = next((i for i, t in enumerate(texts) if 'trained as' not in t), 0)  # a candidate not trained yet
            option_text = texts[index]
            scored_at_click = _nodes_scored(page)
            curves = page.locator('.dggan-curves').first
            curves_at_click = curves.get_attribute('src')

            page.locator('.dggan-candidates select').first.select_option(index=index)
            page.locator('.dggan-note input').first.fill(NOTE)
            page.locator('.dggan-note input').first.press('Tab')  # commit the text to the kernel
            t_click = time.time()
            page.locator('button.dggan-submit').first.click()
            page.locator('button.dggan-pause').first.click()  # 'resume': the override waits for the next decision
            _wait(lambda: state() == 'running', 60, 'the search to resume', page, tmp_path)

            mine = _wait(lambda: [d for d in _person_decisions(run) if d['note'] == NOTE], 120,
                         'the search to follow the override', page, tmp_path)[0]
            t_followed = time.time()
            sampled = json.loads(mine['sampled'])
            assert len(sampled) == 1
            picked = option_text.split(': ', 1)[1].split('  ·')[0]
            assert f"node {sampled[0]['parent_id']}: " in picked, (picked, sampled)
            followed = _wait(lambda: _stage_note(page, mine['stage']), 30, 'the stepper to show the override beside its stage', page, tmp_path)
            assert 'your override was followed' in followed and 'followed' not in status.text_content(), (followed, status.text_content())
            _wait(lambda: _nodes_scored(page) > scored_at_click, 120, 'a new score', page, tmp_path)
            scored_later = _nodes_scored(page)
            _wait(lambda: curves.get_attribute('src') != curves_at_click, 30, 'the score curves to be redrawn (every 5 s at most)', page, tmp_path)
            responsive = page.locator('.jp-OutputArea-output', has_text='this cell took').first.text_content().strip().splitlines()[-1]

            tree = dashboard.locator('.dggan-tree .dggan-scroll')  # wait until it needs to scroll: the layout check then means something
            _wait(lambda: tree.evaluate('e => e.scrollWidth > e.clientWidth + 1'), 120, 'the search tree to outgrow its panel', page, tmp_path)
            tree_px = tree.evaluate('e => [e.scrollWidth, e.clientWidth]')
            no_news = page.get_by_role('button', name='No', exact=True)
            if no_news.count(): no_news.first.click()  # JupyterLab's news toast
            dashboard.evaluate('e => e.scrollIntoView({block: "start"})')
            time.sleep(0.5)
            problems = dashboard.evaluate(LAYOUT_PROBLEMS)  # with a tree and a table wider than their panels
            assert not problems, f'the dashboard does not fit {page.viewport_size["width"]} px: ' + '; '.join(problems[:10])
            assert page.locator('.dggan-dashboard .dggan-scroll table').count() >= 1 and page.locator('.dggan-dashboard .dggan-scroll svg').count() >= 2
            box, view = dashboard.bounding_box(), page.viewport_size
            page.screenshot(path=str(tmp_path/'dashboard.png'), clip=dict(x=box['x'], y=max(box['y'], 0), width=box['width'],
                                                                         height=min(box['height'], view['height'] - max(box['y'], 0))))
            if os.environ.get('DGGAN_UPDATE_SCREENSHOTS'):  # refresh the docs' picture on purpose, not on every run
                SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(tmp_path/'dashboard.png', SCREENSHOT)

            page.locator('button.dggan-stop').first.click()
            _wait(lambda: page.locator('.dggan-state').first.text_content() in ('stopped', 'finished'), 60,
                  'the search to stop', page, tmp_path)
            errors = page.locator('.dggan-errors').first.text_content()
            assert 'crashed' not in errors and 'failed' not in errors, errors
        except Exception:
            page.screenshot(path=str(tmp_path/'failure.png'), full_page=True)
            if 'run' in locals() and (run/'run.sqlite').exists():  # what the search had done, for the failure report
                with sqlite3.connect(f'file:{run/"run.sqlite"}?mode=ro', uri=True) as db:
                    print('nodes (id, status, finished_at):', db.execute('SELECT id, status, finished_at FROM nodes').fetchall(), f'now {time.strftime("%H:%M:%S")}')
            raise
        finally: browser.close()
    m = re.search(r'([\d.]+) s after it was submitted', followed)
    print(f'\noverride: clicked {option_text!r}; store shows it {t_followed - t_click:.2f} s after the click '
          f'(kernel: {m.group(1) if m else "?"} s from submit to use; {followed!r}); nodes scored {scored_at_click} -> {scored_later}; '
          f'{responsive!r}; search tree {tree_px[0]} px wide in a {tree_px[1]} px box; '
          f'test wall time {time.time() - t_start:.1f} s')
