"""camt.05x as banks write them: batches, several NtryDtls blocks, foreign currencies, ISO 4217 units, balances only.

The shapes come from public material, the parties and amounts are made up (valid IBANs):
- the ISO 20022 camt.053.001.02 schema (/work/shared/schemas, genkgo/camt @ c99e4fe3 : assets/): ``NtryDtls`` 0..n,
  each with an optional ``Btch`` (NbOfTxs, TtlAmt, CdtDbtInd) and ``TxDtls`` 0..n, ``AmtDtls`` (InstdAmt, TxAmt,
  CntrValAmt) on the entry and on each transaction, ``CdtDbtInd`` on ``TxDtls`` only from version .03 on;
- the Swiss Implementation Guidelines for camt.052/053/054 (SIX, version 1.7.1, § batch booking): a collective entry
  whose transactions the camt.053 details, or leaves to a camt.054 (``Btch/NbOfTxs`` and no ``TxDtls``);
- genkgo/camt @ c567a44b : test/data/camt054.v2.xml: a camt.054 without balances nor ``Acct/Ccy`` whose four
  ``TxDtls`` carry no amount;
- the CFONB « Guide d'utilisation du standard ISO 20022 pour des relevés d'opérations camt.054 » (v1.4, 2022);
- ISO 20022's CurrencyAmount rule: no more decimals than ISO 4217 gives the currency.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.formats import FormatError, parse_file
from services.formats.camt import parse
from services.formats.model import AccountId

D = Decimal
IBAN = 'FR7630004008230001024567863'
ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:{version}">
 <{message}>
  <GrpHdr><MsgId>BNPP-{version}-0313</MsgId><CreDtTm>2026-03-13T05:42:11</CreDtTm></GrpHdr>
  <{report}>
   <Id>20260312-0001024567863</Id><CreDtTm>2026-03-13T05:42:11</CreDtTm>
   <Acct><Id><IBAN>{iban}</IBAN></Id>{currency}<Svcr><FinInstnId><BIC>BNPAFRPPXXX</BIC></FinInstnId></Svcr></Acct>
{body}
  </{report}>
 </{message}>
</Document>
"""
MESSAGES = {
    'camt.053.001.02': ('BkToCstmrStmt', 'Stmt'),
    'camt.053.001.08': ('BkToCstmrStmt', 'Stmt'),
    'camt.052.001.08': ('BkToCstmrAcctRpt', 'Rpt'),
    'camt.054.001.04': ('BkToCstmrDbtCdtNtfctn', 'Ntfctn'),
}


def camt(body: str, version: str = 'camt.053.001.02', currency: str = '<Ccy>EUR</Ccy>') -> bytes:
    message, report = MESSAGES[version]
    xml = ENVELOPE.format(version=version, message=message, report=report, iban=IBAN, currency=currency, body=body)
    return xml.encode()


def balance(code: str, amount: str, sign: str = 'CRDT', day: str = '2026-03-12') -> str:
    return (
        f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{amount}</Amt>'
        f'<CdtDbtInd>{sign}</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>'
    )


def entry(amount: str, sign: str | None, details: str = '', info: str = '', ccy: str = 'EUR', extra: str = '') -> str:
    indicator = f'<CdtDbtInd>{sign}</CdtDbtInd>' if sign else ''
    return (
        f'<Ntry><Amt Ccy="{ccy}">{amount}</Amt>{indicator}<Sts>BOOK</Sts>'
        '<BookgDt><Dt>2026-03-12</Dt></BookgDt><ValDt><Dt>2026-03-12</Dt></ValDt><AcctSvcrRef>0312CB4410</AcctSvcrRef>'
        f'<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>CCRD</Cd><SubFmlyCd>POSC</SubFmlyCd></Fmly></Domn></BkTxCd>{extra}'
        f'{details}<AddtlNtryInf>{info}</AddtlNtryInf></Ntry>'
    )


def tx(label: str, amount: str | None = None, amounts: str = 'TxAmt', name: str = '') -> str:
    held = f'<AmtDtls><{amounts}><Amt Ccy="EUR">{amount}</Amt></{amounts}></AmtDtls>' if amount else ''
    party = f'<RltdPties><Dbtr><Nm>{name}</Nm></Dbtr></RltdPties>' if name else ''
    return f'<TxDtls>{held}{party}<RmtInf><Ustrd>{label}</Ustrd></RmtInf></TxDtls>'


def batch(count: int, total: str, sign: str, *details: str) -> str:
    summary = f'<Btch><NbOfTxs>{count}</NbOfTxs><TtlAmt Ccy="EUR">{total}</TtlAmt><CdtDbtInd>{sign}</CdtDbtInd></Btch>'
    return f'<NtryDtls>{summary}{"".join(details)}</NtryDtls>'


def only(data: bytes, **options):
    (statement,) = parse(data, **options)
    return statement


