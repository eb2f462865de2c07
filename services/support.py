"""« Contacter le support », offered once the four checks of an IBAN are green: the diagnosis goes with the request."""

from __future__ import annotations

from services import audit, db, outbox
from services.errors import DomainError
from services.iban_detail import all_green, diagnose
from services.ibans import get_iban
from services.permissions import Actor

SUPPORT_ADDRESS = 'support@relais.example'


def contact(actor: Actor, account_id: int) -> None:
    checks = diagnose(actor, account_id)
    if not all_green(checks):
        raise DomainError('Suivez d’abord les points en rouge : le support ne peut rien faire de plus.')
    iban = get_iban(actor, account_id)
    lines = [f'- {check.title} : {check.detail}' for check in checks]
    body = (
        f'{actor.display_name} ({actor.email}) signale que les relevés de l’IBAN {iban.iban} '
        f'({iban.client_name}) ne sont pas récupérés, alors que :\n' + '\n'.join(lines)
    )
    with db.session_scope() as session:
        outbox.enqueue(
            session,
            firm_id=actor.firm_id,
            channel='email',
            recipient=SUPPORT_ADDRESS,
            subject=f'Relevés non récupérés : {iban.iban}',
            body=body,
        )
        audit.record(session, 'support.contact', actor=actor, target_type='bank_account', target_id=account_id)
