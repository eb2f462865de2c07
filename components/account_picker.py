"""A field to pick an account of the chart by typing its number or words of its label, searched on the server.

How it works with NiceGUI 3 (``ui.select(with_input=True)``, nicegui/elements/select.js): Quasar's QSelect emits
``filter`` once the user has stopped typing for ``input-debounce`` ms (and with an empty text when the list opens).
NiceGUI's own handler answers Quasar's callback at once, with a local filter of the options it already holds; the
listener added here sends the same text to the server, which calls ``search`` and sets the new options. select.js
watches its ``options`` and shows them as they arrive, so what stays on screen is the server's answer for the latest
text — accent-insensitive and word by word, which the local filter (a plain substring of the label) is not.
The chosen account stays among the options whatever the search, so that a new search never drops the value.
Keyboard: the arrows move in the list, Enter picks, Escape closes (QSelect's own keys).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable

from nicegui import events, ui

Search = Callable[[str], list[tuple[str, str]] | Awaitable[list[tuple[str, str]]]]
DEBOUNCE_MS = 250


def choice_label(number: str, label: str) -> str:
    """« 6061 — Fournitures non stockables (eau, énergie, etc.) »"""
    return f'{number} — {label}'


class AccountPicker:
    def __init__(
        self,
        search: Search,
        *,
        testid: str,
        label: str = 'Compte',
        value: tuple[str, str] | None = None,
        on_change: Callable[[str | None], object] | None = None,
    ) -> None:
        self.search, self.on_change = search, on_change
        self.chosen: dict[str, str] = {value[0]: choice_label(*value)} if value else {}
        self.asked = 0  # the number of the latest search: an older answer arriving late is dropped
        self.select = ui.select(
            dict(self.chosen), label=label, value=value[0] if value else None, with_input=True, on_change=self.changed
        )
        self.select.props(f'input-debounce={DEBOUNCE_MS} options-dense outlined dense data-testid={testid}')
        self.select.mark(testid)
        self.select.on('filter', self.filter, js_handler='(text) => emit(text)')
        with self.select.add_slot('no-option'), ui.item().props('dense'):
            ui.item_section('Aucun compte ne correspond.').classes('text-slate-500')

    async def filter(self, event: events.GenericEventArguments) -> None:
        text = event.args if isinstance(event.args, str) else ''
        if text == self.chosen.get(self.select.value):
            text = self.select.value  # the list opened on the chosen account's label: look around its number
        self.asked += 1
        asked = self.asked
        found = self.search(text)
        if inspect.isawaitable(found):
            found = await found
        if asked != self.asked:
            return
        options = {number: choice_label(number, label) for number, label in found}
        self.select.set_options(options | self.chosen)  # the chosen account last, unless it is among the results

    async def changed(self, event: events.ValueChangeEventArguments) -> None:
        self.chosen = {event.value: self.select.options[event.value]} if event.value is not None else {}
        if self.on_change is not None:
            done = self.on_change(event.value)
            if inspect.isawaitable(done):
                await done


def account_picker(
    search: Search,
    *,
    testid: str,
    label: str = 'Compte',
    value: tuple[str, str] | None = None,
    on_change: Callable[[str | None], object] | None = None,
) -> ui.select:
    """A select whose options come from ``search(text) -> [(number, label), …]`` as the user types; its value is
    the chosen account's number. ``value`` is the account shown at first, as (number, label)."""
    return AccountPicker(search, testid=testid, label=label, value=value, on_change=on_change).select


AccountField = Callable[[str | None, str], ui.select]  # (account number shown at first, data-testid) → a picker


def account_field(search: Callable[[str], list[tuple[str, str]]]) -> AccountField:
    """What the editors call for each line: a picker over ``search`` that shows its first account with its label."""

    def make(value: str | None, testid: str) -> ui.select:
        initial = next(((n, label) for n, label in search(value) if n == value), (value, '')) if value else None
        return account_picker(search, value=initial, testid=testid)

    return make
