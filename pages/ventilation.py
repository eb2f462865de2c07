"""« Ventilation » of a client file: the entries of a treasury account, allocated one by one or by selection."""

from __future__ import annotations

from nicegui import ui
from nicegui.events import KeyEventArguments
from starlette.responses import RedirectResponse

from components.date_field import date_field, read_day
from components.entry_table import EntryTable
from components.server_table import PageRequest
from components.ventilation_nav import ventilation_nav
from pages import ventilation_actions
from pages.layout import page_frame, when_heard
from pages.session import guard
from services import entries, events
from services.entries import EntryFilter, EntryRow, VentilationHome
from services.errors import DomainError
from services.formatting import day, money, parse_amount
from services.permissions import Actor
from services.ventilation_models import ALLOCATED, PENDING, STATE_LABELS, VALIDATED

KEYS_HINT = 'Clavier : ↑ ↓ parcourir · Entrée ventiler · Espace sélectionner · / rechercher'


def entry_row(row: EntryRow) -> dict:
    debit, credit = (money(-row.amount_cents), '') if row.amount_cents < 0 else ('', money(row.amount_cents))
    return {
        'id': row.id,
        'date': day(row.date),
        'iso_date': row.date.isoformat(),
        'label': row.label,
        'counterparty': row.counterparty,
        'iban': f'… {row.iban[-4:]}',
        'debit': debit,
        'credit': credit,
        'amount': money(row.amount_cents),
        'amount_cents': row.amount_cents,
        'state': row.state,
        'allocation': ' + '.join(f'{line.account_number}' for line in row.lines),
        'lines': [
            {
                'account_number': s.account_number,
                'label': s.label,
                'amount_cents': s.amount_cents,
                'vat_rate_bp': s.vat_rate_bp,
            }
            for s in row.lines
        ],
    }


def leave_focus() -> None:
    """A clicked tab or list keeps the focus, and the keyboard then speaks to it: give the keys back to the list."""
    ui.run_javascript('document.activeElement && document.activeElement.blur()')


