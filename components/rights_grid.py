"""The rights grid: one row per account or contract, consultation / gestion / validation as checkboxes."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import ui

from services.rights import RIGHT_LABELS, RIGHTS, Grant, Resource

Key = tuple[str, int]


def grants_from(ticks: dict[Key, set[str]]) -> list[Grant]:
    return [
        Grant(kind, rid, *(right in rights for right in RIGHTS)).normalized()
        for (kind, rid), rights in ticks.items()
        if rights
    ]


def ticks_from(grants: list[Grant]) -> dict[Key, set[str]]:
    return {(g.kind, g.resource_id): {r for r in RIGHTS if g.has(r)} for g in grants}


def rights_grid(
    resources: list[Resource],
    ticks: dict[Key, set[str]],
    *,
    editable: frozenset[str] = frozenset(),
    on_change: Callable[[], None] | None = None,
) -> None:
    """``ticks`` is changed in place as boxes are ticked; only ``editable`` rights can be changed."""
    if not resources:
        ui.label('Ce dossier n’a encore ni compte ni contrat.').classes('text-sm text-slate-600')
        return
    with ui.element('div').classes('w-full overflow-x-auto'), ui.grid(columns=4).classes('min-w-[28rem] gap-x-4'):
        for header in ('Compte ou contrat', *RIGHT_LABELS.values()):
            ui.label(header).classes('text-xs font-semibold text-slate-600')
        for resource in resources:
            key = (resource.kind, resource.id)
            with ui.column().classes('gap-0'):
                ui.label(resource.label).classes('text-sm font-medium break-all')
                ui.label(resource.detail).classes('text-xs text-slate-500')
            for right in RIGHTS:

                def toggle(event, key: Key = key, right: str = right) -> None:
                    chosen = ticks.setdefault(key, set())
                    (chosen.add if event.value else chosen.discard)(right)
                    if on_change:
                        on_change()

                box = ui.checkbox(value=right in ticks.get(key, set()), on_change=toggle)
                box.props(f'dense data-testid=right-{resource.kind}-{resource.id}-{right} aria-label="{right}"')
                box.set_enabled(right in editable)
