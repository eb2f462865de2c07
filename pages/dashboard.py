"""« Tableau de bord »: the firm's overview; each figure opens the screen behind it."""

from __future__ import annotations

from nicegui import ui

from components.stat_card import stat_card
from pages.layout import page_frame
from pages.session import guard
from services import clients, health
from services.permissions import Actor


def dashboard_page():
    actor = guard('dashboard.view')
    if not isinstance(actor, Actor):
        return actor
    with page_frame(actor, 'Tableau de bord'):
        ui.label(f'Bonjour {actor.display_name.split(" ")[0]}').classes('text-slate-600')
        with ui.row().classes('w-full gap-4 flex-wrap'):
            stat_card(
                'Dossiers',
                clients.count_clients(actor),
                icon='folder_shared',
                testid='stat-clients',
                on_click=lambda: ui.navigate.to('/dossiers'),
            )
            by_status = health.counts(actor)
            waiting = health.counts_by_who(by_status)
            figures = [
                ('Connexions bancaires', sum(by_status.values()), 'account_balance', 'stat-connections'),
                ('En attente du client', waiting['client'], 'person', 'stat-client-actions'),
                ('Erreurs techniques', waiting['support'], 'support_agent', 'stat-support'),
            ]
            for label, value, icon, testid in figures:
                stat_card(label, value, icon=icon, testid=testid, on_click=lambda: ui.navigate.to('/sante'))
    return None