# --- batches ----------------------------------------------------------------------------------------------------

# a card acquirer's daily settlement: the sales of the day credited, its commission debited, one net entry (980.00)
SETTLEMENT = entry(
    '980.00',
    'CRDT',
    batch(2, '1000.00', 'CRDT', tx('REMISE CB 11/03 TPE 1', '600.00'), tx('REMISE CB 11/03 TPE 2', '400.00'))
    + batch(1, '20.00', 'DBIT', tx('COMMISSION MONETIQUE MARS', '20.00')),
    'REMISE CARTES NETTE 11/03',
)


def test_a_settlement_in_two_batches_of_opposite_directions_is_split_into_sales_and_commission():
    statement = only(camt(balance('OPBD', '100.00') + balance('CLBD', '1080.00') + SETTLEMENT), strict=True)
    assert [(e.label, e.amount) for e in statement.entries] == [
        ('REMISE CB 11/03 TPE 1', D('600.00')),
        ('REMISE CB 11/03 TPE 2', D('400.00')),
        ('COMMISSION MONETIQUE MARS', D('-20.00')),
    ]
    assert statement.reconciles and statement.warnings == []


def test_a_transaction_s_own_indicator_beats_its_batch_s():
    """camt.053.001.08: a card remittance holding a refund, each ``TxDtls`` with its ``Amt`` and ``CdtDbtInd``."""
    details = (
        '<NtryDtls><Btch><NbOfTxs>2</NbOfTxs><CdtDbtInd>CRDT</CdtDbtInd></Btch>'
        '<TxDtls><Amt Ccy="EUR">120.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><RmtInf><Ustrd>VENTE 1</Ustrd></RmtInf></TxDtls>'
        '<TxDtls><Amt Ccy="EUR">20.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RmtInf><Ustrd>REMBT 2</Ustrd></RmtInf></TxDtls>'
        '</NtryDtls>'
    )
    statement = only(camt(entry('100.00', 'CRDT', details, 'REMISE CB'), 'camt.053.001.08'), strict=True)
    assert [e.amount for e in statement.entries] == [D('120.00'), D('-20.00')]


def test_several_transactions_in_each_of_several_blocks_are_all_split():
    details = batch(2, '30.00', 'DBIT', tx('CB A', '10.00'), tx('CB B', '20.00')) + batch(
        2, '7.00', 'DBIT', tx('CB C', '3.00'), tx('CB D', '4.00')
    )
    statement = only(camt(entry('37.00', 'DBIT', details, 'FACTURES CARTE')), strict=True)
    assert [(e.label, e.amount) for e in statement.entries] == [
        ('CB A', D('-10.00')),
        ('CB B', D('-20.00')),
        ('CB C', D('-3.00')),
        ('CB D', D('-4.00')),
    ]
    assert {e.reference for e in statement.entries} == {'0312CB4410'}


def test_a_batch_announcing_more_transactions_than_it_details_stays_one_entry():
    """Btch/NbOfTxs 3 and a single TxDtls: that one's label and payer are not the whole remittance's."""
    details = batch(3, '450.00', 'CRDT', tx('PRLV ADHERENT 0001', '150.00', name='M. DURAND'))
    statement = only(camt(entry('450.00', 'CRDT', details, 'REMISE PRLV SEPA 3 OPERATIONS')), strict=True)
    (remittance,) = statement.entries
    assert (remittance.label, remittance.amount, remittance.counterparty) == (
        'REMISE PRLV SEPA 3 OPERATIONS',
        D('450.00'),
        None,
    )
    assert remittance.details == ['Détail du lot — PRLV ADHERENT 0001 — M. DURAND — 150.00 EUR']


def test_a_batch_whose_transactions_carry_no_amount_stays_one_entry_and_is_not_a_departure():
    """genkgo/camt camt054.v2.xml: four TxDtls with references and parties only; strict mode accepts the file."""
    details = '<NtryDtls>' + tx('VIR FOURNISSEUR A') + tx('VIR FOURNISSEUR B') + '</NtryDtls>'
    (statement,) = parse_file(
        camt(entry('2000.00', 'DBIT', details, 'VIREMENTS GROUPES'), 'camt.054.001.04'), strict=True
    )
    (transfers,) = statement.entries
    assert (transfers.label, transfers.amount) == ('VIREMENTS GROUPES', D('-2000.00'))
    assert transfers.details == ['Détail du lot — VIR FOURNISSEUR A', 'Détail du lot — VIR FOURNISSEUR B']


def test_transactions_with_only_their_instructed_amount_are_split_by_it():
    """A direct-debit collection whose TxDtls give AmtDtls/InstdAmt only, in the account's currency."""
    details = batch(
        2, '80.00', 'CRDT', tx('COTISATION 0001', '50.00', 'InstdAmt'), tx('COTISATION 0002', '30.00', 'InstdAmt')
    )
    statement = only(camt(entry('80.00', 'CRDT', details, 'REMISE PRLV')), strict=True)
    assert [e.amount for e in statement.entries] == [D('50.00'), D('30.00')]


