"""A table paged, sorted and searched on the server: the browser only ever holds one page of rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nicegui import ui
from nicegui.events import GenericEventArguments


@dataclass(frozen=True)
class PageRequest:
    page: int
    per_page: int
    sort: str | None
    descending: bool


Fetch = Callable[[PageRequest], tuple[list[dict], int]]


class ServerTable(ui.table):
    def __init__(
        self,
        *,
        columns: list[dict],
        fetch: Fetch,
        per_page: int = 25,
        sort: str | None = None,
        testid: str,
        row_testid: str,
        on_row_click: Callable[[dict], None] | None = None,
        empty: str = 'Aucun résultat',
    ) -> None:
        super().__init__(
            columns=columns,
            rows=[],
            row_key='id',
            pagination={'page': 1, 'rowsPerPage': per_page, 'sortBy': sort, 'descending': False, 'rowsNumber': 0},
        )
        self._fetch = fetch
        self.props(
            f'flat bordered binary-state-sort data-testid={testid} :rows-per-page-options="[10, 25, 50, 100]" '
            'rows-per-page-label="Lignes par page" '
            ":pagination-label=\"(first, end, total) => first + '–' + end + ' sur ' + total\""
        )
        self.props(f'no-data-label="{empty}"')
        self.on('request', self._on_request)
        self._add_row_slot(row_testid)
        if on_row_click:
            self.on('open-row', lambda e: on_row_click(e.args))
        self.reload(page=1)

    def _add_row_slot(self, row_testid: str) -> None:
        # Each row carries a test id and opens its record.
        # Vue's {{ }} escapes text, so untrusted values never become HTML.
        self.add_slot(
            'body',
            f"""
            <q-tr :props="props" class="cursor-pointer" :data-testid="'{row_testid}-' + props.row.id"
                  @click="() => $parent.$emit('open-row', props.row)">
              <q-td v-for="col in props.cols" :key="col.name" :props="props">{{{{ col.value }}}}</q-td>
            </q-tr>""",
        )
        self.add_slot(
            'item',
            f"""
            <div class="q-pa-xs col-12">
              <q-card flat bordered class="cursor-pointer" :data-testid="'{row_testid}-' + props.row.id"
                      @click="() => $parent.$emit('open-row', props.row)">
                <q-card-section class="q-py-sm">
                  <div v-for="(col, index) in props.cols" :key="col.name"
                       :class="index === 0 ? 'text-subtitle2' : 'text-caption text-grey-8'">{{{{ col.value }}}}</div>
                </q-card-section>
              </q-card>
            </div>""",
        )

    def _on_request(self, event: GenericEventArguments) -> None:
        pagination = event.args['pagination']
        self.pagination = {**self.pagination, **pagination}
        self.reload()

    def reload(self, *, page: int | None = None) -> None:
        state = dict(self.pagination)
        if page is not None:
            state['page'] = page
        request = PageRequest(
            page=int(state.get('page') or 1),
            per_page=int(state.get('rowsPerPage') or 25),
            sort=state.get('sortBy'),
            descending=bool(state.get('descending')),
        )
        rows, total = self._fetch(request)
        last_page = max(1, -(-total // request.per_page))
        pagination = {**state, 'page': min(request.page, last_page), 'rowsNumber': total}
        changed = (rows is not self.rows and rows != self.rows) or pagination != self.pagination
        if changed:  # a live redraw that changes nothing sends nothing
            self.rows, self.pagination = rows, pagination
