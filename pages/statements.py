"""« Relevés »: the firm's global statements file (statements of IBANs without connector), by dates and client
file, and « Télécharger » as one CFONB 120 file or a ZIP of one file per IBAN."""

from __future__ import annotations

from datetime import timedelta

from nicegui import run, ui

from components.data_table import data_table, empty_row, row, text_cell
from components.iban_parts import grouped
from pages.layout import page_frame
from pages.session import guard
from services import clients, global_file
from services.clock import now
from services.errors import DomainError, InvalidInput
from services.formatting import PARIS, day, money, parse_day
from services.iban_detail import SOURCE_LABELS
from services.permissions import Actor

HEADERS = ['Date', 'Dossier', 'IBAN', 'Source', 'Solde initial', 'Solde final', 'Opérations']
PER_PAGE = 25


class GlobalFileScreen:
    def __init__(self, actor: Actor) -> None:
        today = now().astimezone(PARIS).date()
        self.actor, self.page = actor, 1
        self.start, self.end, self.client_id = today - timedelta(days=30), today, None

    def filters(self) -> None:
        files = clients.list_clients(self.actor, per_page=100)
        with ui.row().classes('w-full items-end gap-3'):
            self.start_input = ui.input('Du', value=day(self.start)).props('outlined dense data-testid=global-start')
            self.end_input = ui.input('Au', value=day(self.end)).props('outlined dense data-testid=global-end')
            choices = {0: 'Tous les dossiers'} | {c.id: c.legal_name for c in files.rows}
            self.client_select = (
                ui.select(choices, value=0, label='Dossier', with_input=True)
                .props('outlined dense data-testid=global-client')
                .classes('w-64')
            )
            ui.button('Afficher', icon='search', on_click=self.apply).props('outline data-testid=global-apply')
            ui.button('Télécharger', icon='download', on_click=lambda: self.download(False)).props(
                'unelevated data-testid=global-download'
            )
            ui.button('ZIP', icon='folder_zip', on_click=lambda: self.download(True)).props(
                'outline data-testid=global-download-zip'
            ).tooltip('Un fichier CFONB 120 par IBAN')

    def read_filters(self) -> bool:
        start, end = parse_day(self.start_input.value), parse_day(self.end_input.value)
        self.start_input.error = None if start else 'Date attendue (jj/mm/aaaa).'
        self.end_input.error = None if end else 'Date attendue (jj/mm/aaaa).'
        if not (start and end):
            return False
        self.start, self.end, self.client_id = start, end, self.client_select.value or None
        return True

    def apply(self) -> None:
        if self.read_filters():
            self.page = 1
            self.render.refresh()

    async def download(self, as_zip: bool) -> None:
        if not self.read_filters():
            return
        try:
            name, content, media_type = await run.io_bound(
                global_file.download,
                self.actor,
                start=self.start,
                end=self.end,
                client_id=self.client_id,
                as_zip=as_zip,
            )
        except DomainError as problem:
            ui.notify(str(problem), type='warning', multi_line=True)
            return
        ui.download.content(content, name, media_type)

    @ui.refreshable_method
    def render(self) -> None:
        try:
            view = global_file.list_global(
                self.actor, start=self.start, end=self.end, client_id=self.client_id, page=self.page, per_page=PER_PAGE
            )
        except InvalidInput as problem:
            ui.label(str(problem)).classes('text-red-800')
            return
        with data_table(HEADERS, testid='global-table'):
            if not view.rows:
                empty_row(len(HEADERS), 'Aucun relevé dans le fichier global pour ces dates.')
            for item in view.rows:
                with row(f'global-row-{item.id}'):
                    text_cell(day(item.closing_date), nowrap=True)
                    text_cell(item.client_name)
                    text_cell(grouped(item.iban), nowrap=True)
                    text_cell(SOURCE_LABELS.get(item.source, item.source))
                    text_cell(money(item.opening_cents), nowrap=True)
                    text_cell(money(item.closing_cents), nowrap=True)
                    text_cell(str(item.entries))
        pages = max(1, -(-view.total // PER_PAGE))
        with ui.row().classes('w-full items-center justify-between'):
            ui.label(f'{view.total} relevé(s)').classes('text-sm text-slate-600').props('data-testid=global-total')
            if pages > 1:
                ui.pagination(1, pages, direction_links=True, value=self.page, on_change=self.go)

    def go(self, event) -> None:
        self.page = event.value
        self.render.refresh()


def statements_page():
    actor = guard('statement.view')
    if not isinstance(actor, Actor):
        return actor
    with page_frame(actor, 'Relevés'):
        ui.label(
            'Les relevés des IBAN sans connecteur arrivent ici ; '
            'ceux des IBAN associés à un connecteur lui sont envoyés.'
        ).classes('text-sm text-slate-600')
        screen = GlobalFileScreen(actor)
        screen.filters()
        screen.render()
    return None
