"""« Exporter les écritures validées »: FEC, CSV or XLSX, up to a closing date."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from nicegui import ui

from components.date_field import date_field, read_day
from components.wide_card import wide_card

KINDS = {'fec': 'FEC (fichier des écritures comptables)', 'csv': 'CSV (Excel)', 'xlsx': 'XLSX (Excel)'}
Export = Callable[[str, date | None, date], Awaitable[None]]


def export_dialog(*, on_export: Export) -> ui.dialog:
    with ui.dialog() as dialog, wide_card(32, 'export'):
        ui.label('Exporter les écritures validées').classes('text-lg font-semibold')
        kind = ui.radio(KINDS, value='fec').props('data-testid=export-kind').mark('export-kind')
        with ui.row().classes('w-full gap-2'):
            start = date_field('Début (facultatif)', 'export-start')
            end = date_field('Date de clôture', 'export-end')
        problem = ui.label().classes('text-sm text-red-800').props('role=alert data-testid=export-error')

        async def go() -> None:
            (start_ok, first), (end_ok, last) = read_day(start), read_day(end)
            if not (start_ok and end_ok):
                return
            if last is None:
                problem.text = 'Indiquez la date de clôture.'
                return
            problem.text = ''
            button.disable()
            try:
                await on_export(kind.value, first, last)
            finally:
                button.enable()

        with ui.row().classes('w-full justify-end gap-2'):
            ui.button('Annuler', on_click=dialog.close).props('flat no-caps data-testid=export-cancel')
            button = (
                ui.button('Exporter', icon='download', on_click=go)
                .mark('export-go')
                .props('unelevated no-caps data-testid=export-go')
            )
    return dialog
