"""Exports of a client file's validated entries: the FEC (services.formats.fec), and CSV / XLSX of the same rows.

Decisions (the format's own rules and their sources are in services/formats/fec.py):
- what goes out: transactions in state « validated » of the file's bank accounts, booked ``start <= date <= end``
  (``start`` left out: everything up to the closing date). An account linked to no treasury account has no journal
  (BQn) nor bank account (512nnn), so its entries cannot be written: they are left out, counted, and the user is told;
- one entry (one EcritureNum) per bank transaction, made of its balanced lines (services.ledger.journal_lines);
- order and numbering: by (EcritureDate, JournalCode, transaction id), EcritureNum 1..N without gap over the whole
  file. The FEC is chronological and its numbering continuous (A. 47 A-1; BOI-CF-IOR-60-40-20 § 100); Relais keeps
  no journal numbering of its own, so the numbers are those of the file, given again at each export;
- PieceRef ``OP<transaction id>``: the supporting document of a bank entry is the bank's line, and Relais's id of a
  transaction never changes (imports are idempotent), so every export gives it the same reference, and the reference
  finds it in Relais; PieceDate and EcritureDate its booking date; ValidDate the Europe/Paris day it was validated;
- EcritureLib: each line's own label (the bank and VAT lines carry the bank label);
- an auxiliary account of the file (ClientAccount with a collective 401/411) is written as its collective in
  CompteNum / CompteLib (« Fournisseurs », « Clients ») and as itself in CompAuxNum / CompAuxLib;
- Montantdevise / Idevise blank for euros. Relais holds no exchange rate: an entry in another currency keeps its own
  amounts in Debit / Credit, and Montantdevise (signed: debit > 0) / Idevise say which currency they are in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from services import audit, db, ventilation_access
from services.banking_models import BankAccount, Transaction, TreasuryAccount
from services.clock import aware
from services.errors import DomainError, InvalidInput
from services.formats import fec, fec_rules
from services.formatting import PARIS, day
from services.ledger import LineInput, bank_account_number, journal_code, journal_lines
from services.models import Client
from services.permissions import Actor
from services.ventilation_models import VALIDATED, Allocation, AllocationLine, ClientAccount
from services.ventilation_sheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, write_csv, write_xlsx

KIND_LABELS = {'fec': 'FEC', 'csv': 'CSV', 'xlsx': 'Excel'}
COLLECTIVE_LABELS = {'401': 'Fournisseurs', '411': 'Clients'}


@dataclass(frozen=True)
class ExportFile:
    name: str
    content: bytes
    media_type: str


@dataclass(frozen=True)
class Totals:
    entries: int
    lines: int
    debit_cents: int
    credit_cents: int


def _conditions(client_id: int, start: date | None, end: date) -> list:
    conditions = [BankAccount.client_id == client_id, Transaction.ventilation == VALIDATED, Transaction.date <= end]
    if start is not None:
        conditions.append(Transaction.date >= start)
    return conditions


def skipped_entries(session: Session, client: Client, *, start: date | None = None, end: date) -> int:
    """Validated entries of the period on accounts linked to no treasury account: they cannot be exported."""
    query = (
        select(func.count())
        .select_from(Transaction)
        .join(BankAccount, BankAccount.id == Transaction.account_id)
        .where(*_conditions(client.id, start, end), col(BankAccount.treasury_account_id).is_(None))
    )
    return session.exec(query).one()


def _allocation_lines(session: Session, client_id: int, start: date | None, end: date) -> dict[int, list[LineInput]]:
    query = (
        select(AllocationLine)
        .join(Transaction, Transaction.id == AllocationLine.transaction_id)
        .join(BankAccount, BankAccount.id == Transaction.account_id)
        .where(*_conditions(client_id, start, end), col(BankAccount.treasury_account_id).is_not(None))
        .order_by(AllocationLine.transaction_id, AllocationLine.position)
    )
    lines: dict[int, list[LineInput]] = defaultdict(list)
    for line in session.exec(query):
        lines[line.transaction_id].append(
            LineInput(line.account_number, line.account_label, line.label, line.amount_cents, line.vat_rate_bp)
        )
    return lines


def _auxiliaries(session: Session, client_id: int) -> dict[str, str]:
    """The file's auxiliary account numbers → their collective (401, 411)."""
    query = select(ClientAccount).where(
        ClientAccount.client_id == client_id, col(ClientAccount.collective).is_not(None)
    )
    return {account.number: account.collective for account in session.exec(query)}


def fec_lines(session: Session, client: Client, *, start: date | None = None, end: date) -> list[fec.FecLine]:
    """The FEC records of the file's validated entries of the period, numbered from 1 in date order."""
    query = (
        select(Transaction, Allocation, TreasuryAccount)
        .join(BankAccount, BankAccount.id == Transaction.account_id)
        .join(TreasuryAccount, TreasuryAccount.id == BankAccount.treasury_account_id)
        .join(Allocation, Allocation.transaction_id == Transaction.id)
        .where(*_conditions(client.id, start, end))
    )
    entries = sorted(session.exec(query).all(), key=lambda row: (row[0].date, journal_code(row[2].number), row[0].id))
    lines_by_id = _allocation_lines(session, client.id, start, end)
    auxiliaries = _auxiliaries(session, client.id)
    out: list[fec.FecLine] = []
    for number, (transaction, allocation, treasury) in enumerate(entries, start=1):
        out.extend(_entry(number, transaction, allocation, treasury, lines_by_id[transaction.id], auxiliaries))
    return out