def test_a_batch_where_one_transaction_lacks_its_amount_stays_whole_with_a_warning():
    details = batch(2, '80.00', 'CRDT', tx('COTISATION 0001', '50.00'), tx('COTISATION 0002'))
    statement = only(camt(entry('80.00', 'CRDT', details, 'REMISE PRLV')))
    assert len(statement.entries) == 1
    assert statement.warnings == [
        'Stmt[1]/Ntry[1] : lot de 2 opérations gardé en une seule écriture : un détail n’a pas de montant'
    ]


# --- currencies and amounts -------------------------------------------------------------------------------------

COUNTER_VALUE = (
    '<AmtDtls><InstdAmt><Amt Ccy="USD">1000.00</Amt></InstdAmt><CntrValAmt><Amt Ccy="EUR">921.35</Amt>'
    '<CcyXchg><SrcCcy>USD</SrcCcy><TrgtCcy>EUR</TrgtCcy><XchgRate>0.92135</XchgRate></CcyXchg></CntrValAmt></AmtDtls>'
)


def test_an_entry_in_another_currency_is_booked_at_its_counter_value_in_the_account_s():
    statement = only(camt(entry('1000.00', 'DBIT', info='VIR INTERNATIONAL', ccy='USD', extra=COUNTER_VALUE)))
    (transfer,) = statement.entries
    assert transfer.amount == D('-921.35')
    assert (transfer.label, transfer.details) == ('VIR INTERNATIONAL', ['Montant d’origine 1000.00 USD (Amt)'])
    assert statement.warnings == [
        'Stmt[1]/Ntry[1] : écriture en USD (Amt) sur un compte en EUR, contre-valeur 921.35 EUR '
        '(AmtDtls/CntrValAmt/Amt) retenue'
    ]


def test_an_entry_in_another_currency_without_counter_value_is_never_booked_as_it_stands():
    data = camt(balance('OPBD', '100.00') + entry('1000.00', 'DBIT', info='VIR INTERNATIONAL', ccy='USD'))
    statement = only(data)
    assert statement.entries == []
    assert statement.warnings == [
        'Stmt[1]/Ntry[1] : montant en USD (Amt) sur un compte en EUR, sans contre-valeur (AmtDtls), écriture ignorée'
    ]
    with pytest.raises(FormatError, match='montant en USD') as refused:
        parse(data, strict=True)
    assert refused.value.where == 'Stmt[1]/Ntry[1]'


@pytest.mark.parametrize(
    ('amount', 'ccy', 'reason'),
    [
        ('12.345', 'EUR', 'montant Amt « 12.345 » : 3 décimales, 2 au plus en EUR (ISO 4217)'),
        ('1500.5', 'JPY', 'montant Amt « 1500.5 » : 1 décimale, aucune en JPY (ISO 4217)'),
    ],
)
def test_an_amount_with_more_decimals_than_its_currency_has_is_refused_naming_it(amount, ccy, reason):
    data = camt(entry(amount, 'DBIT', info='FRAIS', ccy=ccy), currency=f'<Ccy>{ccy}</Ccy>')
    with pytest.raises(FormatError) as refused:
        parse(data, strict=True)
    assert (refused.value.reason, refused.value.where) == (reason, 'Stmt[1]/Ntry[1]')
    assert only(data).warnings == [f'Stmt[1]/Ntry[1] : {reason}, écriture ignorée']


def test_zeros_past_the_currency_s_units_are_read_with_a_warning():
    statement = only(camt(entry('12.500', 'DBIT', info='FRAIS')))
    assert statement.entries[0].amount == D('-12.50')
    assert statement.warnings == [
        'Stmt[1]/Ntry[1] : montant Amt « 12.500 » écrit avec 3 décimales, 2 au plus en EUR (ISO 4217) : lu 12.50'
    ]


def test_a_balance_written_with_zeros_past_the_currency_s_units_is_read_with_a_warning_naming_it():
    statement = only(camt(balance('OPBD', '100.000') + balance('CLBD', '100.00')))
    assert statement.opening_balance == D('100.00')
    assert statement.warnings == [
        'Stmt[1]/Bal[1] : montant Amt « 100.000 » écrit avec 3 décimales, 2 au plus en EUR (ISO 4217) : lu 100.00'
    ]


def test_a_three_decimal_currency_keeps_its_three_decimals():
    statement = only(camt(entry('12.345', 'DBIT', info='FRAIS', ccy='TND'), currency='<Ccy>TND</Ccy>'), strict=True)
    assert statement.entries[0].amount == D('-12.345')


