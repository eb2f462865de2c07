"""The activation card and the « FORCER UNE SYNCHRONISATION BANCAIRE » form."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from nicegui import ui

from services.banking import BankOverview
from services.errors import DomainError, InvalidInput
from services.formatting import parse_day

ALL_ACCOUNTS = 0


def activation_card(view: BankOverview, *, on_save: Callable[[bool, str | None], Awaitable[None]]) -> None:
    with ui.card().classes('w-full gap-2'):
        ui.label('Activation du système de synchronisation').classes('text-lg font-semibold')
        enabled = ui.checkbox('Activation du système de synchronisation', value=view.sync_enabled).props(
            'data-testid=sync-enabled'
        )
        module = (
            ui.select(view.modules, value=view.sync_module or next(iter(view.modules), None), label='Module')
            .props('outlined dense data-testid=sync-module')
            .classes('w-72')
        )
        module.bind_enabled_from(enabled, 'value')
        ui.button('ENREGISTRER', on_click=lambda: on_save(enabled.value, module.value)).props(
            'unelevated data-testid=sync-save'
        )


def _date_field(label: str, testid: str) -> ui.date_input:
    field = ui.date_input(label, placeholder='JJ/MM/AAAA').props(f'outlined dense data-testid={testid}')
    field.picker.props('mask="DD/MM/YYYY" first-day-of-week=1')
    return field.classes('w-44')


def force_sync_card(
    view: BankOverview, *, on_submit: Callable[[int | None, date | None, date | None], Awaitable[None]]
) -> None:
    options = {ALL_ACCOUNTS: 'Tous', **{a.id: f'{a.name} ({a.iban})' for a in view.accounts}}
    with ui.card().classes('w-full gap-2'):
        ui.label('FORCER UNE SYNCHRONISATION BANCAIRE').classes('text-lg font-semibold')
        with ui.row().classes('items-start gap-3 flex-wrap'):
            account = (
                ui.select(options, value=ALL_ACCOUNTS, label='Compte')
                .props('outlined dense data-testid=force-account')
                .classes('min-w-[16rem]')
            )
            start, end = _date_field('Début', 'force-start'), _date_field('Fin', 'force-end')

        error = ui.label().classes('text-sm text-red-700').props('role=alert data-testid=force-error')

        async def submit() -> None:
            first, last = parse_day(start.value), parse_day(end.value)
            invalid = [
                name
                for name, field, value in (('début', start, first), ('fin', end, last))
                if field.value and value is None
            ]
            error.text = f'Date de {invalid[0]} invalide : utilisez le format JJ/MM/AAAA.' if invalid else ''
            if invalid:
                return
            button.disable()
            try:
                await on_submit(account.value or None, first, last)
            except InvalidInput as problem:
                error.text = ' '.join(problem.errors.values())
            except DomainError as problem:
                error.text = str(problem)
            finally:
                button.enable()

        button = ui.button('CONFIRMER LA SYNCHRONISATION', on_click=submit).props('unelevated data-testid=force-submit')
