"""The firm's global statements file (« Relevés »): every statement of an IBAN without connector.

« Télécharger » gives them by date range (the statement's closing day) and client file, as one CFONB 120 file, or
as a ZIP of one file per IBAN. An IBAN that CFONB 120 cannot carry (not French) is written as camt.053 in the ZIP.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, select

from services import db
from services.banking_models import BankAccount
from services.clients import only_visible
from services.clock import now
from services.errors import DomainError, InvalidInput
from services.formats.cfonb120_writer import write_cfonb120
from services.formats.model import FormatError
from services.models import Client
from services.permissions import Actor, require
from services.statement_body import load
from services.statement_models import BankStatement

MAX_DAYS = 366


@dataclass(frozen=True)
class GlobalRow:
    id: int
    client_name: str
    iban: str
    source: str
    closing_date: date | None
    opening_cents: int | None
    closing_cents: int | None
    entries: int
    reconciles: bool | None


@dataclass(frozen=True)
class GlobalPage:
    rows: list[GlobalRow]
    total: int


def _query(actor: Actor, start: date, end: date, client_id: int | None) -> Select:
    if end < start:
        raise InvalidInput({'end': 'La date de fin précède la date de début.'})
    if (end - start).days > MAX_DAYS:
        raise InvalidInput({'end': 'Un an au plus par téléchargement.'})
    query = (
        select(BankStatement, Client.legal_name, BankAccount.iban)
        .join(Client, Client.id == BankStatement.client_id)
        .join(BankAccount, BankAccount.id == BankStatement.account_id)
        .where(BankStatement.route == 'global', BankStatement.closing_date.between(start, end))
    )
    if client_id is not None:
        query = query.where(BankStatement.client_id == client_id)
    return only_visible(actor, query)


def list_global(
    actor: Actor, *, start: date, end: date, client_id: int | None = None, page: int = 1, per_page: int = 25
) -> GlobalPage:
    require(actor, 'statement.view')
    query = _query(actor, start, end, client_id)
    with db.session_scope() as session:
        total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        rows = session.execute(
            query.order_by(BankStatement.closing_date.desc(), Client.legal_name, BankAccount.iban)
            .offset((max(page, 1) - 1) * per_page)
            .limit(per_page)
        ).all()
        return GlobalPage(
            [
                GlobalRow(
                    s.id,
                    name,
                    iban,
                    s.source,
                    s.closing_date,
                    s.opening_cents,
                    s.closing_cents,
                    s.entry_count,
                    s.reconciles,
                )
                for s, name, iban in rows
            ],
            total,
        )


def download(
    actor: Actor, *, start: date, end: date, client_id: int | None = None, as_zip: bool = False
) -> tuple[str, bytes, str]:
    """(file name, content, media type) of the global file for that range."""
    require(actor, 'statement.view')
    query = _query(actor, start, end, client_id).order_by(
        BankAccount.iban, BankStatement.closing_date, BankStatement.id
    )
    with db.session_scope() as session:
        by_iban: dict[str, list] = {}
        for statement, _name, iban in session.execute(query).all():
            by_iban.setdefault(iban, []).append(load(statement.body))
    if not by_iban:
        raise DomainError('Aucun relevé dans le fichier global pour ces dates.')
    stem = f'releves-{start:%Y%m%d}-{end:%Y%m%d}'
    if as_zip:
        return f'{stem}.zip', _zip(by_iban), 'application/zip'
    try:
        return f'{stem}.txt', write_cfonb120([s for group in by_iban.values() for s in group]), 'text/plain'
    except FormatError as error:
        raise DomainError(f'Un relevé ne peut pas s’écrire en CFONB 120 ({error}) : téléchargez le ZIP.') from None


def _zip(by_iban: dict[str, list]) -> bytes:
    from services.formats.camt_writer import write_camt053

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
        for iban, statements in by_iban.items():
            try:
                archive.writestr(f'{iban}.txt', write_cfonb120(statements))
            except FormatError:
                archive.writestr(
                    f'{iban}.xml', write_camt053(statements, message_id=f'RELAIS-{iban}', created_at=now())
                )
    return buffer.getvalue()
