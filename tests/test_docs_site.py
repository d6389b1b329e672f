"The docs site in a real browser: scripts/docs builds it with Sphinx, a local server serves it, Chromium shows its pictures and API."
import importlib.util, os, re, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path
from urllib.parse import urljoin

import pytest

ROOT = Path(__file__).resolve().parent.parent
NBS, SITE = ROOT/'nbs', ROOT/'_site'
# the chapter that documents class Search (the notebook that defines it), and a word its page holds for the search box
SEARCH_PAGE = next(nb.stem for nb in sorted(NBS.glob('*.ipynb')) if re.search(r'"class Search[(:]', nb.read_text()))
SEARCH_WORD = 'halving'
# every page the navigation links, in its order: the tutorials, then the chapters, each by file name (as scripts/docs builds it)
NAV = [nb.relative_to(NBS).with_suffix('.html').as_posix() for nb in sorted((NBS/'tutorials').glob('*.ipynb')) + sorted(NBS.glob('*.ipynb'))
       if nb.stem != 'index' and not nb.name.startswith('_')]
SCREENSHOT = NBS/'tutorials'/'images'/'docs-site.png'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--no-first-run']

def _free_port() -> int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def _sessions() -> dict[int, tuple[int, str]]:
    "Every process: pid → (its session id, its command line)."
    out = subprocess.run(['ps', '-eo', 'pid=,sid=,args='], capture_output=True, text=True, check=True).stdout
    return {int(pid): (int(sid), args) for pid, sid, args in (l.split(None, 2) for l in out.splitlines() if len(l.split(None, 2)) == 3)}

def _build_site(log: Path):
    "Run scripts/docs in a session of its own (its processes keep its id, its pid), and check that none outlives it."
    t0 = time.time()
    with open(log, 'w') as out:  # a file, not a pipe: a process left behind would hold a pipe open
        build = subprocess.Popen(['bash', 'scripts/docs'], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                 env={**os.environ, 'OMP_NUM_THREADS': '1'}, start_new_session=True)
        build.wait(900)
    assert build.returncode == 0, log.read_text()[-6000:]
    print(f'\nscripts/docs built the site in {time.time() - t0:.0f} s: {log.read_text().strip().splitlines()[-1]}')
    time.sleep(0.5)
    left = {pid: args for pid, (sid, args) in _sessions().items() if sid == build.pid}
    assert not left, f'scripts/docs left processes running: {left}'

@pytest.fixture(scope='module')
def site(tmp_path_factory) -> Path:
    "The site built by scripts/docs (or the one in DGGAN_DOCS_SITE)."
    if shutil.which('chromium') is None: pytest.skip('chromium is not installed (Debian: apt-get install chromium)')
    for module in ('playwright', 'myst_nb', 'sphinx_book_theme'):  # the dev extra's browser driver and docs tools
        if importlib.util.find_spec(module) is None: pytest.skip(f'{module} is not installed: pip install -e ".[dev]"')
    site = Path(os.environ.get('DGGAN_DOCS_SITE', SITE))
    if 'DGGAN_DOCS_SITE' not in os.environ: _build_site(tmp_path_factory.mktemp('docs')/'build.log')
    assert (site/'index.html').exists() and (site/f'{SEARCH_PAGE}.html').exists(), f'no site in {site}'
    return site

@pytest.fixture(scope='module')
def site_url(site, tmp_path_factory):
    "The site, served on 127.0.0.1 for the module's tests."
    port, log = _free_port(), open(tmp_path_factory.mktemp('http')/'server.log', 'w')
    server = subprocess.Popen([sys.executable, '-m', 'http.server', str(port), '--bind', '127.0.0.1', '--directory', str(site)],
                              stdout=log, stderr=subprocess.STDOUT)
    url = f'http://127.0.0.1:{port}/'
    try:
        deadline = time.time() + 20
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2): break
            except OSError:
                if server.poll() is not None or time.time() > deadline: raise RuntimeError('the http server did not start')
                time.sleep(0.2)
        yield url
    finally:
        server.terminate(); server.wait(10); log.close()

@pytest.fixture(scope='module')
def browser(site_url):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which('chromium'), args=CHROMIUM_ARGS)
        try: yield browser
        finally: browser.close()

@pytest.fixture
def page(browser):
    "A fresh page (nothing stored from earlier tests: a first visit) that fails its test on a missing file or a console error or warning."
    page = browser.new_page(viewport=dict(width=1280, height=900))
    missing = []  # files of the site that the page asked for and did not get (the favicon's request is not among responses)
    page.on('response', lambda r: missing.append(r.url) if r.status >= 400 else None)
    page.console_problems = []  # e.g. pydata-sphinx-theme's "Got invalid theme mode", a 404 for /favicon.ico
    page.on('console', lambda m: page.console_problems.append(f'{m.type}: {m.text} ({page.url})') if m.type in ('error', 'warning') else None)
    page.on('pageerror', lambda e: page.console_problems.append(f'uncaught: {e} ({page.url})'))
    yield page
    page.close()
    assert not missing, missing
    assert not page.console_problems, page.console_problems

RENDERED_PICTURES = """() => [...document.querySelectorAll('main img')]
  .filter(i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0).map(i => i.getAttribute('src'))"""

def _open(page, url: str):
    page.goto(url); page.wait_for_load_state('networkidle')

def _heading(page, selector: str) -> str:
    "A heading's text, without the '#' of its link."
    return page.locator(selector).first.evaluate("h => h.firstChild.textContent").strip()

