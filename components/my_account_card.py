"""One account of « Mes comptes »: what it is, the user's rights on it, and only the actions those rights allow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nicegui import ui

from components.data_table import data_table, empty_row, row, text_cell
from components.iban_parts import grouped
from services.formatting import day, money
from services.ibans import StatementRow
from services.my_accounts import MyAccount, TransactionRow
from services.rights import RIGHT_LABELS, RIGHTS


@dataclass(frozen=True)
class AccountActions:
    on_transactions: Callable[[int], object]
    on_statements: Callable[[int], object]
    on_upload: Callable[[int], object]
    on_sync: Callable[[int], object]
    on_sign: Callable[[int], object]
    on_validate_pro: Callable[[int], object]
    on_renew: Callable[[int], object]


def _button(label: str, icon: str, testid: str, handler: Callable[[], object], *, strong: bool = False) -> None:
    ui.button(label, icon=icon, on_click=handler).props(
        f'no-caps {"unelevated" if strong else "outline"} data-testid={testid}'
    ).classes('max-sm:w-full').mark(testid)


def account_card(account: MyAccount, actions: AccountActions) -> None:
    number = account.account_id
    with ui.card().classes('w-full gap-2').props(f'flat bordered data-testid=my-account-{number}'):
        with ui.row().classes('w-full items-start justify-between gap-2'):
            with ui.column().classes('gap-0'):
                ui.label(account.bank_name).classes('font-semibold')
                ui.label(grouped(account.iban)).classes('font-mono text-sm break-all').props(
                    f'data-testid=my-account-iban-{number}'
                )
                ui.label(account.status_label).classes('text-sm text-slate-600').props(
                    f'data-testid=my-account-status-{number}'
                )
            if account.balance_cents is not None:
                ui.label(money(account.balance_cents)).classes('text-lg font-semibold whitespace-nowrap')
        with ui.row().classes('gap-1 items-center').props(f'data-testid=my-account-rights-{number}'):
            ui.label('Vos droits :').classes('text-xs text-slate-600')
            for right in RIGHTS:
                if right in account.rights:
                    ui.badge(RIGHT_LABELS[right], color='blue-grey-6').props('outline')
        with ui.row().classes('w-full gap-2'):
            _button('Opérations', 'list', f'my-account-transactions-{number}', lambda: actions.on_transactions(number))
            _button('Relevés', 'receipt_long', f'my-account-statements-{number}', lambda: actions.on_statements(number))
            if account.may_manage:
                _button(
                    'Déposer un relevé', 'upload_file', f'my-account-upload-{number}', lambda: actions.on_upload(number)
                )
                if account.connection_id is not None:
                    connection = account.connection_id
                    _button('Synchroniser', 'sync', f'my-account-sync-{number}', lambda: actions.on_sync(connection))
                    if account.to_renew:
                        _button(
                            'Renouveler l’accès à la banque',
                            'autorenew',
                            f'my-account-renew-{number}',
                            lambda: actions.on_renew(connection),
                            strong=True,
                        )
            if account.may_validate and account.mandate_to_sign:
                _button(
                    'Signer le mandat',
                    'draw',
                    f'my-account-sign-{number}',
                    lambda: actions.on_sign(number),
                    strong=True,
                )
            if account.may_validate and account.pro_to_validate and account.connection_id is not None:
                connection_id = account.connection_id
                _button(
                    'Valider les comptes professionnels',
                    'verified',
                    f'my-account-validate-pro-{number}',
                    lambda: actions.on_validate_pro(connection_id),
                    strong=True,
                )


def transactions_table(rows: list[TransactionRow]) -> None:
    with data_table(['Date', 'Libellé', 'Montant'], testid='my-transactions'):
        if not rows:
            empty_row(3, 'Aucune opération pour ce compte pour le moment.')
        for item in rows:
            with row(f'my-transaction-{item.id}'):
                text_cell(day(item.date), nowrap=True)
                text_cell(item.label)  # bank labels are untrusted text: a label, never HTML
                text_cell(money(item.amount_cents, item.currency), nowrap=True)


def statements_table(rows: list[StatementRow]) -> None:
    with data_table(['Date', 'Solde initial', 'Solde final', 'Opérations'], testid='my-statements'):
        if not rows:
            empty_row(4, 'Aucun relevé pour ce compte pour le moment.')
        for statement in rows:
            with row(f'my-statement-{statement.id}'):
                text_cell(day(statement.closing_date), nowrap=True)
                text_cell(money(statement.opening_cents), nowrap=True)
                text_cell(money(statement.closing_cents), nowrap=True)
                text_cell(str(statement.entries))
