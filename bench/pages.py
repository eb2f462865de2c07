"""Benchmark of the « Dossiers » page (/dossiers) with 5,000 client files, against a bare NiceGUI page.

Run by hand: `make bench` (or `.venv/bin/python bench/pages.py`); it needs Chromium at /usr/bin/chromium
and takes a minute or two. Nothing outside a fresh temporary data folder is touched.

What it does:
1. seeds the demo data into a temporary SQLite database and adds 5,000 client files to « Cabinet Démo »;
2. starts bench/serve_with_bare_page.py (Relais as app.py serves it, plus `/bench/bare`, a page holding
   only `ui.label('Bonjour')`) on a free port;
3. signs in once as the demo admin (password, then TOTP) in headless Chromium;
4. time to first render: from just before `page.goto` to the first visible content (« Bonjour », or the
   first client row), median of 15 runs after 2 warm-ups, the two pages alternating;
5. HTML size: each page's HTML, raw and gzip-compressed (level 6), and how many client rows it carries.

Targets: first-render ratio dossiers / bare <= 3, and the Dossiers HTML under 200 KB gzipped.
The exit status is 0 whatever the figures; only a crash makes it non-zero.
"""

from __future__ import annotations

import gzip
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import harness  # noqa: E402
from playwright.sync_api import BrowserContext, Locator, Page, sync_playwright  # noqa: E402
from stdnum import luhn  # noqa: E402

from services import db  # noqa: E402
from services.models import Client  # noqa: E402
from services.text import search_key  # noqa: E402

EXTRA_CLIENTS = 5_000
RUNS = 15
WARM_UPS = 2
RATIO_TARGET = 3.0
GZIP_TARGET_KB = 200.0
BARE_PATH = '/bench/bare'
DOSSIERS_PATH = '/dossiers'
ROW_SELECTOR = '[data-testid^="client-row-"]'
SERVER_SCRIPT = Path(__file__).resolve().parent / 'serve_with_bare_page.py'
_TRADES = ('Boulangerie', 'Garage', 'Menuiserie', 'Pharmacie', 'Transports', 'Hôtel', 'Librairie', 'Plomberie')
_TOWNS = ('Annecy', 'Bordeaux', 'Créteil', 'Dijon', 'Évreux', 'Grenoble', 'Lyon', 'Nantes', 'Orléans', 'Épinal')
_PEOPLE = ('Claire Dubois', 'Thomas Laurent', 'Julie Simon', 'Nicolas Michel', 'Léa David', 'Hugo Garcia')


@dataclass(frozen=True)
class HtmlSize:
    raw: int
    gzipped: int
    rows: int
    total: int | None


# --- data ---------------------------------------------------------------------------------------------------


def _luhn(base: str) -> str:
    return base + luhn.calc_check_digit(base)


def _extra_client(firm_id: int, index: int) -> Client:
    name = f'{_TRADES[index % len(_TRADES)]} {_TOWNS[index // len(_TRADES) % len(_TOWNS)]} {index:04d}'
    siren = _luhn(f'{70_000_000 + index:08d}')
    return Client(
        firm_id=firm_id,
        legal_name=name,
        search_name=search_key(name),
        siren=siren,
        siret=_luhn(siren + '0001'),
        contact_email=f'contact{index}@dossier-{index}.fr',
        contact_phone=f'01{index:08d}',
        representative=_PEOPLE[index % len(_PEOPLE)],
    )


def seed_database(env: dict[str, str]) -> None:
    """The demo data, then EXTRA_CLIENTS more client files in « Cabinet Démo », added in one session."""
    with harness.demo_database(env) as firm_id, db.session_scope() as session:
        session.add_all([_extra_client(firm_id, index) for index in range(EXTRA_CLIENTS)])


# --- server -------------------------------------------------------------------------------------------------


# --- browser ------------------------------------------------------------------------------------------------


def _bonjour(page: Page) -> Locator:
    return page.get_by_text('Bonjour', exact=True)


def _first_row(page: Page) -> Locator:
    return page.locator(ROW_SELECTOR).first


def first_render_ms(page: Page, url: str, content: Callable[[Page], Locator]) -> float:
    start = time.perf_counter()
    page.goto(url, wait_until='commit')
    content(page).wait_for(state='visible', timeout=30_000)
    elapsed = (time.perf_counter() - start) * 1000
    if page.url != url:
        raise RuntimeError(f'{url} ended on {page.url} (signed out?)')
    return elapsed