def test_a_decimal_comma_in_a_balance_is_refused_naming_the_balance():
    data = camt(balance('OPBD', '15230,45') + balance('CLBD', '15230.45'))
    with pytest.raises(FormatError, match='montant illisible « 15230,45 »') as refused:
        parse(data, strict=True)
    assert refused.value.where == 'Stmt[1]/Bal[1]'
    statement = only(data)
    assert (statement.opening_balance, statement.closing_balance) == (None, D('15230.45'))


def test_a_missing_credit_debit_indicator_is_named_as_missing():
    data = camt(entry('42.00', None, info='VIR RECU'))
    with pytest.raises(FormatError) as refused:
        parse(data, strict=True)
    assert (refused.value.reason, refused.value.where) == ('sens (CdtDbtInd) absent', 'Stmt[1]/Ntry[1]')


# --- balances and no balances -----------------------------------------------------------------------------------


def test_a_statement_of_balances_without_any_entry_gives_its_balances():
    """A day without movement: BNP Paribas still sends the account's OPBD and CLBD."""
    statement = only(camt(balance('OPBD', '2100.00', 'DBIT') + balance('CLBD', '2100.00', 'DBIT')), strict=True)
    assert statement.account == AccountId(iban=IBAN) and statement.entries == []
    assert (statement.opening_balance, statement.closing_balance) == (D('-2100.00'), D('-2100.00'))
    assert (statement.opening_date, statement.closing_date, statement.reconciles) == (
        date(2026, 3, 12),
        date(2026, 3, 12),
        True,
    )


@pytest.mark.parametrize(('version', 'kind'), [('camt.052.001.08', 'camt.052'), ('camt.054.001.04', 'camt.054')])
def test_a_report_or_notification_without_balances_nor_currency_gives_its_entries(version, kind):
    body = entry('64.99', 'DBIT', info='CB AMAZON', extra='').replace('<Sts>BOOK</Sts>', '<Sts><Cd>BOOK</Cd></Sts>')
    statement = only(camt(body, version, currency=''), strict=True)
    assert (statement.format, statement.currency, statement.reconciles) == (kind, 'EUR', None)
    assert [(e.label, e.amount) for e in statement.entries] == [('CB AMAZON', D('-64.99'))]


# --- the XML itself ---------------------------------------------------------------------------------------------


def test_a_dtd_is_refused_before_the_rest_of_the_file_is_read():
    hostile = camt(SETTLEMENT).replace(b'?>\n', b'?>\n<!DOCTYPE Document [<!ENTITY a "x">]>\n', 1) + b'<unclosed>'
    with pytest.raises(FormatError, match='DTD ou entités XML refusées'):
        parse(hostile)


def test_a_dtd_in_a_utf16_file_is_refused_too():
    text = camt(SETTLEMENT).decode().replace('UTF-8', 'UTF-16').replace('?>\n', '?>\n<!DOCTYPE Document>\n', 1)
    with pytest.raises(FormatError, match='DTD ou entités XML refusées'):
        parse(text.encode('utf-16'))


def test_a_utf16_statement_reads_as_its_utf8_twin():
    text = camt(balance('OPBD', '100.00') + SETTLEMENT).decode()
    assert parse(text.replace('UTF-8', 'UTF-16').encode('utf-16')) == parse(text.encode())


def test_a_statement_in_a_business_message_envelope_reads_as_without_it():
    """SWIFT's BizMsgEnvlp: an AppHdr (head.001) before the Document, each in its own default namespace."""
    data = camt(balance('OPBD', '100.00') + SETTLEMENT).decode()
    body = data.partition('?>\n')[2]
    wrapped = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<BizMsgEnvlp>\n'
        '<AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02">'
        '<MsgDefIdr>camt.053.001.02</MsgDefIdr></AppHdr>\n'
        f'{body}</BizMsgEnvlp>\n'
    )
    assert parse(wrapped.encode()) == parse(data.encode())


def test_an_unknown_entity_is_refused_naming_its_line():
    data = camt(entry('1.00', 'DBIT', info='FRAIS &nbsp; MARS'))
    with pytest.raises(FormatError, match='entité XML inconnue') as refused:
        parse(data)
    lines = data.decode().splitlines()
    assert refused.value.where == f'ligne {next(n for n, line in enumerate(lines, 1) if "&nbsp;" in line)}'


def test_a_dtd_that_a_search_of_the_prolog_would_miss_is_refused_by_the_parser():
    """A comment holding '<' before the DOCTYPE ends the prolog early for a byte search; libxml2 still knows."""
    hidden = camt(SETTLEMENT).replace(b'?>\n', b'?>\n<!-- <a> -->\n<!DOCTYPE Document [<!ENTITY a "x">]>\n', 1)
    with pytest.raises(FormatError, match='DTD ou entités XML refusées'):
        parse(hidden)
