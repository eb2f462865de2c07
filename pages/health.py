"""« Santé des connexions »: counts, chart and the list of every connection by urgency, updated live."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from nicegui import background_tasks, context, run, ui
from nicegui.observables import ObservableList

from components.health_chart import HealthCounts, StatusCount
from components.health_table import HealthTable
from components.server_table import PageRequest
from pages.layout import page_frame
from pages.live import LIVE, Reads, view_scope
from pages.session import guard
from services import events, health, magic_links, statuses, sync_manual
from services.errors import DomainError
from services.formatting import moment
from services.health import HealthFilter, HealthRow
from services.permissions import Actor

ANY = ''
T = TypeVar('T')


def _row(row: HealthRow, progress: str | None) -> dict:
    return {
        'id': row.id,
        'client_id': row.client_id,
        'client_name': row.client_name,
        'bank_name': row.bank_name,
        'status': row.status,
        'status_label': row.status_label,
        'sentence': row.sentence,
        'problem': row.problem,
        'action': row.action,
        'renewal': statuses.renewal_text(row.status, row.consent_expires_at),
        'last_sync': moment(row.last_sync_at),
        'next_sync': statuses.next_sync_text(row.status, row.next_sync_at),
        'new_transactions': row.new_transactions,
        'progress': progress,
    }


def _days(value: float | None) -> int | None:
    return None if value is None else int(value)


class HealthScreen:
    def __init__(self, actor: Actor) -> None:
        self.actor, self.where, self.progress = actor, HealthFilter(), {}
        self.client = context.client
        self.reads: Reads | None = None
        self.scope = view_scope(actor)
        self.counts = HealthCounts(health.WHO_CARDS, on_pick=self.pick_who)
        self.shown_counts: dict[str, int] | None = None
        self.show_counts()
        self.filters()
        self.table = HealthTable(fetch=self.fetch, on_action=self.act)
        self.table.classes('w-full')
        LIVE.add(self, context.client)

    def show_counts(self) -> None:
        by_status = self.read(('counts', self.scope), lambda: health.counts(self.actor))
        if by_status == self.shown_counts:
            return
        self.shown_counts = by_status
        shown = [
            StatusCount(s, statuses.STATUSES[s].label, statuses.STATUSES[s].who_acts, n) for s, n in by_status.items()
        ]
        self.counts.show(health.counts_by_who(by_status), shown)

    def filters(self) -> None:
        banks, people = health.filter_choices(self.actor)
        status_options = {ANY: 'Tous les statuts', **{s: i.label for s, i in statuses.STATUSES.items()}}
        who_options = {ANY: 'Tout le monde', **health.WHO_LABELS}
        with ui.row().classes('w-full items-center gap-2'):
            self.status_select = self.select(status_options, 'Statut', 'health-filter-status', 'status')
            self.who_select = self.select(who_options, 'Qui agit', 'health-filter-who', 'who')
            self.select({ANY: 'Toutes les banques', **{b: b for b in banks}}, 'Banque', 'health-filter-bank', 'bank')
            if self.actor.sees_all_clients:
                self.select({0: 'Tous', **people}, 'Collaborateur', 'health-filter-collaborator', 'collaborator_id')
            days = (
                ui.number('Expire dans N jours', min=0, max=400, precision=0)
                .props('outlined dense clearable data-testid=health-filter-days debounce=300')
                .classes('min-w-[11rem]')
            )
            days.on_value_change(lambda e: self.set_filter('expires_within_days', _days(e.value)))

    def select(self, options: dict, label: str, testid: str, field: str) -> ui.select:
        first = next(iter(options))
        return (
            ui.select(options, value=first, label=label, on_change=lambda e: self.set_filter(field, e.value or None))
            .props(f'outlined dense options-dense data-testid={testid}')
            .classes('min-w-[11rem]')
        )

    def set_filter(self, field: str, value: object) -> None:
        self.where = HealthFilter(**{**self.where.__dict__, field: value})
        self.table.reload(page=1)

    def pick_who(self, who: str) -> None:
        self.who_select.value = who

    def fetch(self, request: PageRequest) -> tuple[list[dict], int]:
        key = ('list', self.scope, self.where, request.page, request.per_page)
        page = self.read(
            key, lambda: health.list_connections(self.actor, self.where, page=request.page, per_page=request.per_page)
        )
        progress = tuple((r.id, self.progress[r.id]) for r in page.rows if r.id in self.progress)
        # Built once per round and shared by the tabs that show the same: NiceGUI wraps a plain list of dicts into
        # observables for every table it is given, which was most of a live round's work with 200 tabs.
        rows = self.read((key, progress), lambda: ObservableList([_row(r, self.progress.get(r.id)) for r in page.rows]))
        return rows, page.total

    async def act(self, connection_id: int, action: str) -> None:
        try:
            if action == 'send':
                recipients = await run.io_bound(magic_links.send_to_client, self.actor, connection_id)
                ui.notify(f'Lien envoyé à {" et ".join(recipients)}.', type='positive')
            elif action == 'copy':
                url = await run.io_bound(magic_links.issue, self.actor, connection_id)
                ui.clipboard.write(url)
                ui.notify('Lien copié : il est valable 7 jours, une seule fois.', type='positive')
            else:
                self.progress[connection_id] = 'Synchronisation en cours…'
                self.table.reload()
                background_tasks.create(self.retry(connection_id), name='health retry')
        except DomainError as problem:
            ui.notify(str(problem), type='negative', multi_line=True)

    async def retry(self, connection_id: int) -> None:
        try:
            outcome = await sync_manual.refresh_now(self.actor, connection_id)
            message, kind = outcome.message, 'positive' if outcome.status == 'ok' else 'warning'
        except DomainError as problem:
            message, kind = str(problem), 'negative'
        self.progress.pop(connection_id, None)
        with self.client:
            ui.notify(message, type=kind, multi_line=True)
        self.redraw()

    def hear(self, event: events.ConnectionChanged) -> bool:
        if event.firm_id != self.actor.firm_id:
            return False
        if event.status == 'syncing':
            self.progress[event.connection_id] = event.message
        else:
            self.progress.pop(event.connection_id, None)
        return True

    def redraw(self, reads: Reads | None = None) -> None:
        if self.client.id not in self.client.instances:
            return  # the tab was closed meanwhile
        self.reads = reads
        try:
            with self.client:
                self.show_counts()
                self.table.reload()
        finally:
            self.reads = None  # what the user asks next (a filter, a page) is read afresh

    def read(self, key: tuple, fetch: Callable[[], T]) -> T:
        """Within a live round, what another tab of the same view already read; otherwise a fresh read."""
        return self.reads.get(key, fetch) if self.reads is not None else fetch()


def health_page():
    actor = guard('health.view')
    if not isinstance(actor, Actor):
        return actor
    with page_frame(actor, 'Santé des connexions'):
        HealthScreen(actor)
    return None
