"""The statement file picker of an IBAN's page and of « Mes comptes »: the formats Relais reads, 50 MB at most."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import events as ui_events
from nicegui import ui

from services.statements import MAX_FILE_BYTES

TOO_LARGE = f'Fichier trop volumineux : {MAX_FILE_BYTES // (1024 * 1024)} Mo au plus.'
ACCEPTED = '.txt,.cfo,.cfonb,.sta,.mt940,.940,.942,.xml,.ofx,.qfx,.zip'


def statement_upload(on_upload: Callable[[ui_events.UploadEventArguments], Awaitable[None]], *, testid: str) -> None:
    ui.label('CFONB 120, MT940, camt.05x, OFX ou ZIP ; le fichier est importé en entier ou pas du tout.').classes(
        'text-xs text-slate-600'
    )
    ui.upload(
        on_upload=on_upload,
        on_rejected=lambda: ui.notify(TOO_LARGE, type='negative', multi_line=True, close_button='Fermer'),
        auto_upload=True,
        max_file_size=MAX_FILE_BYTES,
    ).props(f'accept="{ACCEPTED}" flat bordered label="Choisir un fichier" data-testid={testid}').classes('w-full')
