"""The firm exports a client file's validated entries as a FEC, a CSV and an XLSX, and reads each file back."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from services import db, ventilation_export
from services.banking_models import BankAccount, Transaction
from services.demo_people import PREPARER_EMAIL
from services.errors import DomainError, Forbidden, NotFound
from services.formats import fec
from services.ledger import LineInput
from services.models import AuditEvent, Client
from services.permissions import Actor
from services.ventilation_models import ClientAccount
from tests import ventilation_world
from tests.actors import sign_in

CLOSING = date(2026, 12, 31)
# The demo ventilates AGA COMPTA itself (services.demo_ventilation): these stories use a file whose books start empty.
FILE = 'Boulangerie Dupont'
EDF, BOULANGERIE, ORANGE = 0, 2, 3  # positions in ventilation_world.NOVEMBER
DATE_FIELDS = ('EcritureDate', 'PieceDate', 'DateLet', 'ValidDate')


def validated_world(actor: Actor, count: int = 12, lines: dict[int, list[LineInput]] | None = None):
    """The file's November; the first ``count`` entries validated (lines by position, else 606/706 without VAT)."""
    world = ventilation_world.build(FILE)
    ids = ventilation_world.entry_ids(world.account_id)
    by_id = {ids[position]: value for position, value in (lines or {}).items()}
    ventilation_world.validate_directly(ids[:count], by_id, user_id=actor.user_id)
    return world, ids


def export_fec(actor: Actor, world, **period) -> ventilation_export.ExportFile:
    return ventilation_export.export(actor, world.client_id, kind='fec', end=period.pop('end', CLOSING), **period)


def by_entry(records: list[dict[str, str]]) -> dict[int, list[dict[str, str]]]:
    entries = defaultdict(list)
    for record in records:
        entries[int(record['EcritureNum'])].append(record)
    return entries


def siren_of(client_id: int) -> str:
    with db.session_scope() as session:
        return session.get(Client, client_id).siren


def test_the_file_starts_with_the_18_field_names_and_every_record_has_18_fields(admin):
    world, _ = validated_world(admin)
    records = export_fec(admin, world).content.split(b'\r\n')
    assert records[0].decode(fec.ENCODING).split('\t') == list(fec.FIELDS)
    assert [len(record.split(b'\t')) for record in records] == [18] * len(records)


def test_records_are_separated_by_crlf_and_no_bare_line_feed_hides_in_the_file(admin):
    world, _ = validated_world(admin)
    content = export_fec(admin, world).content
    assert len(content.split(b'\r\n')) == 1 + 24  # the header, then a bank line and an account line per entry
    assert b'\n' not in content.replace(b'\r\n', b'') and b'\r' not in content.replace(b'\r\n', b'')


def test_dates_are_aaaammjj_and_amounts_have_a_decimal_comma_without_thousands_separator(admin):
    world, _ = validated_world(admin)
    records = fec.read_fec(export_fec(admin, world).content)
    assert all(
        re.fullmatch(r'\d{8}', r[field]) for r in records for field in ('EcritureDate', 'PieceDate', 'ValidDate')
    )
    assert all(re.fullmatch(r'\d+,\d\d', r[field]) for r in records for field in ('Debit', 'Credit'))
    urssaf = [r for r in records if r['EcritureLib'] == 'PRLV SEPA URSSAF RHONE ALPES']
    assert {(r['CompteNum'], r['Debit'], r['Credit'], r['EcritureDate']) for r in urssaf} == {
        ('606000', '1250,00', '0,00', '20261114'),
        ('512001', '0,00', '1250,00', '20261114'),
    }


def test_each_entry_balances_and_entries_are_numbered_1_to_n_without_gap_in_date_order(admin):
    world, _ = validated_world(admin)
    records = fec.read_fec(export_fec(admin, world).content)
    entries = by_entry(records)
    assert list(entries) == list(range(1, 13))  # in the file's order, first appearance of each number
    for lines in entries.values():
        assert sum(fec.parse_amount(r['Debit']) for r in lines) == sum(fec.parse_amount(r['Credit']) for r in lines)
        assert len({r['EcritureDate'] for r in lines}) == 1
    dates = [entries[number][0]['EcritureDate'] for number in entries]
    assert dates == sorted(dates)
    assert {r['JournalCode'] for r in records} == {'BQ1'} and {r['JournalLib'] for r in records} == {'Banque n°1'}


def test_the_file_is_named_after_the_siren_and_the_closing_date(admin):
    world, _ = validated_world(admin)
    exported = export_fec(admin, world)
    assert exported.name == f'{siren_of(world.client_id)}FEC20261231.txt'
    assert exported.media_type == 'text/plain; charset=iso-8859-15'


