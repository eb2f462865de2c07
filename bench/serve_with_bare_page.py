"""Serve Relais exactly as app.py does, plus one bare page `/bench/bare` to compare against.

Started by bench/pages.py as a subprocess; reads the same RELAIS_* environment variables as app.py.
By hand: `RELAIS_DEMO=1 RELAIS_PORT=8081 .venv/bin/python bench/serve_with_bare_page.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nicegui import ui

import app as relais_app

BARE_PATH = '/bench/bare'


def bare_page() -> None:
    ui.label('Bonjour')


def main() -> None:
    settings = relais_app.load_settings_or_exit()
    relais_app.set_up(settings)
    ui.page(BARE_PATH)(bare_page)
    relais_app.serve(settings)


if __name__ in {'__main__', '__mp_main__'}:
    main()
