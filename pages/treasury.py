"""« Trésorerie » of a client file: per treasury account, its balance over time, the computed balance against the
bank's, and the holes of its history with « Forcer la synchronisation » on the missing range."""

from __future__ import annotations

from nicegui import ui

from components.balance_chart import balance_chart
from components.treasury_parts import accounts_table, gaps_list
from components.ventilation_nav import ventilation_nav
from pages.layout import page_frame
from pages.session import guard
from services import treasury
from services.errors import DomainError, NotFound
from services.formatting import day
from services.permissions import Actor
from services.treasury import TreasuryView
from services.treasury_gaps import Gap

TITLE = 'Trésorerie'


class TreasuryScreen:
    def __init__(self, actor: Actor, client_id: int) -> None:
        self.actor, self.client_id = actor, client_id
        self.syncing = False  # one forced sync at a time from this page: a double click starts nothing more

    @ui.refreshable_method
    def render(self) -> None:
        views = treasury.treasury_overview(self.actor, self.client_id)
        if not views:
            ui.label('Aucun compte de trésorerie à afficher.').classes('text-slate-600').props(
                'data-testid=treasury-empty'
            )
        number = 1
        for view in views:
            number = self.card(view, number)

    def card(self, view: TreasuryView, number: int) -> int:
        with ui.card().classes('w-full gap-2').props(f'data-testid=treasury-card-{view.treasury_id}'):
            ui.label(view.label).classes('text-lg font-semibold')
            reported = None
            if view.reported_cents is not None and view.series:  # a balance of unknown day: the series' last
                reported = (view.reported_on or max(view.series), view.reported_cents)
            balance_chart(
                view.series,
                name=view.label,
                reported=reported,
                gaps=[(g.start, g.end, f'{g.iban} : {day(g.start)} – {day(g.end)}') for g in view.gaps],
                testid=f'treasury-chart-{view.treasury_id}',
            )
            accounts_table(view.accounts)
            ui.label('Trous dans l’historique').classes('text-base font-semibold mt-2')
            return gaps_list(
                view.gaps, first=number, treasury_id=view.treasury_id, on_sync=self.force, busy=self.syncing
            )

    async def force(self, gap: Gap, button: ui.button) -> None:
        if self.syncing:
            ui.notify('Une synchronisation est déjà en cours.', type='warning')
            return
        self.syncing = True
        button.disable()
        button.props('loading')
        try:
            outcome = await treasury.force_range(self.actor, gap.account_id, gap.start, gap.end)
        except DomainError as problem:
            ui.notify(str(problem), type='negative', multi_line=True)
        else:
            ui.notify(outcome.message, type='positive' if outcome.status == 'ok' else 'warning', multi_line=True)
        finally:
            self.syncing = False
            self.render.refresh()


def treasury_page(client_id: int):
    actor = guard('ventilation.view')
    if not isinstance(actor, Actor):
        return actor
    with page_frame(actor, TITLE):
        try:
            name = treasury.client_name(actor, client_id)
        except NotFound as missing:
            ui.label(str(missing)).classes('text-red-700').props('data-testid=not-found')
            return None
        ventilation_nav(actor, client_id, current='tresorerie', client_name=name)
        TreasuryScreen(actor, client_id).render()
    return None
