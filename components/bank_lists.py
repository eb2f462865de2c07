"""The two lists of « Gestion des comptes bancaires »: connections and accounts."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from components.data_table import cell, data_table, empty_row, row, text_cell
from services import statuses
from services.banking import AccountRow, ConnectionRow
from services.formatting import moment, money

NO_TREASURY = 0  # the select's key for « - Aucun - »


def status_cell(connection: ConnectionRow, on_retry: Callable[[], None] | None = None) -> None:
    """A problem says what happened; a technical one (nobody but Relais can act) offers « Réessayer » at once."""
    with cell(f'connection-status-{connection.id}'), ui.column().classes('gap-0'):
        if connection.unavailable:
            with ui.row().classes('items-center gap-1 no-wrap text-amber-800'):
                ui.icon('construction')
                ui.label('Module indisponible').classes('font-medium')
            ui.label(connection.unavailable).classes('text-xs text-slate-600 max-w-sm')
        elif connection.problem:
            with ui.row().classes('items-center gap-1 no-wrap text-orange-800'):
                ui.icon('pause_circle')
                ui.label('Problème de synchronisation').classes('font-medium')
            ui.label(connection.status_label).classes('text-xs')
            ui.label(connection.sentence).classes('text-xs text-slate-600 max-w-sm')
            if on_retry is not None and connection.status in statuses.TECHNICAL:
                ui.button('Réessayer', icon='refresh', on_click=on_retry).props(
                    f'dense flat no-caps color=primary data-testid=connection-retry-{connection.id}'
                ).classes('self-start')
        else:
            with ui.row().classes('items-center gap-1 no-wrap text-green-800'):
                ui.icon('check_circle' if connection.status == 'ok' else 'sync')
                ui.label(connection.status_label)


def connections_list(
    rows: list[ConnectionRow],
    *,
    on_refresh: Callable[[ConnectionRow], None],
    on_delete: Callable[[ConnectionRow], None],
) -> None:
    headers = [
        '#',
        'Nom',
        'Statut',
        'Renouvellement',
        'Synchronisation',
        'Synchronisation avec la banque',
        'Suppression',
    ]
    with data_table(headers, testid='connections-table'):
        if not rows:
            empty_row(len(headers), 'Aucune connexion bancaire pour le moment.')
        for connection in rows:
            with row(f'connection-row-{connection.id}'):
                text_cell(str(connection.number))
                text_cell(connection.bank_name, f'connection-name-{connection.id}')
                status_cell(connection, on_retry=lambda c=connection: on_refresh(c))
                renewal = statuses.renewal_text(connection.status, connection.consent_expires_at)
                text_cell(renewal, f'connection-renewal-{connection.id}', nowrap=True)
                with cell(f'connection-sync-{connection.id}'), ui.column().classes('gap-0 text-xs'):
                    next_sync = statuses.next_sync_text(connection.status, connection.next_sync_at)
                    ui.label(f'Dernière : {moment(connection.last_sync_at)}').classes('whitespace-nowrap')
                    ui.label(f'Prochaine : {next_sync}').classes('whitespace-nowrap')
                with cell():
                    refresh = ui.button(icon='sync', on_click=lambda c=connection: on_refresh(c)).props(
                        f'flat round dense aria-label="Synchroniser maintenant" '
                        f'data-testid=connection-refresh-{connection.id}'
                    )
                    refresh.tooltip('Synchroniser maintenant (avec la banque)')
                    refresh.set_enabled(connection.unavailable is None)
                with cell():
                    ui.button(icon='delete', on_click=lambda c=connection: on_delete(c)).props(
                        f'flat round dense color=negative aria-label=Supprimer '
                        f'data-testid=connection-delete-{connection.id}'
                    )


def accounts_list(
    rows: list[AccountRow],
    treasury: dict[int, str],
    *,
    on_link: Callable[[AccountRow, int | None], None],
    on_toggle: Callable[[AccountRow, bool], None],
) -> None:
    headers = [
        '#',
        '# Connexion',
        'Libellé',
        'Numéro de compte',
        'IBAN',
        'Solde',
        'Statut',
        'Compte de trésorerie rattaché',
        'Synchronisé',
    ]
    options = {NO_TREASURY: '- Aucun -', **treasury}
    with data_table(headers, testid='accounts-table'):
        if not rows:
            empty_row(len(headers), 'Aucun compte pour le moment : ajoutez une connexion.')
        for account in rows:
            with row(f'account-row-{account.id}'):
                text_cell(str(account.number))
                text_cell(str(account.connection_number or '—'))
                text_cell(account.name, f'account-name-{account.id}')
                text_cell(account.account_number, nowrap=True)
                text_cell(account.iban, f'account-iban-{account.id}', nowrap=True)
                text_cell(money(account.balance_cents), f'account-balance-{account.id}', nowrap=True)
                text_cell(account.status_label)
                with cell():
                    ui.select(
                        options,
                        value=account.treasury_account_id or NO_TREASURY,
                        on_change=lambda e, a=account: on_link(a, e.value or None),
                    ).props(f'dense outlined options-dense data-testid=account-treasury-{account.id}').classes(
                        'min-w-[9rem]'
                    )
                with cell():
                    ui.switch(value=account.sync_enabled, on_change=lambda e, a=account: on_toggle(a, e.value)).props(
                        f'data-testid=account-sync-{account.id}'
                    )
