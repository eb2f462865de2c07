"""« Tableau de bord »: the firm's overview; each figure opens the screen behind it."""

from __future__ import annotations

from nicegui import context, ui

from components.stat_card import stat_card
from pages.layout import page_frame
from pages.live import LIVE, Reads, view_scope
from pages.session import guard
from services import clients, events, health
from services.permissions import Actor


class ConnectionFigures:
    """The dashboard's connection figures, kept current by the live rounds like « Santé des connexions »."""

    FIGURES = (
        ('Connexions bancaires', 'account_balance', 'stat-connections'),
        ('En attente du client', 'person', 'stat-client-actions'),
        ('Erreurs techniques', 'support_agent', 'stat-support'),
    )

    def __init__(self, actor: Actor) -> None:
        self.actor, self.client = actor, context.client
        values = self.values(Reads())
        self.labels = [
            stat_card(label, value, icon=icon, testid=testid, on_click=lambda: ui.navigate.to('/sante'))
            for (label, icon, testid), value in zip(self.FIGURES, values, strict=True)
        ]
        LIVE.add(self, context.client)

    def values(self, reads: Reads) -> list[int]:
        by_status = reads.get(('counts', view_scope(self.actor)), lambda: health.counts(self.actor))
        waiting = health.counts_by_who(by_status)
        return [sum(by_status.values()), waiting['client'], waiting['support']]

    def hear(self, event: events.ConnectionChanged) -> bool:
        return event.firm_id == self.actor.firm_id

    def redraw(self, reads: Reads) -> None:
        if self.client.id not in self.client.instances:
            return
        for label, value in zip(self.labels, self.values(reads), strict=True):
            if label.text != str(value):  # a sync starting changes no figure: send nothing
                label.set_text(str(value))


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
            ConnectionFigures(actor)
    return None
