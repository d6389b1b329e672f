"The docs site in a real browser: scripts/docs builds it with MyST, a local server serves it, Chromium shows its pictures and API."
import os, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT/'_site'
SCREENSHOT = ROOT/'nbs'/'tutorials'/'images'/'docs-site.png'
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                 '--disable-sync', '--no-first-run']

def _free_port() -> int:
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

@pytest.fixture(scope='module')
def site_url(tmp_path_factory):
    "The site built by scripts/docs (or the one in DGGAN_DOCS_SITE), served on 127.0.0.1 for the module's tests."
    if shutil.which('chromium') is None: pytest.skip('chromium is not installed (Debian: apt-get install chromium)')
    try: import playwright.sync_api  # noqa: F401
    except ImportError: pytest.skip('playwright (python) is not installed: pip install playwright')
    site = Path(os.environ.get('DGGAN_DOCS_SITE', SITE))
    if 'DGGAN_DOCS_SITE' not in os.environ:
        if shutil.which('npm') is None: pytest.skip('npm is not installed (Debian: apt-get install nodejs npm), so MyST cannot build the site')
        t0 = time.time()
        out = subprocess.run(['bash', 'scripts/docs'], cwd=ROOT, capture_output=True, text=True, timeout=900,
                             env={**os.environ, 'OMP_NUM_THREADS': '1', 'BASE_URL': ''})
        assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
        print(f'\nscripts/docs built the site in {time.time() - t0:.0f} s: {out.stdout.strip().splitlines()[-1]}')
    assert (site/'index.html').exists() and (site/'search'/'index.html').exists(), f'no site in {site}'
    port, log = _free_port(), open(tmp_path_factory.mktemp('http')/'server.log', 'w')
    server = subprocess.Popen([sys.executable, '-m', 'http.server', str(port), '--bind', '127.0.0.1', '--directory', str(site)],
                              stdout=log, stderr=subprocess.STDOUT)
    url = f'http://127.0.0.1:{port}'
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
def page(site_url):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which('chromium'), args=CHROMIUM_ARGS)
        try: yield browser.new_page(viewport=dict(width=1400, height=1100))
        finally: browser.close()

RENDERED_PICTURES = """() => [
  ...[...document.querySelectorAll('main img')].filter(i => i.complete && i.naturalWidth > 0 && i.naturalHeight > 0)
     .map(i => 'img ' + i.getAttribute('src') + ' ' + i.naturalWidth + 'x' + i.naturalHeight),
  ...[...document.querySelectorAll('main svg')].filter(s => { const b = s.getBoundingClientRect(); return b.width > 20 && b.height > 20 })
     .map(s => 'svg ' + Math.round(s.getBoundingClientRect().width) + 'x' + Math.round(s.getBoundingClientRect().height)),
]"""

def test_index_shows_pictures_and_links_every_chapter(page, site_url):
    page.goto(site_url + '/'); page.wait_for_load_state('networkidle')
    assert page.locator('h1.title').inner_text() == 'dggan_nb'
    pictures = page.evaluate(RENDERED_PICTURES)
    assert any(p.startswith('img ') for p in pictures), pictures  # the main job's samples and schedule (markdown images)
    assert any(p.startswith('svg ') for p in pictures), pictures  # draw(child, parent=seed), a notebook output
    nav = page.locator('nav.sidebar a').all_inner_texts()
    for title in ('core', 'search', 'widgets', 'cli', 'Grow a GAN on the digits', 'Grow a GAN interactively'): assert title in nav, nav

def test_search_chapter_shows_pictures_and_api(page, site_url, tmp_path):
    page.goto(site_url + '/search/'); page.wait_for_load_state('networkidle')
    assert page.locator('h1.title').inner_text() == 'search'
    pictures = page.evaluate(RENDERED_PICTURES)
    assert any(p.startswith('img ') for p in pictures), pictures  # the small search's final samples
    # show_doc's entry for Search: its heading (an anchor the contents and doc links use) and its signature with docments
    heading = page.locator('main h3#search')
    assert heading.inner_text().strip() == 'Search'
    signature = heading.locator('xpath=following-sibling::pre[1]').inner_text()
    assert 'def Search(' in signature and 'store:RunStore, # an open, writable run store' in signature, signature
    assert page.locator('aside.toc a[href="#searchconfig"]').count() == 1  # API entries are in the page's contents
    link = page.locator('main a', has_text='SearchConfig').first  # a doc link, resolved to this site's own page
    assert link.get_attribute('href').endswith('/search#searchconfig'), link.get_attribute('href')
    page.locator('#site-search').fill('successive halving')  # the search box searches every page
    page.locator('#site-search-results a').first.wait_for(timeout=10_000)
    assert 'no match' not in page.locator('#site-search-results').inner_text()
    page.locator('#site-search').fill(''); page.evaluate('() => document.activeElement.blur()')
    # the picture: the section that runs a small search, from its history table down to its final model's samples
    page.evaluate('''() => {
      const h = document.querySelector('main h2#a-small-search');
      const img = [...document.querySelectorAll('main .output img')].find(i => h.compareDocumentPosition(i) & Node.DOCUMENT_POSITION_FOLLOWING);
      img.scrollIntoView({block: 'end'}); window.scrollBy(0, 30);
    }''')
    time.sleep(0.3)
    page.screenshot(path=str(tmp_path/'docs-site.png'))
    if os.environ.get('DGGAN_UPDATE_SCREENSHOTS'):  # refresh the docs' picture on purpose, not on every run
        from PIL import Image
        Image.open(tmp_path/'docs-site.png').convert('RGB').quantize(256).save(SCREENSHOT, optimize=True)  # a third of the bytes
