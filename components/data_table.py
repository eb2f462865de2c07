"""A plain table built from elements, for short lists whose cells hold controls (switches, selects, buttons)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui


@contextmanager
def data_table(headers: list[str], *, testid: str) -> Iterator[None]:
    with (
        ui.element('div').classes('w-full overflow-x-auto border rounded'),
        ui.element('table').classes('w-full text-sm').props(f'data-testid={testid}'),
    ):
        with ui.element('thead').classes('bg-slate-50'), ui.element('tr'):
            for header in headers:
                with ui.element('th').classes('text-left font-medium text-slate-600 px-3 py-2 whitespace-nowrap'):
                    ui.label(header)
        with ui.element('tbody'):
            yield


@contextmanager
def row(testid: str) -> Iterator[None]:
    with ui.element('tr').classes('border-t align-middle').props(f'data-testid={testid}'):
        yield


@contextmanager
def cell(testid: str | None = None) -> Iterator[None]:
    with ui.element('td').classes('px-3 py-2').props(f'data-testid={testid}' if testid else ''):
        yield


def text_cell(text: str, testid: str | None = None, *, nowrap: bool = False) -> None:
    with cell(testid):
        ui.label(text).classes('whitespace-nowrap' if nowrap else '')


def empty_row(columns: int, text: str) -> None:
    with ui.element('tr'), ui.element('td').classes('px-3 py-3 text-slate-500').props(f'colspan={columns}'):
        ui.label(text)
