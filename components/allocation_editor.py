"""The allocation of one entry: its lines (account, label, amount VAT included, VAT rate), suggestions, the rest.

Amounts are typed positive in the entry's own direction (a debit's lines are debits); a line typed negative goes the
other way (a fee netted from a payment). The VAT of each line is shown as it will be booked, on 44566 or 44571.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from nicegui import ui

from components.account_picker import AccountField
from components.wide_card import wide_card
from services.allocation_template import SplitLine, TemplateLine, split
from services.formatting import amount_text, money, parse_amount
from services.ledger import VAT_RATES_BP, rate_label, vat_cents

VAT_OPTIONS = {rate: rate_label(rate) for rate in VAT_RATES_BP}


@dataclass
class DraftLine:
    account: str | None = None
    label: str = ''
    amount: str = ''  # as typed, in the entry's direction
    vat: int = 0


@dataclass
class EditorState:
    entry: dict  # id, date, label, amount_cents, state
    lines: list[DraftLine] = field(default_factory=list)

    @property
    def sign(self) -> int:
        return -1 if self.entry['amount_cents'] < 0 else 1

    def typed_cents(self) -> list[int | None]:
        out = []
        for line in self.lines:
            amount = parse_amount(line.amount)
            out.append(None if amount is None else int(amount * 100) * self.sign)
        return out

    def rest_cents(self) -> int:
        return self.entry['amount_cents'] - sum(c for c in self.typed_cents() if c is not None)

    def use_template(self, template: list[TemplateLine] | tuple[TemplateLine, ...]) -> None:
        parts = split(self.entry['amount_cents'], list(template), '')
        self.lines = [
            DraftLine(p.account_number, p.label, amount_text(p.amount_cents * self.sign), p.vat_rate_bp) for p in parts
        ]

    def split_lines(self) -> list[SplitLine] | str:
        """The lines to save, or what is wrong with them."""
        out = []
        for index, (line, cents) in enumerate(zip(self.lines, self.typed_cents(), strict=True), start=1):
            if not line.account:
                return f'Ligne {index} : choisissez un compte.'
            if cents is None:
                return f'Ligne {index} : montant illisible (ex. 1 234,56).'
            out.append(SplitLine(line.account, line.label.strip(), cents, line.vat))
        return out


class AllocationEditor:
    """Draws the editor in the current container; the page owns the dialog and the services."""

    def __init__(self, state: EditorState, *, account_field: AccountField, read_only: bool) -> None:
        self.state, self.account_field, self.read_only = state, account_field, read_only
        self.rest_label: ui.label | None = None
        self.vat_labels: list[ui.label] = []

    def header(self) -> None:
        entry = self.state.entry
        with ui.column().classes('gap-0 w-full'):
            ui.label(entry['label']).classes('font-medium break-words').props('data-testid=editor-entry-label')
            side = 'Débit' if entry['amount_cents'] < 0 else 'Crédit'
            ui.label(f'{entry["date"]} · {side} {money(abs(entry["amount_cents"]))}').classes(
                'text-sm text-slate-600'
            ).props('data-testid=editor-entry-amount')

    def suggestions(self, items: list, on_pick: Callable[[object], None]) -> None:
        if not items or self.read_only:
            return
        with ui.column().classes('w-full gap-1'):
            ui.label('Suggestions').classes('text-sm font-medium text-slate-600')
            for index, item in enumerate(items):
                ui.button(item.title, icon='auto_fix_high', on_click=lambda i=item: on_pick(i)).props(
                    f'no-caps outline dense align=left data-testid=editor-suggestion-{index}'
                ).classes('w-full text-left')

    @ui.refreshable_method
    def lines(self) -> None:
        self.vat_labels = []
        for index, line in enumerate(self.state.lines):
            self._line(index, line)
        with ui.row().classes('w-full items-center justify-between'):
            if not self.read_only:
                ui.button('Ajouter une ligne', icon='add', on_click=self._add).props(
                    'no-caps flat dense data-testid=editor-add-line'
                )
            self.rest_label = ui.label().classes('font-medium').props('data-testid=editor-rest role=status')
        self.show_totals()

    def show_totals(self) -> None:
        """Figures only: redrawing the lines while the user types would take the focus away."""
        for label, line, cents in zip(self.vat_labels, self.state.lines, self.state.typed_cents(), strict=True):
            label.text = f'dont TVA {money(abs(vat_cents(cents or 0, line.vat)))}'
        rest = self.state.rest_cents()
        self.rest_label.text = f'Reste à ventiler : {money(abs(rest))}'
        self.rest_label.classes(replace='font-medium ' + ('text-green-700' if rest == 0 else 'text-amber-700'))

    def _line(self, index: int, line: DraftLine) -> None:
        with ui.row().classes('w-full items-start gap-2 flex-wrap sm:flex-nowrap border-b pb-2'):
            picker = self.account_field(line.account, f'editor-account-{index}').classes('w-full sm:w-72')
            picker.on_value_change(lambda e, item=line: setattr(item, 'account', e.value))
            label = ui.input('Libellé', value=line.label).props(f'outlined dense data-testid=editor-label-{index}')
            label.classes('grow min-w-[10rem]').on_value_change(lambda e, item=line: setattr(item, 'label', e.value))
            amount = ui.input('Montant', value=line.amount).props(
                f'outlined dense inputmode=decimal data-testid=editor-amount-{index}'
            )
            amount.classes('w-32').on_value_change(lambda e, item=line: self._set(item, 'amount', e.value))
            vat = ui.select(VAT_OPTIONS, value=line.vat, label='TVA')
            vat.props(f'outlined dense data-testid=editor-vat-{index}')
            vat.classes('w-24').on_value_change(lambda e, item=line: self._set(item, 'vat', e.value))
            self.vat_labels.append(ui.label().classes('text-xs text-slate-500 pt-3 whitespace-nowrap'))
            if not self.read_only:
                ui.button(icon='delete', on_click=lambda i=index: self._remove(i)).props(
                    f'flat round dense aria-label="Retirer la ligne" data-testid=editor-remove-{index}'
                )
            for element in (picker, label, amount, vat):
                element.set_enabled(not self.read_only)

    def _set(self, line: DraftLine, name: str, value) -> None:
        setattr(line, name, value if name != 'vat' else int(value or 0))
        self.show_totals()

    def _add(self) -> None:
        rest = self.state.rest_cents()
        self.state.lines.append(DraftLine(label='', amount=amount_text(abs(rest)) if rest else ''))
        self.lines.refresh()

    def _remove(self, index: int) -> None:
        del self.state.lines[index]
        self.lines.refresh()


def editor_dialog(
    state: EditorState,
    *,
    account_field: AccountField,
    suggestions: list,
    actions: list[tuple[str, str, Callable[[], Awaitable[None] | None]]],
    read_only: bool,
) -> ui.dialog:
    """A dialog holding the editor; ``actions`` are (label, data-testid, callback) buttons at its foot."""
    editor = AllocationEditor(state, account_field=account_field, read_only=read_only)
    with ui.dialog() as dialog, wide_card(60, 'editor'):
        ui.label('Ventilation de l’écriture').classes('text-lg font-semibold')
        editor.header()

        def pick(item) -> None:
            state.use_template(item.template)
            editor.lines.refresh()

        editor.suggestions(suggestions, pick)
        editor.lines()
        with ui.row().classes('w-full justify-end gap-2 flex-wrap'):
            ui.button('Fermer', on_click=dialog.close).props('flat no-caps data-testid=editor-close')
            for label, testid, callback in actions:
                ui.button(label, on_click=callback).props(f'no-caps unelevated data-testid={testid}')
    return dialog


def first_line(entry: dict) -> list[DraftLine]:
    return [DraftLine(label='', amount=amount_text(abs(entry['amount_cents'])))]


def lines_from(entry: dict, saved: list) -> list[DraftLine]:
    """The saved lines of an allocation (AllocationLine), for editing."""
    sign = -1 if entry['amount_cents'] < 0 else 1
    return [DraftLine(s.account_number, s.label, amount_text(s.amount_cents * sign), s.vat_rate_bp) for s in saved]
