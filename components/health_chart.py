"""The counts of « Santé des connexions »: who must act (cards) and every status (an echart ring)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nicegui import ui

WHO_COLORS = {'client': '#ea580c', 'firm': '#7c3aed', 'support': '#dc2626', 'nobody': '#64748b'}
WHO_ICONS = {'client': 'person', 'firm': 'business', 'support': 'support_agent', 'nobody': 'schedule'}


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    who: str
    count: int


STATUS_COLORS = {
    'sca_required': '#c2410c',
    'credentials_invalid': '#ea580c',
    'pro_validation_required': '#f59e0b',
    'bank_action_required': '#fbbf24',
    'consent_expiring': '#facc15',
    'provider_error': '#dc2626',
    'bank_unavailable': '#94a3b8',
    'maintenance': '#64748b',
    'syncing': '#3b82f6',
    'ok': '#16a34a',
    'disabled': '#cbd5e1',
}


def chart_options(counts: list[StatusCount]) -> dict:
    """A ring of the statuses, with its legend below (readable on a phone too)."""
    return {
        'animation': False,
        'tooltip': {'trigger': 'item', 'formatter': '{b} : {c} ({d} %)'},
        'legend': {'bottom': 0, 'type': 'scroll'},
        'series': [
            {
                'type': 'pie',
                'radius': ['45%', '72%'],
                'center': ['50%', '42%'],
                'label': {'show': True, 'position': 'inside', 'formatter': '{c}', 'color': '#fff'},
                'data': [
                    {'name': c.label, 'value': c.count, 'itemStyle': {'color': STATUS_COLORS[c.status]}}
                    for c in counts
                    if c.count
                ],
            }
        ],
    }


class HealthCounts:
    """One card per « qui agit » (clickable to filter the list), the total and the ring; `show` updates them in
    place, so a live update sends a few changed texts rather than a rebuilt block."""

    def __init__(self, labels: dict[str, str], *, on_pick: Callable[[str], None]) -> None:
        self.values: dict[str, ui.label] = {}
        with ui.element('div').classes('w-full grid grid-cols-2 md:grid-cols-4 gap-3'):  # two by two on a phone
            for who, label in labels.items():
                card = ui.card().classes('w-full cursor-pointer hover:shadow-md').props(f'data-testid=health-who-{who}')
                card.on('click', lambda w=who: on_pick(w))
                with card, ui.row().classes('items-center gap-3 no-wrap'):
                    ui.icon(WHO_ICONS[who], size='1.8rem').classes('shrink-0').style(f'color: {WHO_COLORS[who]}')
                    with ui.column().classes('gap-0'):
                        value = ui.label('0').classes('text-2xl font-semibold')
                        self.values[who] = value.props(f'data-testid=health-who-{who}-value')
                        ui.label(label).classes('text-sm text-slate-600')
        with ui.card().classes('w-full'):
            self.total = ui.label().classes('text-sm text-slate-600').props('data-testid=health-total')
            self.chart = ui.echart(chart_options([])).classes('w-full h-64').props('data-testid=health-chart')

    def show(self, totals: dict[str, int], counts: list[StatusCount]) -> None:
        for who, value in self.values.items():
            if value.text != str(totals.get(who, 0)):
                value.set_text(str(totals.get(who, 0)))
        self.total.set_text(f'{sum(c.count for c in counts)} connexion(s)')
        self.chart.options.clear()
        self.chart.options.update(chart_options(counts))
        self.chart.update()
