"""Demo ventilation of « AGA COMPTA »: three months of its statements account on « Banque n°1 », the file's rules,
the oldest month allocated and validated, the others waiting (so « Appliquer les règles » has work to show).

Seeded with the running demo (app start-up, `relais seed-demo`), not by ``demo.seed()``: the service tests build
their own entries and count them."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from services.allocation_template import TemplateLine, dumps
from services.banking_models import BankAccount, Transaction, TreasuryAccount
from services.clock import now
from services.db import session_scope
from services.formatting import PARIS
from services.imports import FileTransaction, import_transactions
from services.models import Client, User
from services.rule_engine import apply_to_entries
from services.ventilation_models import ALLOCATED, VALIDATED, Allocation, AllocationRule, ClientAccount

FILE = 'AGA COMPTA'
IBAN = 'FR7630004008230009123456763'  # not a sandbox bank's: this account's history comes from statement files
# (day of the month, label, amount in euros): a month of a small accounting association
MONTH = (
    (2, 'PRLV SEPA EDF CLIENTS PROFESSIONNELS ECH/{d}', '-142.80'),
    (3, 'VIR SEPA RECU /DE BOULANGERIE DUPONT /MOTIF COTISATION {y}', '480.00'),
    (5, 'PRLV SEPA ORANGE BUSINESS SERVICES', '-59.99'),
    (6, 'CB STAPLES FRANCE {d} ANNECY', '-86.40'),
    (9, 'VIR SEPA RECU /DE GARAGE DES ALPES /MOTIF COTISATION {y}', '480.00'),
    (10, 'FRAIS TENUE DE COMPTE', '-12.00'),
    (12, 'PRLV SEPA URSSAF RHONE ALPES', '-1315.00'),
    (15, 'VIR SEPA EMIS /A SCI DES TILLEULS LOYER', '-900.00'),
    (18, 'CB SNCF INTERNET {d}', '-124.00'),
    (20, 'VIR SEPA RECU /DE MENUISERIE LEFEVRE /MOTIF HONORAIRES', '1250.00'),
    (23, 'CB RESTAURANT LE CARRE {d} ANNECY', '-64.50'),
    (26, 'CHQ 0004521', '-250.00'),
)
RULES = (
    ('Électricité EDF', {'label_contains': 'EDF'}, [('6061', 100, 2000)]),
    ('Téléphone Orange', {'counterparty': 'ORANGE'}, [('626', 100, 2000)]),
    ('Cotisations URSSAF', {'label_contains': 'URSSAF', 'direction': 'debit'}, [('6451', 100, 0)]),
    ('Frais bancaires', {'label_contains': 'FRAIS TENUE', 'direction': 'debit'}, [('627', 100, 0)]),
    ('Loyer des bureaux', {'label_contains': 'LOYER', 'direction': 'debit'}, [('6132', 100, 0)]),
    (
        'Cotisations des adhérents',
        {'label_pattern': r'MOTIF COTISATION \d{4}', 'direction': 'credit'},
        [('706', 100, 0)],
    ),
)
ADMIN_EMAIL = 'admin@cabinet-demo.fr'  # who prepared and validated the oldest month
OWN_ACCOUNTS = (('401EDF', 'EDF', '401'), ('411DUPONT', 'Boulangerie Dupont', '411'))


def _months(today: date) -> list[date]:
    first = today.replace(day=1)
    previous = (first - timedelta(days=1)).replace(day=1)
    return [(previous - timedelta(days=1)).replace(day=1), previous, first]


def _entries(month: date, today: date) -> list[FileTransaction]:
    out = []
    for day_number, label, amount in MONTH:
        booked = month.replace(day=day_number)
        if booked <= today:
            text = label.format(d=booked.strftime('%d/%m'), y=booked.year)
            out.append(
                FileTransaction(
                    label=text,
                    raw_label=None,
                    amount=Decimal(amount),
                    currency='EUR',
                    booked=booked,
                    valued=booked,
                    code=None,
                )
            )
    return out


def _rules(session: Session, client_id: int) -> None:
    for priority, (name, conditions, lines) in enumerate(RULES, start=1):
        template = [TemplateLine(number, Decimal(share), vat) for number, share, vat in lines]
        session.add(
            AllocationRule(client_id=client_id, name=name, priority=priority, template=dumps(template), **conditions)
        )
    for number, label, collective in OWN_ACCOUNTS:
        session.add(ClientAccount(client_id=client_id, number=number, label=label, collective=collective))
    session.flush()


def seed() -> None:
    with session_scope() as session:
        admin = session.exec(select(User).where(User.email == ADMIN_EMAIL)).first()
        if admin is not None:
            _seed(session, admin)


def _seed(session: Session, admin: User) -> None:
    client = session.exec(select(Client).where(Client.legal_name == FILE)).first()
    if client is None or session.exec(select(BankAccount).where(BankAccount.iban == IBAN)).first() is not None:
        return
    treasury = session.exec(
        select(TreasuryAccount).where(TreasuryAccount.client_id == client.id, TreasuryAccount.number == 1)
    ).first()
    if treasury is None:
        return
    account = BankAccount(
        client_id=client.id,
        firm_id=client.firm_id,
        iban=IBAN,
        name='Compte courant (relevés)',
        treasury_account_id=treasury.id,
        sync_enabled=False,
    )
    session.add(account)
    session.flush()
    today = now().astimezone(PARIS).date()
    oldest, *recent = _months(today)
    import_transactions(session, account.id, None, _entries(oldest, today))
    _rules(session, client.id)
    apply_to_entries(session, client.id, [account.id], user_id=admin.id)
    _validate_all(session, account.id, admin)
    for month in recent:
        import_transactions(session, account.id, None, _entries(month, today))


def _validate_all(session: Session, account_id: int, admin: User) -> None:
    query = select(Transaction).where(Transaction.account_id == account_id, Transaction.ventilation == ALLOCATED)
    for entry in session.exec(query):
        allocation = session.get(Allocation, entry.id)
        allocation.validated_by, allocation.validated_at = admin.id, now()
        entry.ventilation = VALIDATED
        session.add_all([allocation, entry])
