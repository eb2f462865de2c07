"""The shared frame: header (firm, user, « Se déconnecter »), navigation drawer, content column."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from nicegui import ui

from services.permissions import Actor, can

# Sends one 'relais_activity' event a minute at most while the person clicks or types, so that the
# inactivity timeout counts real use of an open page, not only page loads.
_ACTIVITY_SCRIPT = """
<script>
(() => {
  let last = 0;
  const ping = () => {
    const now = Date.now();
    if (now - last > 60000 && window.emitEvent) { last = now; window.emitEvent('relais_activity'); }
  };
  ['click', 'keydown', 'touchstart'].forEach(name => document.addEventListener(name, ping, {passive: true}));
})();
</script>
"""


@dataclass(frozen=True)
class NavItem:
    label: str
    icon: str
    path: str
    action: str
    testid: str


NAV_ITEMS = (
    NavItem('Tableau de bord', 'dashboard', '/', 'dashboard.view', 'nav-dashboard'),
    NavItem('Santé des connexions', 'monitor_heart', '/sante', 'health.view', 'nav-health'),
    NavItem('Dossiers', 'folder_shared', '/dossiers', 'client.list', 'nav-clients'),
    NavItem('Mon entreprise', 'business', '/mon-entreprise', 'company.view', 'nav-company'),
    NavItem('Mes comptes', 'account_balance_wallet', '/mes-comptes', 'company.view', 'nav-my-accounts'),
    NavItem('Ventilation', 'call_split', '/ventilation', 'company.view', 'nav-ventilation'),  # a client's own file
    NavItem('Maintenances', 'construction', '/maintenances', 'maintenance.manage', 'nav-maintenance'),
    NavItem('Messages envoyés', 'outgoing_mail', '/messages', 'outbox.view', 'nav-outbox'),
    NavItem('Journal d’audit', 'history', '/journal', 'audit.view', 'nav-audit'),
    NavItem('IBAN', 'account_balance', '/ibans', 'iban.view', 'nav-ibans'),
    NavItem('Relevés', 'receipt_long', '/releves', 'statement.view', 'nav-statements'),
    NavItem('Cabinet', 'settings', '/cabinet', 'connector.manage', 'nav-firm'),
    NavItem('Gestion des utilisateurs', 'manage_accounts', '/utilisateurs', 'users.view', 'nav-users'),
)


def _header(actor: Actor, firm_name: str, drawer: ui.left_drawer, on_sign_out: Callable[[], None]) -> None:
    with ui.header().classes('items-center gap-2 px-3 py-2 bg-slate-800 text-white no-wrap'):
        ui.button(icon='menu', on_click=drawer.toggle).props(
            'flat round dense color=white aria-label=Menu data-testid=nav-toggle'
        ).classes('lg:hidden')
        ui.label('Relais').classes('text-lg font-bold')
        ui.label(firm_name).classes('text-sm opacity-80 truncate').props('data-testid=header-firm')
        ui.space()
        with ui.column().classes('gap-0 items-end max-sm:hidden'):
            ui.label(actor.display_name).classes('text-sm').props('data-testid=header-user')
            ui.label(actor.role_label).classes('text-xs opacity-70')
        ui.button('Se déconnecter', icon='logout', on_click=on_sign_out).props(
            'flat dense no-caps color=white data-testid=logout'
        ).classes('max-sm:text-xs')


def _drawer(actor: Actor, current_path: str) -> ui.left_drawer:
    drawer = ui.left_drawer(value=None, bordered=True).props('breakpoint=1023 width=230').classes('bg-slate-50 p-0')
    with drawer, ui.list().classes('w-full pt-2'):
        for item in NAV_ITEMS:
            if not can(actor, item.action):
                continue
            active = current_path == item.path or (item.path != '/' and current_path.startswith(item.path))
            with (
                ui.item(on_click=lambda path=item.path: ui.navigate.to(path))
                .props(f'clickable data-testid={item.testid}' + (' active' if active else ''))
                .classes('text-slate-800')
            ):
                with ui.item_section().props('avatar'):
                    ui.icon(item.icon)
                ui.item_section(item.label)
    return drawer


@contextmanager
def frame(
    actor: Actor,
    *,
    title: str,
    firm_name: str,
    current_path: str,
    on_sign_out: Callable[[], None],
    on_activity: Callable[[], None],
    on_check: Callable[[], None],
    notices: Sequence[str] = (),
) -> Iterator[ui.column]:
    """Open the page layout; the caller fills the returned content column."""
    ui.page_title(f'{title} · Relais')
    ui.add_body_html(_ACTIVITY_SCRIPT)
    ui.on('relais_activity', on_activity)
    ui.timer(15, on_check)
    drawer = _drawer(actor, current_path)
    _header(actor, firm_name, drawer, on_sign_out)
    with ui.column().classes('w-full max-w-6xl mx-auto p-3 sm:p-6 gap-4') as content:
        for index, notice in enumerate(notices):
            with ui.row().classes('w-full items-center gap-2 no-wrap rounded bg-amber-100 text-amber-900 px-3 py-2'):
                ui.icon('construction')
                ui.label(notice).classes('text-sm').props(f'role=status data-testid=maintenance-banner-{index}')
        ui.label(title).classes('text-2xl font-semibold text-slate-800').props('data-testid=page-title')
        yield content
