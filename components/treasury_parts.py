"""The pieces of a treasury account's card under its chart: its bank accounts' balances and the holes of its
history, each with what fixes it (« Forcer la synchronisation », or the page where the missing statement goes)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from nicegui import ui

from services.formatting import day, money
from services.treasury import AccountBalance
from services.treasury_gaps import Gap

KIND_LABELS = {
    'balance_mismatch': 'Soldes discontinus',
    'missing_days': 'Jours manquants',
    'stale_sync': 'Synchronisation en retard',
}


def _cell(caption: str, text: str, *, testid: str, classes: str = '') -> None:
    with ui.column().classes('gap-0 min-w-0'):
        ui.label(caption).classes('text-xs text-slate-500')
        ui.label(text).classes(f'text-sm break-all {classes}').props(f'data-testid={testid}').mark(testid)


def accounts_table(accounts: list[AccountBalance]) -> None:
    """One block per IBAN: two columns on a phone, four on a wider screen; a difference that is not zero stands out."""
    if not accounts:
        ui.label('Aucun compte bancaire n’est rattaché à ce compte de trésorerie.').classes('text-sm text-slate-600')
        return
    for row in accounts:
        key = row.account_id
        with ui.element('div').classes('w-full grid grid-cols-2 md:grid-cols-4 gap-x-4 gap-y-1 border-t pt-2'):
            _cell('IBAN', row.iban, testid=f'treasury-iban-{key}', classes='font-mono')
            _cell(f'Solde calculé ({row.anchor})', money(row.computed_cents), testid=f'treasury-computed-{key}')
            reported = money(row.reported_cents)
            if row.reported_on is not None:
                reported += f' au {day(row.reported_on)}'
            _cell('Solde indiqué par la banque', reported, testid=f'treasury-reported-{key}')
            off = bool(row.difference_cents)
            _cell(
                'Écart',
                money(row.difference_cents),
                testid=f'treasury-difference-{key}',
                classes='text-red-700 font-semibold' if off else 'text-green-700',
            )


def gaps_list(
    gaps: list[Gap], *, first: int, treasury_id: int, on_sync: Callable[[Gap, ui.button], Awaitable[None]], busy: bool
) -> int:
    """The holes, numbered from ``first`` for their test ids; the next free number."""
    if not gaps:
        ui.label('Aucun trou dans l’historique.').classes('text-sm text-green-700').props(
            f'data-testid=treasury-no-gap-{treasury_id}'
        )
        return first
    number = first
    for gap in gaps:
        with ui.element('div').classes('w-full border-l-4 border-red-400 pl-3 py-1').props(f'data-testid=gap-{number}'):
            ui.label(f'{KIND_LABELS[gap.kind]} — {gap.iban}').classes('text-sm font-semibold break-all')
            ui.label(gap.sentence).classes('text-sm').props(f'data-testid=gap-text-{number}').mark(f'gap-text-{number}')
            if gap.can_sync:
                button = ui.button('Forcer la synchronisation', icon='sync').props(
                    f'outline no-caps dense data-testid=gap-sync-{number}'
                )
                button.mark(f'gap-sync-{number}')
                button.on_click(lambda g=gap, b=button: on_sync(g, b))
                button.set_enabled(not busy)
            elif gap.upload_path:
                ui.link('Déposez le relevé manquant', gap.upload_path).classes('text-sm').props(
                    f'data-testid=gap-upload-{number}'
                ).mark(f'gap-upload-{number}')
            else:
                ui.label('Forcer la synchronisation demande le droit de gestion sur la connexion.').classes(
                    'text-xs text-slate-500'
                )
        number += 1
    return number
