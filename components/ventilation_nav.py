"""The tabs shared by the ventilation screens of one client file: entries, rules, chart of accounts, treasury."""

from __future__ import annotations

from nicegui import ui

from services.permissions import Actor, can

TABS = (
    ('Écritures', 'ventilation', 'ventilation.view', 'ventilation-tab-entries'),
    ('Règles', 'ventilation/regles', 'ventilation.rules', 'ventilation-tab-rules'),
    ('Plan comptable', 'ventilation/comptes', 'ventilation.view', 'ventilation-tab-accounts'),
    ('Trésorerie', 'tresorerie', 'ventilation.view', 'ventilation-tab-treasury'),
)


def ventilation_path(client_id: int, tab: str = 'ventilation') -> str:
    return f'/dossiers/{client_id}/{tab}'


def ventilation_nav(actor: Actor, client_id: int, *, current: str, client_name: str) -> None:
    """``current`` is the tab's path suffix (``'ventilation'``, ``'ventilation/regles'``, …)."""
    with ui.row().classes('w-full items-center gap-1 flex-wrap border-b pb-1'):
        ui.label(client_name).classes('text-base font-semibold mr-3').props('data-testid=ventilation-client').mark(
            'ventilation-client'
        )
        for label, suffix, action, testid in TABS:
            if not can(actor, action):
                continue
            active = suffix == current
            ui.button(label, on_click=lambda s=suffix: ui.navigate.to(ventilation_path(client_id, s))).props(
                f'no-caps dense {"unelevated" if active else "flat"} data-testid={testid}'
                + (' aria-current=page' if active else '')
            )
