"""A figure with its label, clickable."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui


def stat_card(
    label: str, value: int | str, *, icon: str, testid: str, on_click: Callable[[], None] | None = None
) -> ui.label:
    """The card; returns the figure's label, so a live page can change the figure in place."""
    card = ui.card().classes('min-w-[12rem] cursor-pointer hover:shadow-md').props(f'data-testid={testid}')
    if on_click:
        card.on('click', on_click)
    with card, ui.row().classes('items-center gap-3 no-wrap'):
        ui.icon(icon, size='2rem').classes('text-slate-600')
        with ui.column().classes('gap-0'):
            figure = ui.label(str(value)).classes('text-2xl font-semibold').props(f'data-testid={testid}-value')
            ui.label(label).classes('text-sm text-slate-600')
    return figure