def test_each_entry_refers_to_its_transaction_and_to_the_paris_day_it_was_validated(admin):
    world = ventilation_world.build(FILE)
    ids = ventilation_world.entry_ids(world.account_id)
    late_evening = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # already 1 December in Paris
    ventilation_world.validate_directly([ids[EDF]], user_id=admin.user_id, at=late_evening)
    records = fec.read_fec(export_fec(admin, world).content)
    assert {(r['PieceRef'], r['PieceDate'], r['ValidDate']) for r in records} == {
        (f'OP{ids[EDF]}', '20261103', '20261201')
    }


def test_vat_goes_to_44566_on_money_out_and_to_44571_on_money_in(admin):
    lines = {
        EDF: [LineInput('606100', 'Fournitures non stockables', 'EDF novembre', -12_000, 2000)],
        BOULANGERIE: [LineInput('706000', 'Prestations de services', 'Facture 2026-118', 180_000, 2000)],
    }
    world, _ = validated_world(admin, lines=lines)
    entries = by_entry(fec.read_fec(export_fec(admin, world).content))
    amounts = {n: {(r['CompteNum'], r['Debit'], r['Credit']) for r in entries[n]} for n in (1, 3)}
    assert amounts[1] == {('512001', '0,00', '120,00'), ('606100', '100,00', '0,00'), ('44566', '20,00', '0,00')}
    assert amounts[3] == {('512001', '1800,00', '0,00'), ('706000', '0,00', '1500,00'), ('44571', '0,00', '300,00')}


def test_an_auxiliary_account_is_written_under_its_collective(admin):
    world = ventilation_world.build(FILE)
    with db.session_scope() as session:
        session.add(ClientAccount(client_id=world.client_id, number='401EDF', label='EDF', collective='401'))
    ids = ventilation_world.entry_ids(world.account_id)
    edf = {ids[EDF]: [LineInput('401EDF', 'EDF', 'EDF échéance de novembre', -12_000)]}
    ventilation_world.validate_directly([ids[EDF]], edf, user_id=admin.user_id)
    records = fec.read_fec(export_fec(admin, world).content)
    columns = ('CompteNum', 'CompteLib', 'CompAuxNum', 'CompAuxLib', 'EcritureLib')
    assert [tuple(r[c] for c in columns) for r in records] == [
        ('512001', 'Banque n°1', '', '', 'PRLV SEPA EDF CLIENTS PARTICULIERS ECH/031126'),
        ('401', 'Fournisseurs', '401EDF', 'EDF', 'EDF échéance de novembre'),
    ]


def test_the_period_keeps_the_entries_from_start_to_end_and_numbers_them_from_1(admin):
    world, _ = validated_world(admin)
    until_10 = fec.read_fec(export_fec(admin, world, end=date(2026, 11, 10)).content)
    assert sorted({r['EcritureDate'] for r in until_10}) == [
        '20261103',
        '20261104',
        '20261105',
        '20261106',
        '20261107',
        '20261110',
    ]
    window = fec.read_fec(export_fec(admin, world, start=date(2026, 11, 5), end=date(2026, 11, 10)).content)
    assert sorted({r['EcritureDate'] for r in window}) == ['20261105', '20261106', '20261107', '20261110']
    assert list(by_entry(window)) == [1, 2, 3, 4]


def test_entries_not_validated_stay_out_of_the_file(admin):
    world, _ = validated_world(admin, count=3)
    assert list(by_entry(fec.read_fec(export_fec(admin, world).content))) == [1, 2, 3]


def test_an_export_without_validated_entry_says_so(admin):
    world = ventilation_world.build(FILE)
    with pytest.raises(DomainError) as refused:
        export_fec(admin, world)
    assert str(refused.value) == 'Aucune écriture validée jusqu’au 31/12/2026.'


def test_a_start_after_the_end_is_refused(admin):
    world, _ = validated_world(admin)
    with pytest.raises(DomainError) as refused:
        export_fec(admin, world, start=date(2027, 1, 1))
    assert str(refused.value) == 'La date de début doit précéder la date de clôture.'


def test_entries_of_an_account_without_treasury_account_are_left_out_and_counted(admin):
    world, _ = validated_world(admin)
    loose = ventilation_world.build(FILE, account_number=2)
    with db.session_scope() as session:
        account = session.get(BankAccount, loose.account_id)
        account.treasury_account_id = None
        session.add(account)
    ventilation_world.validate_directly(ventilation_world.entry_ids(loose.account_id), user_id=admin.user_id)
    assert len(by_entry(fec.read_fec(export_fec(admin, world).content))) == 12
    with db.session_scope() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == 'ventilation.exported')).one()
    assert event.detail == 'FEC au 31/12/2026, 12 écritures, 12 non exportées (sans compte de trésorerie)'


