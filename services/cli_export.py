"""`relais export-fec`: the FEC of a client file's validated entries, written into a folder, for the firm's batch work.

The command acts as the operator (no signed-in user, like `relais import`): it finds the file by its SIREN (and the
firm's SIREN when two firms hold a file of that SIREN), builds the records with services.ventilation_export and signs
the journal « cli ». The file is written whole or not at all (a temporary file renamed over the target), and the
export is journaled only once the file is written.
"""

from __future__ import annotations

import argparse
import os
import re
import tempfile
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from services import db, outbound, ventilation_export
from services.errors import DomainError
from services.formatting import money
from services.models import Client, Firm


def add_parser(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser('export-fec', help='écrit le FEC des écritures validées d’un dossier client')
    command.add_argument('--client', required=True, metavar='SIREN', help='SIREN du dossier client')
    command.add_argument('--end', required=True, metavar='AAAA-MM-JJ', help='date de clôture (incluse)')
    command.add_argument('--out', required=True, type=Path, metavar='DOSSIER', help='dossier où écrire le fichier')
    command.add_argument('--start', metavar='AAAA-MM-JJ', help='première date (sinon : tout jusqu’à la clôture)')
    command.add_argument('--firm-siren', metavar='SIREN', help='SIREN du cabinet, si deux cabinets ont ce dossier')


def _day(text: str, option: str) -> date:
    try:
        if not re.fullmatch(r'\d{4}-\d{2}-\d{2}', text.strip()):
            raise ValueError
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(
            f'{option} « {text} » : date illisible, AAAA-MM-JJ attendu (par exemple 2026-12-31).'
        ) from None


def find_client(session: Session, siren: str, firm_siren: str | None) -> Client:
    query = select(Client).join(Firm, Firm.id == Client.firm_id).where(Client.siren == siren)
    if firm_siren:
        query = query.where(Firm.siren == firm_siren)
    clients = session.exec(query).all()
    if not clients:
        firm = f' dans le cabinet de SIREN {firm_siren}' if firm_siren else ''
        raise DomainError(f'Aucun dossier client de SIREN {siren}{firm}.')
    if len(clients) > 1:
        raise DomainError(
            f'Plusieurs cabinets ont un dossier de SIREN {siren} : précisez le cabinet avec --firm-siren.'
        )
    return clients[0]


def _write(folder: Path, name: str, content: bytes) -> Path:
    """Whole or not at all: a half-written FEC must never be left where a batch would pick it up."""
    temporary = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f'.{name}.', delete=False) as handle:
            temporary = Path(handle.name)
            handle.write(content)
        os.replace(temporary, folder / name)
    except OSError as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise DomainError(f'impossible d’écrire dans {folder} ({outbound.file_sentence(error)}).') from None
    return folder / name


def run(args: argparse.Namespace) -> int:
    end = _day(args.end, '--end')
    start = _day(args.start, '--start') if args.start else None
    ventilation_export.check_period(start, end)
    with db.session_scope() as session:
        client = find_client(session, args.client.strip(), (args.firm_siren or '').strip() or None)
        lines = ventilation_export.fec_lines(session, client, start=start, end=end)
        skipped = ventilation_export.skipped_entries(session, client, start=start, end=end)
        if not lines:
            raise DomainError(ventilation_export.nothing_to_export(start, end, skipped))
        file = ventilation_export.render('fec', client, lines, end)
        path = _write(args.out, file.name, file.content)
        ventilation_export.record_export(
            session, client, kind='fec', lines=lines, start=start, end=end, skipped=skipped
        )
    total = ventilation_export.totals(lines)
    entries = ventilation_export.plural(total.entries, 'écriture')
    records = ventilation_export.plural(total.lines, 'ligne')
    print(f'{path} : {entries}, {records}, débit = crédit = {money(total.debit_cents)}')
    if skipped:
        print(f'  ! {ventilation_export.skipped_sentence(skipped)}')
    return 0
