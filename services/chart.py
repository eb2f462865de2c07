"""The chart of accounts of a client file: the standard French PCG, searchable, plus the file's own accounts.

Where the list comes from (``services/data/pcg.csv``, ``number;label``, UTF-8, 851 accounts of 2 to 5 digits):

- classes 1 to 7: the « PCG25-DEV » chart of Dolibarr, repository Dolibarr/dolibarr, file
  ``htdocs/install/mysql/data/llx_accounting_account_fr.sql`` (GPL-3.0-or-later). It is the PCG of règlement ANC
  n° 2014-03 as amended by règlement ANC n° 2022-06 (mandatory for financial years opened from 1 January 2025): no
  transfer-of-charges accounts 79x, 604 « Achats d'études et prestations de services », 657/757 and 667/767 for
  disposals, 67 reduced to 672 and 678, 5121 « Comptes en euros »… Rows marked inactive there (472, 473) and the
  class headings (1 to 7, not accounts) are left out. Labels that are instructions in the regulation were shortened
  to the account's name (36, 38, 608, 672, 772); the 6163x sub-accounts got their full name (« Assurance transport
  sur achats » for « sur achats ») so that a search finds them; « Fourniture de bureau », « Malis sur emballage »
  and « Charges à Payer » were corrected to the plural / lower case of the regulation.
- class 8 (80 engagements, 88, 89 bilan): not in that chart; taken from the French PCG of phpcompta/Noalyss
  (gitGNU/gnu_noalyss, tmp_pcmn data, GPL-2.0-or-later), the same numbers and labels as the PCG 2014.

Checked against a second source, Odoo's l10n_fr chart template (odoo/odoo, addons/l10n_fr, LGPL-3): 411, 44566,
44571, 5121, 6061, 6226, 6256, 626, 6271, 6272, 706 and 707 have the same numbers and the same or equivalent labels
(Odoo says « TVA déductible sur autres biens et services » where the PCG says « TVA sur autres biens et services »);
401 also in Noalyss's list. Every number of more than two digits extends a shorter number of the list.

Own accounts (``ClientAccount``) extend a PCG account (« 6061001 ») or are auxiliary accounts of a collective
(« 401EDF » under 401, « 411DUPONT » under 411); they never take a PCG number, so a number means one account only.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlmodel import Session, select

from services import audit, db, ventilation_access
from services.errors import DomainError, InvalidInput, NotFound
from services.permissions import Actor, can
from services.text import search_key
from services.ventilation_models import Allocation, AllocationLine, ClientAccount

PCG_FILE = Path(__file__).parent / 'data' / 'pcg.csv'
COLLECTIVES = {'401': 'Fournisseurs', '411': 'Clients'}
# With nothing typed: the accounts a small company's bank movements usually go to — expenses and sales first (most
# lines of a bank account), then suppliers, customers, staff, social and VAT accounts, partners and transfers.
COMMON = (
    '6061', '6063', '6064', '607', '611', '6132', '615', '616', '6226', '6231', '6251', '6256', '626', '627',
    '6281', '635', '641', '645', '661', '706', '707', '708', '401', '411', '421', '431', '44566', '44571', '455',
    '58',
)  # fmt: skip
IN_USE = 'Ce compte est utilisé par des écritures : il ne peut pas être supprimé.'
IN_USE_CHANGE = 'Ce compte est utilisé par des écritures : seul son intitulé peut changer.'
DUPLICATE = 'Ce numéro de compte existe déjà dans le dossier.'
LABEL_MAX = 120
_WORD = re.compile(r'\w+')


class AccountInUse(DomainError):
    def __init__(self) -> None:
        super().__init__(IN_USE)


@dataclass(frozen=True)
class AccountChoice:
    number: str
    label: str
    own: bool


@dataclass(frozen=True)
class OwnAccount:
    id: int
    number: str
    label: str
    collective: str | None


@dataclass(frozen=True)
class OwnChart:
    client_name: str
    accounts: list[OwnAccount]
    may_edit: bool  # may add, rename and delete accounts ('ventilation.rules')


@dataclass(frozen=True, slots=True)
class _Entry:
    """An account with its search keys computed once."""

    number: str
    label: str
    own: bool
    number_key: str
    words: tuple[str, ...]

    def matches(self, tokens: list[str]) -> bool:
        """Every token starts the number (« 606 ») or, unless it is all digits, one word of the label (« fourn »)."""
        return all(
            self.number_key.startswith(t) or (not t.isdigit() and any(w.startswith(t) for w in self.words))
            for t in tokens
        )


def _key(text: str) -> str:
    return search_key(text).replace('œ', 'oe').replace('æ', 'ae')


def _entry(number: str, label: str, *, own: bool) -> _Entry:
    return _Entry(number, label, own, number.lower(), tuple(_WORD.findall(_key(label))))


@dataclass(frozen=True)
class _Standard:
    entries: tuple[_Entry, ...]  # by number
    labels: dict[str, str]
    common: tuple[_Entry, ...]


@cache
def _standard() -> _Standard:
    """The PCG, read once per process."""
    with PCG_FILE.open(encoding='utf-8', newline='') as handle:
        rows = list(csv.reader(handle, delimiter=';'))[1:]
    entries = tuple(sorted((_entry(number, label, own=False) for number, label in rows), key=lambda e: e.number))
    by_number = {e.number: e for e in entries}
    return _Standard(entries, {e.number: e.label for e in entries}, tuple(by_number[n] for n in COMMON))


def pcg_label(number: str) -> str | None:
    return _standard().labels.get(number)


def _pick(own: list[_Entry], text: str, limit: int) -> list[AccountChoice]:
    """Own accounts first, then the PCG, each by number; with no text, own accounts then ``COMMON``."""
    tokens = _WORD.findall(_key(text))
    if tokens:
        found = [e for e in own if e.matches(tokens)]
        for entry in _standard().entries:
            if len(found) >= limit:
                break
            if entry.matches(tokens):
                found.append(entry)
    else:
        found = own + list(_standard().common)
    return [AccountChoice(e.number, e.label, e.own) for e in found[:limit]]


def search_standard(text: str, *, limit: int = 30) -> list[AccountChoice]:
    """The PCG alone (public data: no file, no rights)."""
    return _pick([], text, limit)


def _own_rows(session: Session, client_id: int) -> list[ClientAccount]:
    query = select(ClientAccount).where(ClientAccount.client_id == client_id).order_by(ClientAccount.number)
    return list(session.exec(query))


def search_accounts(actor: Actor, client_id: int, text: str, *, limit: int = 30) -> list[AccountChoice]:
    """Accounts whose number starts with, or whose label has words starting with, what was typed."""
    with db.session_scope() as session:
        ventilation_access.client_file(session, actor, client_id, 'ventilation.view')
        own = [_entry(a.number, a.label, own=True) for a in _own_rows(session, client_id)]
    return _pick(own, text, limit)


def account_label(session: Session, client_id: int, number: str) -> str | None:
    """The label of an account of the file, or None. The PCG is looked up first: no own account takes a PCG number,
    so the answer is the same, and standard accounts (most lines) cost no query."""
    label = pcg_label(number)
    if label is not None:
        return label
    query = select(ClientAccount.label).where(ClientAccount.client_id == client_id, ClientAccount.number == number)
    return session.exec(query).first()


def is_known(session: Session, client_id: int, number: str) -> bool:
    return account_label(session, client_id, number) is not None


def _own_account(row: ClientAccount) -> OwnAccount:
    return OwnAccount(row.id, row.number, row.label, row.collective)


def list_own_accounts(actor: Actor, client_id: int) -> list[OwnAccount]:
    with db.session_scope() as session:
        ventilation_access.client_file(session, actor, client_id, 'ventilation.view')
        return [_own_account(row) for row in _own_rows(session, client_id)]


def own_chart(actor: Actor, client_id: int) -> OwnChart:
    """What the « Plan comptable » page shows of the file."""
    with db.session_scope() as session:
        client = ventilation_access.client_file(session, actor, client_id, 'ventilation.view')
        accounts = [_own_account(row) for row in _own_rows(session, client_id)]
        return OwnChart(client.legal_name, accounts, can(actor, 'ventilation.rules'))


def _is_used(session: Session, client_id: int, number: str) -> bool:
    """Whether a line of an allocation of this file is on ``number``."""
    query = (
        select(AllocationLine.id)
        .join(Allocation, Allocation.transaction_id == AllocationLine.transaction_id)
        .where(Allocation.client_id == client_id, AllocationLine.account_number == number)
        .limit(1)
    )
    return session.exec(query).first() is not None


def _number_problem(number: str, collective: str | None) -> str | None:
    """What is wrong with the shape of a number, or None."""
    if not number:
        return 'Saisissez le numéro du compte.'
    if not 3 <= len(number) <= 20:
        return 'Le numéro compte de 3 à 20 caractères.'
    if not (number.isascii() and number.isalnum()):
        return 'Le numéro ne contient que des chiffres et des lettres, sans espace ni signe.'
    if number[0] not in '12345678':
        return 'Le numéro commence par le chiffre de sa classe, de 1 à 8.'
    if collective is not None and not number.startswith(collective):
        return f'Un compte auxiliaire du collectif {collective} commence par {collective} (ex. {collective}DUPONT).'
    if collective is None and not number.isdigit():
        return (
            'Un compte général ne contient que des chiffres ; '
            'pour un fournisseur ou un client, choisissez son compte collectif.'
        )
    if pcg_label(number) is not None:
        return (
            'Ce numéro est celui d’un compte du plan comptable général : '
            f'créez plutôt un sous-compte (par exemple {number}001).'
        )
    if not any(pcg_label(number[:size]) for size in range(2, len(number))):
        return 'Ce numéro ne prolonge aucun compte du plan comptable général (par exemple 6061001 prolonge 6061).'
    return None


def _validated(
    session: Session, client_id: int, existing: ClientAccount | None, number: str, label: str, collective: str | None
) -> tuple[str, str, str | None]:
    """The cleaned number, label and collective, or InvalidInput with a French message per field."""
    number, label, collective = number.strip().upper(), ' '.join(label.split()), (collective or '').strip() or None
    errors: dict[str, str] = {}
    if collective is not None and collective not in COLLECTIVES:
        errors['collective'] = 'Choisissez 401 Fournisseurs, 411 Clients ou aucun compte collectif.'
        collective = None
    problem = _number_problem(number, collective)
    if problem is None:
        same = select(ClientAccount.id).where(ClientAccount.client_id == client_id, ClientAccount.number == number)
        if any(found != (existing.id if existing else None) for found in session.exec(same)):
            problem = DUPLICATE
    if problem is None and existing is not None and (number, collective) != (existing.number, existing.collective):
        problem = IN_USE_CHANGE if _is_used(session, client_id, existing.number) else None
    if problem:
        errors['number'] = problem
    if not label:
        errors['label'] = 'Saisissez l’intitulé du compte.'
    elif len(label) > LABEL_MAX:
        errors['label'] = f'L’intitulé compte {LABEL_MAX} caractères au plus.'
    if errors:
        raise InvalidInput(errors)
    return number, label, collective


def _owned(session: Session, client_id: int, account_id: int) -> ClientAccount:
    row = session.get(ClientAccount, account_id)
    if row is None or row.client_id != client_id:
        raise NotFound('Compte')
    return row


def save_own_account(
    actor: Actor,
    client_id: int,
    *,
    number: str,
    label: str,
    collective: str | None = None,
    account_id: int | None = None,
) -> OwnAccount:
    """Add an account to the file's chart, or change one (its number and collective only while no line uses it)."""
    with db.session_scope() as session:
        ventilation_access.client_file(session, actor, client_id, 'ventilation.rules')
        row = _owned(session, client_id, account_id) if account_id is not None else None
        number, label, collective = _validated(session, client_id, row, number, label, collective)
        what = 'modifié' if row else 'ajouté'
        row = row or ClientAccount(client_id=client_id, number=number, label=label)
        row.number, row.label, row.collective = number, label, collective
        session.add(row)
        session.flush()
        detail = f'{number} — {label} ({what})'
        audit.record(
            session, 'ventilation.account_saved', actor=actor, target_type='client', target_id=client_id, detail=detail
        )
        return _own_account(row)


def delete_own_account(actor: Actor, client_id: int, account_id: int) -> None:
    """Remove an account no allocation line uses (lines keep their number: removing it would orphan them)."""
    with db.session_scope() as session:
        ventilation_access.client_file(session, actor, client_id, 'ventilation.rules')
        row = _owned(session, client_id, account_id)
        if _is_used(session, client_id, row.number):
            raise AccountInUse()
        detail = f'{row.number} — {row.label}'
        session.delete(row)
        action = 'ventilation.account_deleted'
        audit.record(session, action, actor=actor, target_type='client', target_id=client_id, detail=detail)
