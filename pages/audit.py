"""« Journal d'audit »: the firm's Administrateur reads who did what and when, filters it, and exports it as CSV."""

from __future__ import annotations

from nicegui import run, ui
from nicegui.events import ValueChangeEventArguments
from starlette.responses import RedirectResponse

from components.audit_table import Column, audit_table
from components.date_field import date_field, read_day
from pages.layout import page_frame
from pages.session import guard
from services import audit_journal
from services.clock import now
from services.errors import DomainError, InvalidInput
from services.formatting import PARIS
from services.permissions import Actor

PER_PAGE = 50
SMALL = 'max-sm:text-xs max-sm:text-slate-600'
# On a phone each event is a card: what happened first, then when and who, then the rest.
COLUMNS = [
    Column('Date', f'whitespace-nowrap max-sm:order-2 {SMALL}', 'audit-at'),
    Column('Utilisateur', f'max-sm:order-3 break-all {SMALL}', 'audit-user'),
    Column('Action', 'max-sm:order-1 max-sm:font-medium', 'audit-action'),
    Column('Cible', f'whitespace-nowrap max-sm:order-4 {SMALL}'),
    Column('Adresse IP', f'whitespace-nowrap max-sm:order-5 {SMALL}'),
    Column('Détail', f'max-sm:order-6 {SMALL}'),
]


class AuditScreen:
    def __init__(self, actor: Actor) -> None:
        self.actor, self.page = actor, 1
        self.current: dict = {}  # the filters last applied: paging keeps them while a date is being retyped

    def filters(self) -> None:
        with ui.row().classes('w-full items-start gap-2'):
            self.user_input = (
                ui.input('Utilisateur', placeholder='e-mail', on_change=self.apply)
                .props('outlined dense clearable debounce=400 data-testid=audit-filter-user')
                .mark('audit-filter-user')
                .classes('w-full sm:w-48')
            )
            choices = {'': 'Toutes les actions'} | audit_journal.families()
            self.family_select = (
                ui.select(choices, value='', label='Famille', on_change=self.apply)
                .props('outlined dense data-testid=audit-filter-family')
                .mark('audit-filter-family')
                .classes('w-full sm:w-52')
            )
            self.start_input = date_field('Du', 'audit-filter-start')
            self.end_input = date_field('Au', 'audit-filter-end')
            self.start_input.on_value_change(self.apply)
            self.end_input.on_value_change(self.apply)
            self.text_input = (
                ui.input('Texte', placeholder='action, cible, détail, IP', on_change=self.apply)
                .props('outlined dense clearable debounce=400 data-testid=audit-filter-text')
                .mark('audit-filter-text')
                .classes('w-full sm:w-48')
            )

    def criteria(self) -> dict | None:
        """The filters as service arguments, or None while a date is half typed (its field says so)."""
        start_ok, start = read_day(self.start_input)
        end_ok, end = read_day(self.end_input)
        if not (start_ok and end_ok):
            return None
        return {
            'actor_text': self.user_input.value or '',
            'action_family': self.family_select.value or None,
            'start': start,
            'end': end,
            'text': self.text_input.value or '',
        }

    def apply(self) -> None:
        criteria = self.criteria()
        if criteria is not None:
            self.current, self.page = criteria, 1
            self.render.refresh()

    async def export(self) -> None:
        criteria = self.criteria()
        if criteria is None:
            return
        try:
            content = await run.io_bound(audit_journal.export_csv, self.actor, **criteria)
        except DomainError as problem:
            ui.notify(str(problem), type='warning', multi_line=True)
            return
        name = f'journal-audit-{now().astimezone(PARIS):%Y%m%d}.csv'
        ui.download.content(content, name, 'text/csv; charset=utf-8')

    @ui.refreshable_method
    def render(self) -> None:
        try:
            view = audit_journal.search(self.actor, **self.current, page=self.page, per_page=PER_PAGE)
        except InvalidInput as problem:
            self.end_input.error = 'Avant « du ».' if 'end' in problem.errors else None  # the sentence is below
            ui.label(str(problem)).classes('text-red-800').props('role=alert data-testid=audit-error')
            return
        self.table(view)
        pages = max(1, -(-view.total // PER_PAGE))
        with ui.row().classes('w-full items-center justify-between'):
            ui.label(f'{view.total} événement(s)').classes('text-sm text-slate-600').props('data-testid=audit-total')
            if pages > 1:
                ui.pagination(1, pages, direction_links=True, value=self.page, on_change=self.go).props(
                    'max-pages=7 boundary-numbers data-testid=audit-pages'
                )

    def table(self, view: audit_journal.AuditPage) -> None:
        rows = [
            (
                item.id,
                [
                    item.at.astimezone(PARIS).strftime('%d/%m/%Y %H:%M:%S'),
                    item.user or '—',
                    item.action_label,
                    item.target,
                    item.ip,
                    item.detail,
                ],
            )
            for item in view.rows
        ]
        audit_table(COLUMNS, rows, testid='audit-table', empty='Aucun événement pour ces filtres.')

    def go(self, event: ValueChangeEventArguments) -> None:
        self.page = event.value
        self.render.refresh()


def audit_page() -> RedirectResponse | None:
    actor = guard('audit.view')
    if not isinstance(actor, Actor):
        return actor
    with page_frame(actor, 'Journal d’audit'):
        screen = AuditScreen(actor)
        with ui.row().classes('w-full items-center gap-3 sm:flex-nowrap'):
            with ui.row().classes('items-center gap-2 no-wrap text-sm text-slate-600 flex-1'):
                ui.icon('lock').classes('text-slate-500')
                ui.label(
                    'Chaque connexion et chaque action du cabinet et de ses clients est inscrite ici. '
                    'Ce journal ne peut être ni modifié ni effacé.'
                ).props('data-testid=audit-readonly')
            ui.button('Exporter en CSV', icon='download', on_click=screen.export).props(
                'unelevated no-caps data-testid=audit-export'
            ).classes('max-sm:w-full').mark('audit-export')
        screen.filters()
        screen.render()
    return None
