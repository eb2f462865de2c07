"""The balance of a treasury account day by day (an echart line), the bank's reported balance as a point and the
holes of the history as shaded areas; French labels (22/11/2026, 1 234,56 €), readable on a 390 px phone."""

from __future__ import annotations

from datetime import date, timedelta

from nicegui import ui

# NiceGUI turns an option key starting with ':' into a JavaScript function on the browser side; amounts travel
# in cents (ints) and are formatted there.
EUROS = "v => new Intl.NumberFormat('fr-FR', {style: 'currency', currency: 'EUR'}).format(v / 100)"
WHOLE_EUROS = EUROS.replace("'EUR'}", "'EUR', maximumFractionDigits: 0}")  # the axis: no cents
# an axis label gets a timestamp of local midnight
AXIS_DAY = (
    'v => { const d = new Date(v); return [d.getDate(), d.getMonth() + 1]'
    ".map(n => String(n).padStart(2, '0')).join('/') + '/' + d.getFullYear(); }"
)
# the tooltip gets the point itself: its day is still the 'YYYY-MM-DD' text sent (never parsed: no time zone shift)
TOOLTIP = (
    "ps => { const p = ps[0]; const day = p.value[0].split('-').reverse().join('/');"
    " const amount = new Intl.NumberFormat('fr-FR', {style: 'currency', currency: 'EUR'}).format(p.value[1] / 100);"
    " return day + '<br>' + p.marker + amount; }"
)
GAP_COLOR = 'rgba(220, 38, 38, 0.16)'
LINE_COLOR = '#2563eb'
REPORTED_COLOR = '#ea580c'


def chart_options(
    series: dict[date, int], *, name: str, reported: tuple[date, int] | None, gaps: list[tuple[date, date, str]]
) -> dict:
    line: dict = {
        'type': 'line',
        'name': name,
        'showSymbol': False,
        'step': 'end',  # a day's value is its closing balance
        'lineStyle': {'width': 2, 'color': LINE_COLOR},
        'itemStyle': {'color': LINE_COLOR},
        'data': [[day.isoformat(), cents] for day, cents in series.items()],
        'markArea': {
            'silent': True,
            'itemStyle': {'color': GAP_COLOR},
            'label': {'show': False},
            # the end day included: a one-day hole still shows
            'data': [
                [{'name': label, 'xAxis': s.isoformat()}, {'xAxis': (e + timedelta(days=1)).isoformat()}]
                for s, e, label in gaps
            ],
        },
    }
    if reported is not None:
        line['markPoint'] = {
            'symbol': 'circle',
            'symbolSize': 12,
            'itemStyle': {'color': REPORTED_COLOR},
            'label': {'position': 'top', 'color': REPORTED_COLOR, ':formatter': f'p => ({EUROS})(p.value)'},
            'data': [
                {
                    'name': 'Solde indiqué par la banque',
                    'coord': [reported[0].isoformat(), reported[1]],
                    'value': reported[1],
                }
            ],
        }
    return {
        'animation': False,
        'grid': {'left': 4, 'right': 16, 'top': 28, 'bottom': 8, 'containLabel': True},
        'tooltip': {'trigger': 'axis', ':formatter': TOOLTIP},
        'dataZoom': [{'type': 'inside'}],  # pinch or wheel to zoom on a phone as on a desktop
        'xAxis': {'type': 'time', 'axisLabel': {':formatter': AXIS_DAY, 'hideOverlap': True}},
        'yAxis': {'type': 'value', 'scale': True, 'axisLabel': {':formatter': WHOLE_EUROS}},
        'series': [line],
    }


def balance_chart(
    series: dict[date, int],
    *,
    name: str,
    reported: tuple[date, int] | None,
    gaps: list[tuple[date, date, str]],
    testid: str,
) -> ui.echart:
    options = chart_options(series, name=name, reported=reported, gaps=gaps)
    return ui.echart(options).classes('w-full h-64').props(f'data-testid={testid}')
