"""« Messages envoyés »: the firm's outbox, for its Administrateur (what was sent, what is kept or failing)."""

from __future__ import annotations

from nicegui import ui

from components.server_table import PageRequest, ServerTable
from pages.layout import page_frame
from pages.session import guard
from services import outbox
from services.formatting import moment
from services.permissions import Actor

STATUS_LABELS = {'pending': 'À envoyer', 'sent': 'Envoyé', 'kept': 'Conservé (canal non configuré)', 'failed': 'Échec'}
COLUMNS = [
    {'name': 'created', 'label': 'Créé le', 'field': 'created', 'align': 'left'},
    {'name': 'channel', 'label': 'Canal', 'field': 'channel', 'align': 'left'},
    {'name': 'recipient', 'label': 'Destinataire', 'field': 'recipient', 'align': 'left'},
    {'name': 'subject', 'label': 'Objet / texte', 'field': 'subject', 'align': 'left'},
    {'name': 'status', 'label': 'État', 'field': 'status', 'align': 'left'},
]


def outbox_page():
    actor = guard('outbox.view')
    if not isinstance(actor, Actor):
        return actor
    with page_frame(actor, 'Messages envoyés'):
        ui.label(
            'Les e-mails partent par SMTP et les SMS par la passerelle configurée ; sans configuration, ils sont '
            'conservés ici. Un mot de passe, un code ou un lien n’y est jamais affiché : seul son destinataire le lit.'
        ).classes('text-sm text-slate-600')

        def fetch(request: PageRequest) -> tuple[list[dict], int]:
            found = outbox.list_messages(actor, page=request.page, per_page=request.per_page)
            rows = [
                {
                    'id': m.id,
                    'created': moment(m.created_at),
                    'channel': 'E-mail' if m.channel == 'email' else 'SMS',
                    'recipient': m.recipient,
                    'subject': outbox.shown_text(m),
                    'status': STATUS_LABELS.get(m.status, m.status) + (f' ({m.last_error})' if m.last_error else ''),
                }
                for m in found.rows
            ]
            return rows, found.total

        empty = 'Aucun message pour le moment.'
        table = ServerTable(columns=COLUMNS, fetch=fetch, testid='outbox-table', row_testid='outbox-row', empty=empty)
        table.classes('w-full')
    return None
