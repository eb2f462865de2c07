"""The lists of an IBAN's page: its statements and their delivery, its mandate history, the four checks."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from components.data_table import cell, data_table, empty_row, row, text_cell
from services.deliveries import STATUS_LABELS as DELIVERY_LABELS
from services.formatting import day, moment, money
from services.iban_detail import SOURCE_LABELS, Check
from services.ibans import StatementRow
from services.mandates import MandateEventRow

HEADERS = ['Date', 'Source', 'Solde initial', 'Solde final', 'Opérations', 'Rapprochement', 'Destination']


def _destination(statement: StatementRow, connector_name: str | None, on_resend: Callable[[int], None]) -> None:
    with cell(f'statement-route-{statement.id}'), ui.column().classes('gap-0'):
        if statement.route == 'global':
            ui.label('Fichier global « Relevés »')
            return
        label = DELIVERY_LABELS.get(statement.delivery_status or 'pending')
        with ui.row().classes('items-center gap-1 no-wrap'):
            ui.label(f'{connector_name or "Connecteur"} : {label}').props(f'data-testid=delivery-status-{statement.id}')
            if statement.delivery_id is not None:
                ui.button(icon='replay', on_click=lambda: on_resend(statement.delivery_id)).props(
                    f'flat round dense aria-label=Renvoyer data-testid=delivery-resend-{statement.id}'
                ).tooltip('Renvoyer (sans doublon chez le destinataire)')
        if statement.delivery_error:
            ui.label(statement.delivery_error).classes('text-xs text-red-800 max-w-xs')
            if (
                statement.delivery_status == 'failed'
                and statement.delivery_next
                and statement.delivery_next.year < 9999
            ):
                ui.label(f'Nouvel essai : {moment(statement.delivery_next)}').classes('text-xs text-slate-600')


def statements_list(rows: list[StatementRow], *, on_resend: Callable[[int], None], connector_name: str | None) -> None:
    with data_table(HEADERS, testid='statements-table'):
        if not rows:
            empty_row(len(HEADERS), 'Aucun relevé pour cet IBAN pour le moment.')
        for statement in rows:
            with row(f'statement-row-{statement.id}'):
                text_cell(day(statement.closing_date), nowrap=True)
                text_cell(SOURCE_LABELS.get(statement.source, statement.source))
                text_cell(money(statement.opening_cents), nowrap=True)
                text_cell(money(statement.closing_cents), f'statement-closing-{statement.id}', nowrap=True)
                text_cell(str(statement.entries), f'statement-entries-{statement.id}')
                with cell(f'statement-reconciles-{statement.id}'):
                    _reconciliation(statement)
                _destination(statement, connector_name, on_resend)


def _reconciliation(statement: StatementRow) -> None:
    if statement.reconciles is None:
        ui.label('Sans soldes').classes('text-slate-500')
        return
    with ui.row().classes('items-center gap-1 no-wrap'):
        ui.icon('check_circle' if statement.reconciles else 'warning').classes(
            'text-green-700' if statement.reconciles else 'text-amber-700'
        )
        ui.label('Rapproché' if statement.reconciles else 'Écart')
    if statement.warnings:
        ui.tooltip(statement.warnings)


def history_list(events: list[MandateEventRow]) -> None:
    if not events:
        ui.label('Aucun mandat pour cet IBAN.').classes('text-sm text-slate-600').props('data-testid=mandate-history')
        return
    with ui.column().classes('gap-1').props('data-testid=mandate-history'):
        for event in events:
            with ui.row().classes('text-sm gap-2 items-baseline'):
                ui.label(moment(event.at)).classes('text-xs text-slate-500 whitespace-nowrap')
                ui.label(event.label).classes('font-medium')
                ui.label(f'{event.actor}' + (f' — {event.note}' if event.note else '')).classes('text-slate-600')


def diagnosis_list(checks: list[Check], *, on_support: Callable[[], None] | None) -> None:
    for number, check in enumerate(checks, start=1):
        with ui.row().classes('items-start gap-2 no-wrap').props(f'data-testid=diagnosis-{check.key}'):
            ui.icon('check_circle' if check.ok else 'cancel').classes(
                'text-green-700 text-xl' if check.ok else 'text-red-700 text-xl'
            ).props(f'data-testid=diagnosis-{check.key}-{"ok" if check.ok else "ko"}')
            with ui.column().classes('gap-0'):
                ui.label(f'{number}. {check.title}').classes('font-medium')
                ui.label(check.detail).classes('text-sm text-slate-600')
                if not check.ok and check.action:
                    ui.label(check.action).classes('text-sm text-red-800')
    if on_support is not None:
        ui.button('Contacter le support', icon='support_agent', on_click=on_support).props(
            'outline data-testid=diagnosis-support'
        )
