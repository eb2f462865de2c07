"""Pieces of the IBAN screens: the IBAN written in groups, badges, and the connector picker with its « + »."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from services.connectors import ConnectorRow

MANDATE_COLOURS = {
    'to_sign': 'amber-8',
    'signed': 'blue-7',
    'approved': 'green-8',
    'refused': 'red-8',
    'revoked': 'grey-7',
}


def grouped(iban: str) -> str:
    return ' '.join(iban[i : i + 4] for i in range(0, len(iban), 4))


def mandate_badge(status: str | None, label: str, testid: str) -> None:
    ui.badge(label, color=MANDATE_COLOURS.get(status or '', 'grey-5')).props(f'outline data-testid={testid}')


def active_badge(active: bool, testid: str) -> None:
    with ui.row().classes('items-center gap-1 no-wrap').props(f'data-testid={testid}'):
        ui.icon('check_circle' if active else 'pause_circle').classes('text-green-700' if active else 'text-slate-400')
        ui.label('Actif' if active else 'Inactif').classes('text-sm')


def connector_picker(
    *,
    current_id: int | None,
    current_name: str | None,
    connectors: list[ConnectorRow],
    on_pick: Callable[[int | None], None],
    testid: str,
) -> None:
    """A « + » (or the connector's name) opening the firm's connectors and « Aucun connecteur »."""
    if current_id is None:
        button = ui.button(icon='add').props(
            f'round dense outline color=primary aria-label="Associer un connecteur" data-testid={testid}'
        )
        button.tooltip('Associer un connecteur')
    else:
        button = ui.button(current_name).props(
            f'flat dense no-caps color=primary icon-right=expand_more data-testid={testid}'
        )
    button.mark(testid)
    with button, ui.menu().props(f'data-testid={testid}-menu'):
        if not connectors:
            ui.menu_item('Le cabinet n’a aucun connecteur').props('disable')
        for connector in connectors:
            item = ui.menu_item(connector.name, on_click=lambda c=connector: on_pick(c.id))
            item.props(f'data-testid={testid}-option-{connector.id}').mark(f'{testid}-option-{connector.id}')
            if connector.id == current_id:
                item.classes('font-semibold')
        ui.separator()
        ui.menu_item('Aucun connecteur', on_click=lambda: on_pick(None)).props(f'data-testid={testid}-none').mark(
            f'{testid}-none'
        )