def test_index_shows_pictures_and_links_every_page(page, site_url):
    _open(page, site_url)
    assert _heading(page, 'main h1') == 'dggan_nb' and page.title().startswith('dggan_nb')
    pictures = page.evaluate(RENDERED_PICTURES)
    assert any(p.endswith('.png') for p in pictures), pictures  # the main job's samples and schedule (markdown images)
    assert any(p.endswith('.svg') for p in pictures), pictures  # draw(child, parent=seed), a notebook's SVG output
    nav = [a.get_attribute('href') for a in page.locator('nav.bd-docs-nav a.reference').all()]
    assert nav == NAV, nav
    assert 'Grow a GAN on the digits' in page.locator('nav.bd-docs-nav').inner_text()  # a tutorial by its title

def test_search_chapter_shows_pictures_and_api(page, site_url):
    _open(page, site_url + f'{SEARCH_PAGE}.html')
    assert any(p.endswith('.png') for p in page.evaluate(RENDERED_PICTURES)), f'{SEARCH_PAGE} shows no picture'
    # show_doc's entry for Search: a heading with the anchor doc links use, its signature (docments included) as code
    entry = page.locator('main section#search')
    assert _heading(page, 'main section#search > h3') == 'Search'
    signature = entry.locator('pre').first
    assert 'def Search(' in signature.inner_text() and 'store:RunStore, # an open, writable run store' in signature.inner_text()
    assert signature.locator('span.k', has_text='def').count() == 1  # highlighted
    assert page.locator('#pst-page-toc-nav a[href="#search"]').count() == 1  # API entries are in the page's contents
    page.locator('main pre').first.hover()
    assert page.locator('main button.copybtn').count() > 0
    # a doc link in the entry leads to the entry of another page on this site
    link = entry.locator('a', has_text='RunStore').first
    _open(page, urljoin(page.url, link.get_attribute('href')))
    assert page.url.split('#')[0].endswith('.html') and page.locator(f'main section#{page.url.split("#")[1]} > h3').count() == 1

def test_full_text_search_finds_the_page(page, site_url):
    _open(page, site_url)
    page.keyboard.press('Control+k')  # the theme's search box (the sidebar's Search button opens it too)
    page.locator('form.bd-search input[name=q]').first.fill(SEARCH_WORD)
    page.keyboard.press('Enter')
    page.wait_for_url('**/search.html?q=*')
    page.locator('#search-results .search-summary', has_text='Search finished').wait_for(timeout=15_000)
    results = [a.get_attribute('href') for a in page.locator('#search-results a').all()]
    assert any(h.split('?')[0].split('#')[0] == f'{SEARCH_PAGE}.html' for h in results), results

def test_phone_menu_and_dark_mode(page, site_url):
    page.set_viewport_size(dict(width=400, height=800))  # a phone: the navigation is behind the menu button
    _open(page, site_url + f'{SEARCH_PAGE}.html')
    assert not page.locator('nav.bd-docs-nav').is_visible()
    page.locator('button.primary-toggle:visible').click()
    page.locator('dialog[open] nav.bd-docs-nav a', has_text='Grow a GAN on the digits').wait_for(state='visible', timeout=5_000)
    page.keyboard.press('Escape')
    page.locator('button.theme-switch-button:visible').click()
    page.locator('button.theme-change-button[data-mode=dark]:visible').click()
    assert page.evaluate('document.documentElement.dataset.theme') == 'dark'

def test_screenshot(page, site_url, tmp_path):
    "The docs' picture of the site: the chapter that documents Search, at its first code cell with a picture below."
    _open(page, site_url + f'{SEARCH_PAGE}.html')
    assert page.evaluate('''() => {
      const img = [...document.querySelectorAll('main .cell_output img')].find(i => i.naturalHeight > 50);
      if (img) { img.scrollIntoView({block: 'end'}); window.scrollBy(0, 30); }
      return Boolean(img);
    }'''), f'{SEARCH_PAGE} shows no picture in its outputs'
    time.sleep(0.3)
    page.screenshot(path=str(tmp_path/'docs-site.png'))
    if os.environ.get('DGGAN_UPDATE_SCREENSHOTS'):  # refresh the docs' picture on purpose, not on every run
        from PIL import Image
        Image.open(tmp_path/'docs-site.png').convert('RGB').quantize(256).save(SCREENSHOT, optimize=True)
        assert SCREENSHOT.stat().st_size < 300_000

# the text nbdev's show_doc shows for an API entry without a docstring (it falls back to an inherited one)
NO_DOCSTRING = ('Call self as a function.', 'Return repr(self).')

def test_every_api_entry_has_its_own_docstring(site):
    "scripts/check_docstrings.py keeps the package's docstrings; this checks what the pages say."
    found = {str(p.relative_to(site)): text for p in sorted(site.rglob('*.html')) if '_static' not in p.parts
             for text in NO_DOCSTRING if text in p.read_text()}
    assert not found, f'API entries without a docstring: {found}'

def test_every_page_loads_cleanly(page, site_url):
    "Each page, as a first visit: no console error or warning (the page fixture checks), a favicon that loads."
    for rel in ['index.html', *NAV, 'search.html']:
        _open(page, site_url + rel)
        icon = page.locator('link[rel=icon]')
        assert icon.count() == 1, f'{rel} has no favicon'
        with urllib.request.urlopen(urljoin(page.url, icon.get_attribute('href')), timeout=5) as r: assert r.status == 200
        page.evaluate('localStorage.clear()')  # the next page is a first visit too (the theme stores its mode)