def _entry(
    number: int,
    transaction: Transaction,
    allocation: Allocation,
    treasury: TreasuryAccount,
    lines: list[LineInput],
    auxiliaries: dict[str, str],
) -> list[fec.FecLine]:
    journal = journal_lines(
        bank_account=(bank_account_number(treasury.number), treasury.label),
        entry_label=transaction.label,
        amount_cents=transaction.amount_cents,
        lines=lines,
    )
    if sum(line.debit_cents for line in journal) != sum(line.credit_cents for line in journal):
        raise DomainError(
            f'L’écriture du {day(transaction.date)} « {transaction.label} » n’est pas équilibrée : '
            'rouvrez-la et ventilez-la de nouveau avant l’export.'
        )
    validated = aware(allocation.validated_at or allocation.prepared_at).astimezone(PARIS).date()
    foreign = transaction.currency != 'EUR'
    out = []
    for line in journal:
        collective = auxiliaries.get(line.account_number)
        out.append(
            fec.FecLine(
                journal_code=journal_code(treasury.number),
                journal_label=treasury.label,
                entry_number=number,
                entry_date=transaction.date,
                account_number=collective or line.account_number,
                account_label=COLLECTIVE_LABELS.get(collective, collective) if collective else line.account_label,
                aux_number=line.account_number if collective else '',
                aux_label=line.account_label if collective else '',
                piece_ref=f'OP{transaction.id}',
                piece_date=transaction.date,
                label=line.label or transaction.label,
                debit_cents=line.debit_cents,
                credit_cents=line.credit_cents,
                valid_date=validated,
                foreign_amount_cents=line.debit_cents - line.credit_cents if foreign else None,
                currency=transaction.currency if foreign else '',
            )
        )
    return out


def totals(lines: list[fec.FecLine]) -> Totals:
    return Totals(
        entries=len({line.entry_number for line in lines}),
        lines=len(lines),
        debit_cents=sum(line.debit_cents for line in lines),
        credit_cents=sum(line.credit_cents for line in lines),
    )


def _period(start: date | None, end: date) -> str:
    return f'du {day(start)} au {day(end)}' if start else f'jusqu’au {day(end)}'


def plural(number: int, word: str) -> str:
    return f'{number} {word}{"s" if number > 1 else ""}'


def nothing_to_export(start: date | None, end: date, skipped: int) -> str:
    message = f'Aucune écriture validée {_period(start, end)}.'
    if skipped:
        message += f' ({plural(skipped, "écriture")} sur un compte sans compte de trésorerie : reliez-le d’abord.)'
    return message


def skipped_sentence(skipped: int) -> str:
    if skipped == 1:
        return '1 écriture validée sur un compte sans compte de trésorerie n’a pas été exportée.'
    return f'{skipped} écritures validées sur un compte sans compte de trésorerie n’ont pas été exportées.'


def record_export(
    session: Session,
    client: Client,
    *,
    kind: str,
    lines: list[fec.FecLine],
    start: date | None,
    end: date,
    skipped: int,
    actor: Actor | None = None,
) -> None:
    """« FEC au 31/12/2026, 42 écritures » in the firm's journal; the command line has no actor and signs « cli »."""
    period = f'du {day(start)} au {day(end)}' if start else f'au {day(end)}'
    detail = f'{KIND_LABELS[kind]} {period}, {plural(totals(lines).entries, "écriture")}'
    if skipped:
        detail += f', {skipped} non exportée{"s" if skipped > 1 else ""} (sans compte de trésorerie)'
    audit.record(
        session,
        'ventilation.exported',
        actor=actor,
        actor_email=None if actor else 'cli',
        firm_id=None if actor else client.firm_id,
        target_type='client',
        target_id=client.id,
        detail=detail,
    )


def check_period(start: date | None, end: date) -> None:
    if start is not None and start > end:
        raise InvalidInput({'start': 'La date de début doit précéder la date de clôture.'})


def render(kind: str, client: Client, lines: list[fec.FecLine], end: date) -> ExportFile:
    stem = fec.file_name(client.siren, end).removesuffix('.txt')
    if kind == 'fec':
        content = fec.write_fec(lines)
        problems = fec_rules.violations(fec.read_fec(content), closing=end)  # the file as the DGFiP will read it
        if problems:
            raise DomainError(fec_rules.summary(problems))
        return ExportFile(f'{stem}.txt', content, fec.MEDIA_TYPE)
    if kind == 'csv':
        return ExportFile(f'{stem}.csv', write_csv(lines), CSV_MEDIA_TYPE)
    return ExportFile(f'{stem}.xlsx', write_xlsx(lines), XLSX_MEDIA_TYPE)


def export(actor: Actor, client_id: int, *, kind: str, end: date, start: date | None = None) -> ExportFile:
    """The file's validated entries up to ``end`` (from ``start``) as a FEC, a CSV or an XLSX; journaled."""
    if kind not in KIND_LABELS:
        raise InvalidInput({'kind': 'Format d’export inconnu : FEC, CSV ou Excel.'})
    check_period(start, end)
    with db.session_scope() as session:
        client = ventilation_access.client_file(session, actor, client_id, 'ventilation.export')
        lines = fec_lines(session, client, start=start, end=end)
        skipped = skipped_entries(session, client, start=start, end=end)
        if not lines:
            raise DomainError(nothing_to_export(start, end, skipped))
        file = render(kind, client, lines, end)
        record_export(session, client, kind=kind, lines=lines, start=start, end=end, skipped=skipped, actor=actor)
    return file
