"""A day typed as jj/mm/aaaa or picked from a French calendar."""

from __future__ import annotations

from nicegui import ui

from services.formatting import parse_day

DATE_HINT = 'Date attendue (jj/mm/aaaa).'


def date_field(label: str, testid: str) -> ui.input:
    """A day typed as jj/mm/aaaa, or picked from a French calendar (the app runs with language 'fr')."""
    field = ui.input(label, placeholder='jj/mm/aaaa').props(f'outlined dense data-testid={testid}')
    with field.add_slot('append'):
        icon = (
            ui.icon('event').classes('cursor-pointer').props(f'aria-label="Choisir la date" data-testid={testid}-pick')
        )
        with ui.menu() as menu:
            ui.date(mask='DD/MM/YYYY', on_change=menu.close).bind_value(field)
        icon.on('click', menu.open)
    return field.classes('w-[calc(50%-0.25rem)] sm:w-40').mark(testid)  # « du » and « au » share a line on a phone


def read_day(field: ui.input) -> tuple[bool, object]:
    """(readable, day): an empty field is readable and means no bound; a wrong one says so under itself."""
    text = (field.value or '').strip()
    day = parse_day(text)
    field.error = None if day or not text else DATE_HINT
    return day is not None or not text, day