def measure_first_renders(page: Page, base: str) -> tuple[list[float], list[float]]:
    """Bare and Dossiers alternately: WARM_UPS runs thrown away, then RUNS runs of each."""
    bare, dossiers = [], []
    for run in range(WARM_UPS + RUNS):
        bare_ms = first_render_ms(page, base + BARE_PATH, _bonjour)
        dossiers_ms = first_render_ms(page, base + DOSSIERS_PATH, _first_row)
        if run >= WARM_UPS:
            bare.append(bare_ms)
            dossiers.append(dossiers_ms)
    return bare, dossiers


def html_size(context: BrowserContext, url: str) -> HtmlSize:
    """The page's HTML as the signed-in browser receives it (uncompressed), and gzipped at level 6."""
    response = context.request.get(url)
    if not response.ok or response.url != url:
        raise RuntimeError(f'{url}: status {response.status}, ended on {response.url}')
    body = response.body()
    html = body.decode('utf-8')
    total = re.search(r'"rowsNumber":\s*(\d+)', html)
    return HtmlSize(
        raw=len(body),
        gzipped=len(gzip.compress(body, compresslevel=6)),
        rows=len(re.findall(r'"legal_name":', html)),
        total=int(total.group(1)) if total else None,
    )


# --- report -------------------------------------------------------------------------------------------------


def _kb(size: int) -> str:
    return f'{size / 1024:.1f} KB'


def _verdict(ok: bool) -> str:
    return 'ok' if ok else 'MISSED'


def report(bare_ms: list[float], dossiers_ms: list[float], bare: HtmlSize, dossiers: HtmlSize) -> None:
    bare_median, dossiers_median = statistics.median(bare_ms), statistics.median(dossiers_ms)
    ratio = dossiers_median / bare_median
    gzip_ok = dossiers.gzipped < GZIP_TARGET_KB * 1024
    print(f'Relais « Dossiers » with {EXTRA_CLIENTS:,} extra client files vs. a bare NiceGUI page')
    print(f'(median of {len(bare_ms)} runs each after {WARM_UPS} warm-ups, same server, same browser)')
    print(
        f'first render  bare {bare_median:.0f} ms  dossiers {dossiers_median:.0f} ms  '
        f'ratio {ratio:.2f} (target <= {RATIO_TARGET:g})  {_verdict(ratio <= RATIO_TARGET)}'
    )
    print(f'html raw      bare {_kb(bare.raw)}  dossiers {_kb(dossiers.raw)}  ratio {dossiers.raw / bare.raw:.2f}')
    print(
        f'html gzip     bare {_kb(bare.gzipped)}  dossiers {_kb(dossiers.gzipped)}  '
        f'ratio {dossiers.gzipped / bare.gzipped:.2f} (target < {GZIP_TARGET_KB:g} KB)  {_verdict(gzip_ok)}'
    )
    total = f'{dossiers.total:,}' if dossiers.total is not None else '?'
    print(f'rows received {dossiers.rows} of {total} client files in the Dossiers HTML')


# --- main ---------------------------------------------------------------------------------------------------


def run_browser(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=harness.CHROMIUM, args=harness.CHROMIUM_ARGS)
        try:
            context = browser.new_context()
            page = context.new_page()
            harness.sign_in(page, base)
            bare_ms, dossiers_ms = measure_first_renders(page, base)
            sizes = html_size(context, base + BARE_PATH), html_size(context, base + DOSSIERS_PATH)
        finally:
            browser.close()
    report(bare_ms, dossiers_ms, *sizes)


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix='relais-bench-'))
    server: subprocess.Popen[bytes] | None = None
    log_path = workdir / 'server.log'
    try:
        port = harness.free_port()
        env = harness.server_env(workdir / 'data', port)
        seed_database(env)
        with log_path.open('wb') as log:
            server = harness.start_server(SERVER_SCRIPT, env, workdir, log)
            harness.wait_until_up(server, port)
            run_browser(f'http://127.0.0.1:{port}')
        return 0
    except BaseException:
        if log_path.exists() and log_path.stat().st_size:
            print('--- server log ---', file=sys.stderr)
            print(log_path.read_text(errors='replace')[-4000:], file=sys.stderr)
        raise
    finally:
        if server is not None:
            harness.stop_server(server)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
