"""One IBAN's page: its statements with their delivery, and « Pourquoi mes relevés ne sont pas récupérés ? »."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from services import access, db
from services.deliveries import STATUS_LABELS as DELIVERY_LABELS
from services.ibans import StatementRow, get_iban
from services.permissions import Actor, require
from services.statement_models import BankStatement, Connector, Delivery

SOURCE_LABELS = {'file': 'Fichier déposé', 'mandate': 'Banque (mandat)', 'aggregator': 'Agrégateur'}


def statements_of(actor: Actor, account_id: int, *, limit: int = 60) -> list[StatementRow]:
    """The IBAN's statements, newest first, each with its latest delivery (firm staff, or consultation on it)."""
    with db.session_scope() as session:
        access.account(session, actor, account_id, 'account.statements')
    latest = select(Delivery.statement_id, func.max(Delivery.id).label('id')).group_by(Delivery.statement_id).subquery()
    query = (
        select(BankStatement, Delivery)
        .outerjoin(latest, latest.c.statement_id == BankStatement.id)
        .outerjoin(Delivery, Delivery.id == latest.c.id)
        .where(BankStatement.account_id == account_id)
        .order_by(BankStatement.closing_date.desc(), BankStatement.id.desc())
        .limit(limit)
    )
    with db.session_scope() as session:
        return [
            StatementRow(
                s.id,
                s.source,
                s.format,
                s.file_name,
                s.opening_date,
                s.closing_date,
                s.opening_cents,
                s.closing_cents,
                s.entry_count,
                s.reconciles,
                s.warnings,
                s.route,
                d.id if d else None,
                d.status if d else None,
                d.last_error if d else None,
                d.next_attempt_at if d else None,
                s.created_at,
            )
            for s, d in session.execute(query).all()
        ]


@dataclass(frozen=True)
class Check:
    key: str
    ok: bool
    title: str
    detail: str
    action: str | None = None  # what to do when it is red


def diagnose(actor: Actor, account_id: int) -> list[Check]:
    """The four points, in order; « Contacter le support » is offered only when all four are green."""
    require(actor, 'iban.view')
    iban = get_iban(actor, account_id)
    with db.session_scope() as session:
        connectors = session.execute(
            select(func.count()).where(Connector.firm_id == actor.firm_id, Connector.removed_at.is_(None))
        ).scalar_one()
        last = session.execute(
            select(Delivery)
            .join(BankStatement, BankStatement.id == Delivery.statement_id)
            .where(BankStatement.account_id == account_id)
            .order_by(Delivery.id.desc())
            .limit(1)
        ).scalar_one_or_none()
    return [
        Check(
            'firm-connector',
            connectors > 0,
            'Un connecteur est associé au cabinet',
            f'{connectors} connecteur(s) dans le cabinet.' if connectors else 'Le cabinet n’a aucun connecteur.',
            'Ajoutez un connecteur dans « Cabinet » (Superviseur ou Administrateur).',
        ),
        Check(
            'iban-connector',
            iban.connector_id is not None,
            'L’IBAN est associé à un connecteur',
            f'Connecteur : {iban.connector_name}.' if iban.connector_id else 'Aucun connecteur pour cet IBAN.',
            'Choisissez un connecteur dans la colonne « Connecteur » de cet IBAN.',
        ),
        Check(
            'mandate',
            iban.active,
            'Le mandat est approuvé et l’IBAN actif',
            _mandate_detail(iban),
            'Envoyez le mandat à signer au client, ou attendez la réponse de la banque.',
        ),
        _last_delivery(last),
    ]


def _mandate_detail(iban) -> str:
    if iban.synced:
        return 'IBAN synchronisé par l’agrégateur : actif.'
    return f'Mandat : {iban.mandate_label.lower()}.' + (' IBAN actif.' if iban.active else ' IBAN inactif.')


def _last_delivery(last: Delivery | None) -> Check:
    title = 'Le dernier envoi au connecteur a réussi'
    if last is None:
        return Check(
            'delivery',
            False,
            title,
            'Aucun relevé n’a encore été envoyé au connecteur.',
            'Attendez le prochain relevé, ou déposez un fichier de relevé sur cette page.',
        )
    label = DELIVERY_LABELS[last.status]
    if last.status in ('sent', 'acknowledged'):
        return Check('delivery', True, title, f'Dernier envoi : {label.lower()}.')
    detail = f'Dernier envoi : {label.lower()}' + (f' ({last.last_error}).' if last.last_error else '.')
    return Check('delivery', False, title, detail, 'Vérifiez l’adresse ou le dossier du connecteur, puis « Renvoyer ».')


def all_green(checks: list[Check]) -> bool:
    return all(check.ok for check in checks)