class VentilationScreen:
    def __init__(self, actor: Actor, home: VentilationHome) -> None:
        self.actor, self.home = actor, home
        self.treasury = home.treasuries[0]
        self.state = PENDING
        self.actions = ventilation_actions.Actions(self)

    # --- filters ---------------------------------------------------------------------------------------------
    def controls(self) -> None:
        with ui.row().classes('w-full items-start gap-2'):
            choices = {t.id: t.label for t in self.home.treasuries}
            ui.select(
                choices, value=self.treasury.id, label='Compte de trésorerie', on_change=self.change_treasury
            ).props('outlined dense data-testid=ventilation-treasury').classes('w-full sm:w-52')
            self.state_toggle = ui.toggle(self.state_options(), value=self.state, on_change=self.change_state).props(
                'no-caps unelevated toggle-color=primary data-testid=ventilation-state'
            )
        with ui.row().classes('w-full items-start gap-2'):
            self.start_input = date_field('Du', 'ventilation-start')
            self.end_input = date_field('Au', 'ventilation-end')
            self.min_input = ui.input('Montant min.').props(
                'outlined dense inputmode=decimal data-testid=ventilation-min'
            )
            self.max_input = ui.input('Montant max.').props(
                'outlined dense inputmode=decimal data-testid=ventilation-max'
            )
            for field in (self.min_input, self.max_input):
                field.classes('w-[calc(50%-0.25rem)] sm:w-32').props('debounce=400 clearable')
            self.text_input = (
                ui.input('Texte', placeholder='libellé')
                .props('outlined dense clearable debounce=300 data-testid=ventilation-text')
                .classes('w-full sm:w-56')
            )
            for field in (self.start_input, self.end_input, self.min_input, self.max_input, self.text_input):
                field.on_value_change(lambda: self.table.reload(page=1))

    def state_options(self) -> dict[str, str]:
        counts = entries.counts(self.actor, self.treasury.id)
        return {state: f'{STATE_LABELS[state]} ({counts.get(state, 0)})' for state in (PENDING, ALLOCATED, VALIDATED)}

    def show_counts(self) -> None:
        self.state_toggle.set_options(self.state_options(), value=self.state)

    def entry_filter(self) -> EntryFilter | None:
        start_ok, start = read_day(self.start_input)
        end_ok, end = read_day(self.end_input)
        bounds = []
        for field in (self.min_input, self.max_input):
            text = (field.value or '').strip()
            amount = parse_amount(text)
            field.error = None if amount is not None or not text else 'Montant illisible (ex. 1 234,56).'
            bounds.append(None if amount is None else int(abs(amount) * 100))
        if not (start_ok and end_ok) or any(f.error for f in (self.min_input, self.max_input)):
            return None
        return EntryFilter(self.state, start, end, bounds[0], bounds[1], self.text_input.value or '')

    def fetch(self, request: PageRequest) -> tuple[list[dict], int]:
        wanted = self.entry_filter()
        if wanted is None:
            return list(self.table.rows) if hasattr(self, 'table') else [], self.table.pagination['rowsNumber']
        page = entries.list_entries(self.actor, self.treasury.id, wanted, page=request.page, per_page=request.per_page)
        return [entry_row(row) for row in page.rows], page.total

    def change_treasury(self, event) -> None:
        self.treasury = next(t for t in self.home.treasuries if t.id == event.value)
        leave_focus()
        self.refresh()

    def change_state(self, event) -> None:
        self.state = event.value or PENDING
        leave_focus()
        self.table.selected = []
        self.table.reload(page=1)
        self.actions.bar.refresh()

    def refresh(self) -> None:
        self.show_counts()
        self.table.reload()
        self.actions.bar.refresh()

    # --- the list --------------------------------------------------------------------------------------------
    def body(self) -> None:
        self.controls()
        self.actions.bar()
        self.table = EntryTable(fetch=self.fetch, on_open=self.actions.open_entry).classes('w-full')
        self.table.on_select(lambda: self.actions.bar.refresh())
        ui.label(KEYS_HINT).classes('text-xs text-slate-500 max-sm:hidden')
        ui.keyboard(on_key=self.on_key)
        when_heard(self.concerns, self.refresh)

    def concerns(self, event: events.Event) -> bool:
        """Another user's allocations, or new entries brought by a sync or a statement."""
        if isinstance(event, events.VentilationChanged):
            return event.client_id == self.home.client_id
        if isinstance(event, events.ConnectionChanged):
            return event.client_id == self.home.client_id and event.new_transactions > 0
        return (
            isinstance(event, events.IbanChanged)
            and event.client_id == self.home.client_id
            and (event.what == 'statements')
        )

    async def on_key(self, event: KeyEventArguments) -> None:
        if not event.action.keydown or self.actions.dialog_open:
            return
        key = event.key
        if key.arrow_down:
            self.table.move_cursor(1)
        elif key.arrow_up:
            self.table.move_cursor(-1)
        elif key.enter:
            await self.table.open_cursor()
        elif key.space:
            self.table.toggle_cursor_selection()
            self.actions.bar.refresh()
        elif key.name == '/':
            self.text_input.run_method('focus')


def own_ventilation_page():
    """« Ventilation » in a client user's menu: their own company's file."""
    actor = guard('ventilation.view')
    if not isinstance(actor, Actor):
        return actor
    if actor.client_id is None:
        return RedirectResponse('/dossiers')
    return RedirectResponse(f'/dossiers/{actor.client_id}/ventilation')


def ventilation_page(client_id: int):
    actor = guard('ventilation.view')
    if not isinstance(actor, Actor):
        return actor
    with page_frame(actor, 'Ventilation'):
        try:
            home = entries.overview(actor, int(client_id))
        except (DomainError, ValueError) as problem:
            ui.label(str(problem) if isinstance(problem, DomainError) else 'Dossier introuvable.').classes(
                'text-red-800'
            )
            return None
        ventilation_nav(actor, home.client_id, current='ventilation', client_name=home.client_name)
        if home.unlinked:
            ui.label(
                f'{home.unlinked} compte(s) bancaire(s) du dossier ne sont rattachés à aucun compte de trésorerie : '
                'leurs écritures attendent ce rattachement (Gestion des comptes bancaires).'
            ).classes('text-sm text-amber-800').props('data-testid=ventilation-unlinked')
        if not home.treasuries:
            ui.label('Aucun compte de trésorerie dans ce dossier.').props('data-testid=ventilation-empty')
            return None
        VentilationScreen(actor, home).body()
    return None
