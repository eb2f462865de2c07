"""The counts of « Santé des connexions »: who must act (cards) and every status (an echart ring)."""

from __future__ import annotations

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


def who_cards(totals: dict[str, int], labels: dict[str, str], *, on_pick) -> None:
    """One card per « qui agit », clickable to filter the list."""
    with ui.row().classes('w-full gap-3 flex-wrap'):
        for who, count in totals.items():
            card = (
                ui.card()
                .classes('min-w-[10rem] grow cursor-pointer hover:shadow-md')
                .props(f'data-testid=health-who-{who}')
            )
            card.on('click', lambda w=who: on_pick(w))
            with card, ui.row().classes('items-center gap-3 no-wrap'):
                ui.icon(WHO_ICONS[who], size='1.8rem').style(f'color: {WHO_COLORS[who]}')
                with ui.column().classes('gap-0'):
                    ui.label(str(count)).classes('text-2xl font-semibold').props(f'data-testid=health-who-{who}-value')
                    ui.label(labels[who]).classes('text-sm text-slate-600')
