"""« Mon entreprise »: a client user's own company file (read-only for now)."""

from __future__ import annotations

from nicegui import ui

from components.client_form import ClientForm
from pages.layout import page_frame
from pages.session import guard
from services import clients
from services.permissions import Actor


def company_page():
    actor = guard('company.view')
    if not isinstance(actor, Actor):
        return actor
    company = clients.own_company(actor)
    with page_frame(actor, 'Mon entreprise'), ui.card().classes('w-full'):
        ui.label(company.legal_name).classes('text-lg font-semibold').props('data-testid=company-name')
        ClientForm(clients.as_input(company), read_only=True)
    return None