def test_the_export_is_written_in_the_firms_audit_journal(admin):
    world, _ = validated_world(admin)
    export_fec(admin, world, start=date(2026, 11, 1))
    with db.session_scope() as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == 'ventilation.exported')).one()
    assert (event.actor_email, event.firm_id, event.target_type, event.target_id) == (
        'admin@cabinet-demo.fr',
        admin.firm_id,
        'client',
        str(world.client_id),
    )
    assert event.detail == 'FEC du 01/11/2026 au 31/12/2026, 12 écritures'


def test_the_collaborator_assigned_to_the_file_may_export_it(admin, collaborator):
    world, _ = validated_world(admin)
    assert export_fec(collaborator, world).content.startswith(b'JournalCode\t')


def test_a_collaborator_not_assigned_to_the_file_finds_no_such_file(admin):
    world, _ = validated_world(admin)
    with pytest.raises(NotFound):
        export_fec(sign_in('claire.bernard@cabinet-demo.fr'), world)


def test_a_preparer_may_not_export_the_books(admin):
    world, _ = validated_world(admin)
    with pytest.raises(Forbidden):
        export_fec(sign_in(PREPARER_EMAIL), world)


def test_an_entry_in_another_currency_says_which_one(admin):
    world, ids = validated_world(admin, count=1)
    with db.session_scope() as session:
        transaction = session.get(Transaction, ids[EDF])
        transaction.currency = 'USD'
        session.add(transaction)
    records = fec.read_fec(export_fec(admin, world).content)
    assert {(r['CompteNum'], r['Montantdevise'], r['Idevise']) for r in records} == {
        ('512001', '-120,00', 'USD'),
        ('606000', '120,00', 'USD'),
    }


def fec_rows(admin: Actor, world) -> list[list[str]]:
    return [list(record.values()) for record in fec.read_fec(export_fec(admin, world).content)]


def test_the_csv_holds_the_fec_rows_for_french_excel(admin):
    world, _ = validated_world(admin)
    exported = ventilation_export.export(admin, world.client_id, kind='csv', end=CLOSING)
    assert exported.content.startswith(b'\xef\xbb\xbf') and exported.name.endswith('FEC20261231.csv')
    header, *rows = csv.reader(io.StringIO(exported.content.decode('utf-8-sig')), delimiter=';')
    assert header == list(fec.FIELDS)
    dates = [fec.FIELDS.index(name) for name in DATE_FIELDS]
    as_fec = [[c if i not in dates or not c else f'{c[6:]}{c[3:5]}{c[:2]}' for i, c in enumerate(r)] for r in rows]
    assert rows[0][3] == '03/11/2026'
    assert as_fec == fec_rows(admin, world)


AMOUNT_FIELDS = [fec.FIELDS.index(name) for name in ('Debit', 'Credit', 'Montantdevise')]


def xlsx_text(index: int, value: object) -> str:
    """A cell of the sheet as the FEC writes it."""
    if value is None:
        return ''
    if isinstance(value, datetime):
        return value.strftime('%Y%m%d')
    if index in AMOUNT_FIELDS:
        return fec.amount_text(round(value * 100))
    return str(value)


def test_the_xlsx_holds_the_fec_rows_with_real_dates_and_numbers(admin):
    world, _ = validated_world(admin)
    exported = ventilation_export.export(admin, world.client_id, kind='xlsx', end=CLOSING)
    sheet = load_workbook(io.BytesIO(exported.content))['Écritures']
    header, *rows = sheet.iter_rows(values_only=True)
    assert list(header) == list(fec.FIELDS) and sheet['A1'].font.b and sheet.freeze_panes == 'A2'
    assert isinstance(sheet['D2'].value, datetime) and sheet['M2'].number_format == '#,##0.00'
    assert sheet.column_dimensions['K'].width > len('EcritureLib')
    assert [[xlsx_text(i, value) for i, value in enumerate(row)] for row in rows] == fec_rows(admin, world)


def test_a_label_that_looks_like_a_formula_stays_text_in_csv_and_xlsx(admin):
    world, _ = validated_world(admin, count=1, lines={EDF: [LineInput('606000', 'Achats', '=1+1', -12_000)]})
    exported = ventilation_export.export(admin, world.client_id, kind='csv', end=CLOSING)
    assert "'=1+1" in exported.content.decode('utf-8-sig')
    workbook = ventilation_export.export(admin, world.client_id, kind='xlsx', end=CLOSING)
    cell = load_workbook(io.BytesIO(workbook.content))['Écritures']['K3']
    assert (cell.value, cell.data_type) == ('=1+1', 's')
