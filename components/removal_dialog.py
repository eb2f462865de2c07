"""« SUPPRESSION D'ÉCRITURES EN ATTENTE DE VENTILATION »: an account, a period, the list, the box, the button."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from nicegui import ui

from components.date_field import date_field, read_day
from components.wide_card import wide_card
from services.formatting import day, money

IGNORE_LABEL = 'Ignorer ces écritures (ne plus les importer à la prochaine synchronisation)'
Preview = Callable[[int, date | None, date | None], Awaitable[list]]
Remove = Callable[[int, date | None, date | None, bool, list[int]], Awaitable[None]]


def removal_dialog(accounts: dict[int, str], *, preview: Preview, remove: Remove) -> ui.dialog:
    """``preview`` lists the entries (EntryRow) that would go; ``remove`` takes out those the user saw."""
    shown: dict = {'rows': [], 'key': None}
    with ui.dialog() as dialog, wide_card(48, 'removal'):
        ui.label('SUPPRESSION D’ÉCRITURES EN ATTENTE DE VENTILATION').classes('text-base font-semibold')
        with ui.row().classes('w-full items-start gap-2'):
            account = ui.select(accounts, value=next(iter(accounts), None), label='Compte').props(
                'outlined dense data-testid=removal-account'
            )
            account.classes('w-full sm:w-72').mark('removal-account')
            start, end = date_field('Début', 'removal-start'), date_field('Fin', 'removal-end')
        listing = ui.column().classes('w-full gap-0 max-h-72 overflow-y-auto border rounded p-2')
        ignore = ui.checkbox(IGNORE_LABEL).props('data-testid=removal-ignore').mark('removal-ignore')
        go = ui.button('Supprimer', icon='delete', color='negative').props('no-caps unelevated data-testid=removal-go')
        go.mark('removal-go')

        async def show() -> None:
            (start_ok, first), (end_ok, last) = read_day(start), read_day(end)
            listing.clear()
            shown['rows'], shown['key'] = [], None
            go.disable()
            if not (start_ok and end_ok) or first is None or last is None or account.value is None:
                with listing:
                    ui.label('Choisissez le compte, le début et la fin.').classes('text-sm text-slate-500')
                return
            rows = await preview(account.value, first, last)
            shown['rows'], shown['key'] = rows, (account.value, first, last)
            with listing:
                ui.label(f'{len(rows)} écriture(s) en attente sur cette période').classes('text-sm font-medium').props(
                    'data-testid=removal-count'
                ).mark('removal-count')
                for row in rows:
                    ui.label(f'{day(row.date)} · {row.label} · {money(row.amount_cents)}').classes(
                        'text-sm break-words'
                    ).props(f'data-testid=removal-entry-{row.id}').mark(f'removal-entry-{row.id}')
            go.set_enabled(bool(rows))

        async def confirm() -> None:
            if not shown['rows']:
                return
            go.disable()  # a double click removes once
            account_id, first, last = shown['key']
            await remove(account_id, first, last, bool(ignore.value), [row.id for row in shown['rows']])
            dialog.close()

        for field in (account, start, end):
            field.on_value_change(show)
        go.on_click(confirm)
        go.disable()
        with ui.row().classes('w-full justify-end'):
            ui.button('Annuler', on_click=dialog.close).props('flat no-caps data-testid=removal-cancel')
    return dialog
