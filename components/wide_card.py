"""The card of a wide dialog: Quasar caps a dialog at 560 px, too narrow for lines of accounts and amounts."""

from __future__ import annotations

from nicegui import ui


def wide_card(rem: int, testid: str) -> ui.card:
    card = ui.card().style(f'width: min({rem}rem, 96vw); max-width: none').classes('gap-2')
    return card.props(f'data-testid={testid}')
