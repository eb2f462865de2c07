"""A client file with entries waiting for ventilation, built through the real import path (shared by the suites).

The default file is one the demo leaves without accounts (AGA COMPTA has its own demo ventilation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from schwifty import IBAN
from sqlmodel import select

from services import db
from services.banking_models import BankAccount, Transaction, TreasuryAccount
from services.imports import FileTransaction, import_transactions
from services.ledger import LineInput, vat_cents
from services.models import Client, utcnow
from services.statement_models import BankStatement
from services.ventilation_models import VALIDATED, Allocation, AllocationLine

# A month of a small company's bank account: (day, label, amount in euros)
NOVEMBER = (
    (3, 'PRLV SEPA EDF CLIENTS PARTICULIERS ECH/031126', '-120.00'),
    (4, 'CB CARREFOUR MARKET 02/11 ANNECY', '-45.60'),
    (5, 'VIR SEPA RECU /DE BOULANGERIE DUPONT /MOTIF FACTURE 2026-118', '1800.00'),
    (6, 'PRLV SEPA ORANGE SA FACTURE MOBILE', '-39.99'),
    (7, 'CB TOTALENERGIES 06/11 SEYNOD', '-72.30'),
    (10, 'FRAIS TENUE DE COMPTE', '-8.50'),
    (12, 'VIR SEPA RECU /DE GARAGE DES ALPES /MOTIF FACTURE 2026-121', '960.00'),
    (14, 'PRLV SEPA URSSAF RHONE ALPES', '-1250.00'),
    (17, 'CB AMAZON EU SARL 15/11', '-89.90'),
    (18, 'PRLV SEPA EDF CLIENTS PARTICULIERS ECH/181126', '-80.00'),
    (20, 'CHQ 0001234', '-300.00'),
    (24, 'VIR SEPA EMIS /A LOYER BUREAUX NOVEMBRE', '-950.00'),
)


@dataclass(frozen=True)
class VentilationWorld:
    client_id: int
    treasury_id: int
    account_id: int
    iban: str


def entries(month: tuple = NOVEMBER, *, year: int = 2026, number: int = 11) -> list[FileTransaction]:
    return [
        FileTransaction(
            label=label,
            raw_label=None,
            amount=Decimal(amount),
            currency='EUR',
            booked=date(year, number, day),
            valued=date(year, number, day),
            code=None,
        )
        for day, label, amount in month
    ]


def build(
    client_name: str = 'Pharmacie du Centre', *, treasury_number: int = 1, account_number: int = 1
) -> VentilationWorld:
    """A bank account of the demo file ``client_name`` on its treasury account, with the November entries."""
    iban = IBAN.generate('FR', bank_code='3000400823', account_code=f'000907654{account_number:02d}').compact
    with db.session_scope() as session:
        client = session.exec(select(Client).where(Client.legal_name == client_name)).one()
        treasury = session.exec(
            select(TreasuryAccount).where(
                TreasuryAccount.client_id == client.id, TreasuryAccount.number == treasury_number
            )
        ).first()
        if treasury is None:
            treasury = TreasuryAccount(client_id=client.id, number=treasury_number, label=f'Banque n°{treasury_number}')
            session.add(treasury)
            session.flush()
        account = BankAccount(
            client_id=client.id,
            firm_id=client.firm_id,
            iban=iban,
            name='Compte courant',
            treasury_account_id=treasury.id,
            balance_cents=152_411,
        )
        session.add(account)
        session.flush()
        import_transactions(session, account.id, None, entries())
        return VentilationWorld(client.id, treasury.id, account.id, iban)


def fill(account_id: int, *, treasury_number: int = 1, month: tuple = NOVEMBER) -> int:
    """Link an existing bank account to its file's treasury account ``treasury_number`` and import ``month`` into it;
    the treasury account's id."""
    with db.session_scope() as session:
        account = session.get(BankAccount, account_id)
        treasury = session.exec(
            select(TreasuryAccount).where(
                TreasuryAccount.client_id == account.client_id, TreasuryAccount.number == treasury_number
            )
        ).first()
        if treasury is None:
            treasury = TreasuryAccount(
                client_id=account.client_id, number=treasury_number, label=f'Banque n°{treasury_number}'
            )
            session.add(treasury)
            session.flush()
        account.treasury_account_id = treasury.id
        session.add(account)
        import_transactions(session, account.id, None, entries(month))
        return treasury.id


def add_statement(
    world: VentilationWorld,
    opening: tuple[date, int] | None,
    closing: tuple[date, int],
    *,
    source: str = 'file',
    account_id: int | None = None,
) -> int:
    """A statement row of the world's account (or ``account_id``): (date, balance in cents) at opening and closing."""
    opening_date, opening_cents = opening or (None, None)
    with db.session_scope() as session:
        account = session.get(BankAccount, account_id or world.account_id)
        statement = BankStatement(
            firm_id=account.firm_id,
            client_id=account.client_id,
            account_id=account.id,
            source=source,
            format='cfonb120',
            opening_cents=opening_cents,
            opening_date=opening_date,
            closing_cents=closing[1],
            closing_date=closing[0],
            fingerprint=f'{account.id}-{opening_date}-{closing[0]}-{source}',
            body='',
            route='global',
        )
        session.add(statement)
        session.flush()
        return statement.id


def entry_ids(account_id: int) -> list[int]:
    """The ids of an account's transactions in date order (for a built world: the order of NOVEMBER)."""
    with db.session_scope() as session:
        query = select(Transaction.id).where(Transaction.account_id == account_id)
        return list(session.exec(query.order_by(Transaction.date, Transaction.id)))


def validate_directly(
    transaction_ids: list[int],
    lines_by_id: dict[int, list[LineInput]] | None = None,
    *,
    user_id: int,
    at: datetime | None = None,
) -> None:
    """Transactions validated as a valideur would leave them, written straight through the models (without the
    allocation services): one Allocation each, prepared and validated by ``user_id`` at ``at`` (now by default), and
    its lines — those of ``lines_by_id``, else the whole amount on 606 (money out) or 706 (money in) without VAT."""
    lines_by_id = lines_by_id or {}
    with db.session_scope() as session:
        for transaction_id in transaction_ids:
            transaction = session.get(Transaction, transaction_id)
            account = session.get(BankAccount, transaction.account_id)
            default = (
                ('606000', 'Achats non stockés de matières et fournitures')
                if transaction.amount_cents < 0
                else ('706000', 'Prestations de services')
            )
            lines = lines_by_id.get(transaction_id) or [
                LineInput(*default, transaction.label, transaction.amount_cents)
            ]
            moment = at or utcnow()
            session.add(
                Allocation(
                    transaction_id=transaction_id,
                    client_id=account.client_id,
                    prepared_by=user_id,
                    prepared_at=moment,
                    validated_by=user_id,
                    validated_at=moment,
                )
            )
            session.flush()
            for position, line in enumerate(lines, start=1):
                session.add(
                    AllocationLine(
                        transaction_id=transaction_id,
                        position=position,
                        account_number=line.account_number,
                        account_label=line.account_label,
                        label=line.label,
                        amount_cents=line.amount_cents,
                        vat_rate_bp=line.vat_rate_bp,
                        vat_cents=vat_cents(line.amount_cents, line.vat_rate_bp),
                    )
                )
            transaction.ventilation = VALIDATED
            session.add(transaction)
