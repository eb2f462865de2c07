"""The centred card of the sign-in screens, readable on a phone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui


@contextmanager
def auth_card(notice: str | None = None, *, title: str = 'Connexion') -> Iterator[None]:
    ui.page_title(f'{title} · Relais')
    ui.query('body').classes('bg-slate-100')
    with ui.column().classes('w-full min-h-screen items-center justify-center p-4'):
        with ui.row().classes('items-center gap-2 mb-2'):
            ui.icon('sync_alt', size='2rem').classes('text-slate-700')
            ui.label('Relais').classes('text-3xl font-bold text-slate-800')
        ui.label('Synchronisation bancaire des cabinets comptables').classes('text-sm text-slate-600 text-center')
        if notice:
            ui.label(notice).classes('text-sm text-slate-700 bg-white rounded px-3 py-2').props(
                'data-testid=login-notice'
            )
        with ui.card().classes('w-full max-w-sm gap-3 p-6'):
            yield


def error_label(testid: str) -> ui.label:
    return ui.label().classes('text-sm text-red-700').props(f'role=alert data-testid={testid}')


def secret_key_text(secret: str) -> None:
    grouped = ' '.join(secret[i : i + 4] for i in range(0, len(secret), 4))
    ui.label('Clé à saisir').classes('text-xs text-slate-500')
    ui.label(grouped).classes('font-mono text-sm break-all select-all').props('data-testid=totp-secret')
