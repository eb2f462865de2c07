"""The journal's table: columns on a desktop, one small card per event on a phone (no sideways scrolling).

Built like components/data_table.py, with the classes that turn each row into a stacked card below Tailwind's
``sm`` breakpoint. Every value is a label's text, so untrusted text (a name a client typed) never becomes HTML.
"""

from __future__ import annotations

from dataclasses import dataclass

from nicegui import ui


@dataclass(frozen=True)
class Column:
    header: str
    classes: str = ''  # e.g. 'whitespace-nowrap max-sm:order-1': 'max-sm:' classes shape the phone card
    testid: str | None = None  # cell test id prefix, followed by the row's id


def audit_table(columns: list[Column], rows: list[tuple[int, list[str]]], *, testid: str, empty: str) -> None:
    """``rows`` are (id, one text per column); a row's test id is ``audit-row-<id>``."""
    with (
        ui.element('div').classes('w-full border rounded sm:overflow-x-auto'),
        ui.element('table').classes('w-full text-sm max-sm:block').props(f'data-testid={testid}'),
    ):
        with ui.element('thead').classes('bg-slate-50 max-sm:hidden'), ui.element('tr'):
            for column in columns:
                with ui.element('th').classes('text-left font-medium text-slate-600 px-3 py-2 whitespace-nowrap'):
                    ui.label(column.header)
        with ui.element('tbody').classes('max-sm:block'):
            if not rows:
                with (
                    ui.element('tr'),
                    ui.element('td').classes('px-3 py-3 text-slate-500').props(f'colspan={len(columns)}'),
                ):
                    ui.label(empty)
            for row_id, texts in rows:
                with (
                    ui.element('tr')
                    .classes('border-t align-top max-sm:flex max-sm:flex-col max-sm:py-2 max-sm:first:border-t-0')
                    .props(f'data-testid=audit-row-{row_id}')
                ):
                    for column, text in zip(columns, texts, strict=True):
                        _cell(column, row_id, text)


def _cell(column: Column, row_id: int, text: str) -> None:
    # An empty value takes no line on a phone card; on a desktop the column keeps its place.
    classes = f'px-3 py-2 max-sm:py-0 {column.classes}' + (' max-sm:hidden' if not text else '')
    props = f'data-testid={column.testid}-{row_id}' if column.testid else ''
    with ui.element('td').classes(classes).props(props):
        ui.label(text)
