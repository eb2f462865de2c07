"""The entries of ventilation: a table paged on the server, with a selection and a keyboard cursor.

The browser holds one page of rows. ↑ and ↓ move the cursor, Entrée opens the entry, Espace selects it; the
page gives the keys (components never listen to the whole document themselves).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from nicegui import ui
from nicegui.events import GenericEventArguments

from components.server_table import PageRequest


def _column(name: str, label: str, *, align: str = 'left', shown: str = '') -> dict:
    """``shown``: 'gt-xs' for wider screens only, 'xs' for phones only (Quasar's visibility classes)."""
    hidden = {'classes': shown, 'headerClasses': shown} if shown else {}
    return {'name': name, 'label': label, 'field': name, 'align': align, **hidden}


COLUMNS = [
    _column('date', 'Date'),
    _column('label', 'Libellé'),
    _column('counterparty', 'Tiers', shown='gt-xs'),
    _column('iban', 'Compte', shown='gt-xs'),
    _column('debit', 'Débit', align='right', shown='gt-xs'),
    _column('credit', 'Crédit', align='right', shown='gt-xs'),
    _column('amount', 'Montant', align='right', shown='xs'),  # a phone has no room for two amount columns
    _column('allocation', 'Ventilation', shown='gt-xs'),
]

# Vue's {{ }} escapes text: bank labels are untrusted and never become HTML.
_BODY = """
<q-tr :props="props" :data-testid="'entry-row-' + props.row.id"
      :class="props.row.id === props.row.cursor ? 'bg-blue-50 outline outline-1 outline-blue-400' : ''">
  <q-td auto-width>
    <q-checkbox dense v-model="props.selected" :data-testid="'entry-select-' + props.row.id"
                :aria-label="'Sélectionner ' + props.row.label" />
  </q-td>
  <q-td v-for="col in props.cols" :key="col.name" :props="props" class="cursor-pointer"
        @click="() => $parent.$emit('open-row', props.row)">
    <span :class="col.name === 'label' ? 'whitespace-normal break-words' : 'whitespace-nowrap'">{{ col.value }}</span>
  </q-td>
</q-tr>"""


class EntryTable(ui.table):
    def __init__(
        self,
        *,
        fetch: Callable[[PageRequest], tuple[list[dict], int]],
        on_open: Callable[[dict], Awaitable[None] | None],
        per_page: int = 50,
        testid: str = 'entries-table',
    ) -> None:
        super().__init__(
            columns=COLUMNS,
            rows=[],
            row_key='id',
            selection='multiple',
            pagination={'page': 1, 'rowsPerPage': per_page, 'rowsNumber': 0},
        )
        self._fetch, self._on_open, self.cursor = fetch, on_open, 0
        self.props(
            f'flat bordered dense data-testid={testid} :rows-per-page-options="[25, 50, 100]" '
            'rows-per-page-label="Lignes par page" no-data-label="Aucune écriture" '
            ":pagination-label=\"(first, end, total) => first + '–' + end + ' sur ' + total\""
            ' selected-rows-label="(n) => n + \' sélectionnée(s)\'"'
        )
        self.add_slot('body', _BODY)
        self.on('open-row', lambda e: self._open(e.args))
        self.on('request', self._on_request)
        self.reload(page=1)

    async def _open(self, row: dict) -> None:
        self.move_cursor_to(row['id'])
        await self._call_open(row)

    async def _call_open(self, row: dict) -> None:
        opened = self._on_open(row)
        if inspect.isawaitable(opened):
            await opened

    def _on_request(self, event: GenericEventArguments) -> None:
        self.pagination = {**self.pagination, **event.args['pagination']}
        self.reload()

    def reload(self, *, page: int | None = None) -> None:
        state = dict(self.pagination)
        if page is not None:
            state['page'] = page
        request = PageRequest(int(state.get('page') or 1), int(state.get('rowsPerPage') or 50), None, False)
        rows, total = self._fetch(request)
        last_page = max(1, -(-total // request.per_page))
        if request.page > last_page and total:  # the last entries of the last page were allocated
            state['page'] = last_page
            request = PageRequest(last_page, request.per_page, None, False)
            rows, total = self._fetch(request)
        ids = {row['id'] for row in rows}
        self.selected = [row for row in rows if row['id'] in {s['id'] for s in self.selected}]
        self.cursor = self.cursor if self.cursor in ids else (rows[0]['id'] if rows else 0)
        self.rows = [{**row, 'cursor': self.cursor} for row in rows]
        self.pagination = {**state, 'rowsNumber': total}

    def move_cursor_to(self, row_id: int) -> None:
        self.cursor = row_id
        self.rows = [{**row, 'cursor': row_id} for row in self.rows]

    def move_cursor(self, step: int) -> None:
        ids = [row['id'] for row in self.rows]
        if ids:
            index = ids.index(self.cursor) if self.cursor in ids else 0
            self.move_cursor_to(ids[max(0, min(len(ids) - 1, index + step))])

    def cursor_row(self) -> dict | None:
        return next((row for row in self.rows if row['id'] == self.cursor), None)

    def toggle_cursor_selection(self) -> None:
        row = self.cursor_row()
        if row is None:
            return
        kept = [r for r in self.selected if r['id'] != row['id']]
        self.selected = kept if len(kept) < len(self.selected) else [*self.selected, row]

    async def open_cursor(self) -> None:
        row = self.cursor_row()
        if row is not None:
            await self._call_open(row)

    @property
    def selected_ids(self) -> list[int]:
        return [row['id'] for row in self.selected]
