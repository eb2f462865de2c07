"""A client file with entries waiting for ventilation, built through the real import path (shared by the suites)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from schwifty import IBAN
from sqlmodel import select

from services import db
from services.banking_models import BankAccount, TreasuryAccount
from services.imports import FileTransaction, import_transactions
from services.models import Client

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


def build(client_name: str = 'AGA COMPTA', *, treasury_number: int = 1, account_number: int = 1) -> VentilationWorld:
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
