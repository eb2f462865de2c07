"""camt.052/053/054: bank-like files read version-agnostically, batches split, hostile XML refused, exact round trips.

No camt file is in the public corpus: the fixtures are modelled on French banks' files (BNP Paribas, Société
Générale and Crédit Agricole camt.053.001.02 daily statements, a camt.052.001.08 intraday report, a
camt.054.001.04 debit notification), with made-up parties and valid IBANs.
"""

from __future__ import annotations

import io
import random
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.formats import FormatError, parse_file
from services.formats.camt import REFERENCES, parse, reversal_note
from services.formats.camt_writer import write_camt053
from services.formats.model import AccountId, Entry, Statement

D = Decimal
IBAN = 'FR7630004008230001024567863'

STATEMENT_053 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>BNPP-CAMT053-20260313-000187</MsgId><CreDtTm>2026-03-13T05:42:11</CreDtTm>
   <MsgPgntn><PgNb>1</PgNb><LastPgInd>true</LastPgInd></MsgPgntn></GrpHdr>
  <Stmt>
   <Id>20260312-0001024567863</Id><ElctrncSeqNb>61</ElctrncSeqNb><LglSeqNb>61</LglSeqNb>
   <CreDtTm>2026-03-13T05:42:11</CreDtTm>
   <FrToDt><FrDtTm>2026-03-12T00:00:00</FrDtTm><ToDtTm>2026-03-12T23:59:59</ToDtTm></FrToDt>
   <Acct><Id><IBAN>FR7630004008230001024567863</IBAN></Id><Ccy>EUR</Ccy>
    <Ownr><Nm>SAS ATELIER MERCIER</Nm></Ownr><Svcr><FinInstnId><BIC>BNPAFRPPXXX</BIC></FinInstnId></Svcr></Acct>
   <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">15230.45</Amt><CdtDbtInd>CRDT</CdtDbtInd>
    <Dt><Dt>2026-03-12</Dt></Dt></Bal>
   <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">16538.87</Amt><CdtDbtInd>CRDT</CdtDbtInd>
    <Dt><Dt>2026-03-12</Dt></Dt></Bal>
   <Bal><Tp><CdOrPrtry><Cd>CLAV</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">16538.87</Amt><CdtDbtInd>CRDT</CdtDbtInd>
    <Dt><Dt>2026-03-12</Dt></Dt></Bal>
   <TxsSummry><TtlNtries><NbOfNtries>5</NbOfNtries></TtlNtries></TxsSummry>
   <Ntry>
    <Amt Ccy="EUR">1250.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2026-03-12</Dt></BookgDt><ValDt><Dt>2026-03-12</Dt></ValDt><AcctSvcrRef>0312A7X4410001</AcctSvcrRef>
    <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>
     <Prtry><Cd>05</Cd><Issr>CFONB</Issr></Prtry></BkTxCd>
    <NtryDtls><TxDtls>
     <Refs><MsgId>NONREF</MsgId><InstrId>NOTPROVIDED</InstrId><EndToEndId>FAC-2026-0142</EndToEndId><TxId>25071A7X44</TxId></Refs>
     <AmtDtls><TxAmt><Amt Ccy="EUR">1250.00</Amt></TxAmt></AmtDtls>
     <RltdPties><Dbtr><Nm>SARL DUPONT BATIMENT</Nm></Dbtr>
      <DbtrAcct><Id><IBAN>FR7610107001011234567890129</IBAN></Id></DbtrAcct>
      <Cdtr><Nm>SAS ATELIER MERCIER</Nm></Cdtr></RltdPties>
     <RmtInf><Ustrd>REGLEMENT FACTURE F2026-0142 &amp; AVOIR A-17</Ustrd></RmtInf>
    </TxDtls></NtryDtls>
    <AddtlNtryInf>VIR SEPA RECU /DE SARL DUPONT BATIMENT</AddtlNtryInf>
   </Ntry>
   <Ntry>
    <Amt Ccy="EUR">342.18</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2026-03-12</Dt></BookgDt><ValDt><Dt>2026-03-12</Dt></ValDt><AcctSvcrRef>0312B1K0020002</AcctSvcrRef>
    <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>ESDD</SubFmlyCd></Fmly></Domn></BkTxCd>
    <NtryDtls><TxDtls>
     <Refs><EndToEndId>URS-2026-03-000123</EndToEndId><MndtId>RUM-URSSAF-000123</MndtId></Refs>
     <RltdPties><Dbtr><Nm>SAS ATELIER MERCIER</Nm></Dbtr>
      <Cdtr><Nm>URSSAF ILE-DE-FRANCE</Nm>
       <Id><PrvtId><Othr><Id>FR12ZZZ123456</Id><SchmeNm><Prtry>SEPA</Prtry></SchmeNm></Othr></PrvtId></Id></Cdtr>
     </RltdPties>
     <RmtInf><Ustrd>COTISATIONS FEVRIER 2026</Ustrd></RmtInf>
    </TxDtls></NtryDtls>
    <AddtlNtryInf>PRLV SEPA URSSAF ILE-DE-FRANCE</AddtlNtryInf>
   </Ntry>
   <Ntry>
    <Amt Ccy="EUR">87.40</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2026-03-12</Dt></BookgDt><ValDt><Dt>2026-03-11</Dt></ValDt><AcctSvcrRef>0312C9CB000003</AcctSvcrRef>
    <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>CCRD</Cd><SubFmlyCd>POSD</SubFmlyCd></Fmly></Domn></BkTxCd>
    <NtryDtls><Btch><NbOfTxs>3</NbOfTxs><TtlAmt Ccy="EUR">87.40</TtlAmt><CdtDbtInd>DBIT</CdtDbtInd></Btch>
     <TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">23.50</Amt></TxAmt></AmtDtls>
      <RltdPties><Cdtr><Nm>STATION TOTAL MONTREUIL</Nm></Cdtr></RltdPties>
      <RmtInf><Ustrd>CB 10/03 STATION TOTAL</Ustrd></RmtInf></TxDtls>
     <TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">41.90</Amt></TxAmt></AmtDtls>
      <RltdPties><Cdtr><Nm>LEROY MERLIN</Nm></Cdtr></RltdPties>
      <RmtInf><Ustrd>CB 10/03 LEROY MERLIN</Ustrd></RmtInf></TxDtls>
     <TxDtls><AmtDtls><TxAmt><Amt Ccy="EUR">22.00</Amt></TxAmt></AmtDtls>
      <RltdPties><Cdtr><Nm>SNCF CONNECT</Nm></Cdtr></RltdPties>
      <RmtInf><Ustrd>CB 11/03 SNCF CONNECT</Ustrd></RmtInf></TxDtls>
    </NtryDtls>
    <AddtlNtryInf>FACTURES CARTE 4974XXXXXXXX1234</AddtlNtryInf>
   </Ntry>
   <Ntry>
    <Amt Ccy="EUR">500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><RvslInd>true</RvslInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2026-03-12</Dt></BookgDt><ValDt><Dt>2026-03-12</Dt></ValDt><AcctSvcrRef>0312D2RT000004</AcctSvcrRef>
    <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>RRTN</SubFmlyCd></Fmly></Domn></BkTxCd>
    <NtryDtls><TxDtls>
     <Refs><EndToEndId>VIR-FOURN-0309</EndToEndId></Refs>
     <RltdPties><Cdtr><Nm>MENUISERIE LEBLANC</Nm></Cdtr></RltdPties>
     <RmtInf><Ustrd>RETOUR VIREMENT COMPTE CLOTURE</Ustrd></RmtInf>
     <AddtlTxInf>MOTIF AC04</AddtlTxInf>
    </TxDtls></NtryDtls>
   </Ntry>
   <Ntry>
    <Amt Ccy="EUR">12.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2026-03-12</Dt></BookgDt><ValDt><Dt>2026-03-12</Dt></ValDt>
    <BkTxCd><Prtry><Cd>FEES</Cd><Issr>BNPP</Issr></Prtry></BkTxCd>
    <AddtlNtryInf>FRAIS TENUE DE COMPTE MARS</AddtlNtryInf>
   </Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>
"""

REPORT_052 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.08">
 <BkToCstmrAcctRpt>
  <GrpHdr><MsgId>SOGE052202603131405</MsgId><CreDtTm>2026-03-13T14:05:00+01:00</CreDtTm></GrpHdr>
  <Rpt>
   <Id>052-20260313-14</Id><CreDtTm>2026-03-13T14:05:00+01:00</CreDtTm>
   <Acct><Id><Othr><Id>00020451234</Id><SchmeNm><Prtry>BBAN</Prtry></SchmeNm></Othr></Id><Ccy>EUR</Ccy></Acct>
   <Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">2100.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>
    <Dt><Dt>2026-03-12</Dt></Dt></Bal>
   <Bal><Tp><CdOrPrtry><Cd>ITBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1100.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>
    <Dt><DtTm>2026-03-13T14:05:00+01:00</DtTm></Dt></Bal>
   <Ntry>
    <Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
    <BookgDt><DtTm>2026-03-13T09:12:44.120+01:00</DtTm></BookgDt><ValDt><Dt>2026-03-13</Dt></ValDt>
    <AcctSvcrRef>SG0313INST0001</AcctSvcrRef>
    <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>SDVA</SubFmlyCd></Fmly></Domn></BkTxCd>
    <NtryDtls><TxDtls>
     <Refs><EndToEndId>NOTPROVIDED</EndToEndId><UETR>6f4c1a52-3e8f-4d0a-9b8a-1f2e3d4c5b6a</UETR></Refs>
     <Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
     <RltdPties><Dbtr><Pty><Nm>CABINET FIDUCIAIRE AUBERT</Nm></Pty></Dbtr>
      <Cdtr><Pty><Nm>EURL PIXEL</Nm></Pty></Cdtr></RltdPties>
     <RmtInf><Ustrd>HONORAIRES MARS</Ustrd><Ustrd>DOSSIER 2026-117</Ustrd></RmtInf>
    </TxDtls></NtryDtls>
   </Ntry>
   <Ntry>
    <Amt Ccy="EUR">64.99</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts>
    <ValDt><Dt>2026-03-14</Dt></ValDt>
    <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>CCRD</Cd><SubFmlyCd>POSD</SubFmlyCd></Fmly></Domn></BkTxCd>
   </Ntry>
  </Rpt>
 </BkToCstmrAcctRpt>
</Document>
"""

NOTIFICATION_054 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.04">
 <BkToCstmrDbtCdtNtfctn>
  <GrpHdr><MsgId>CA054-0000913</MsgId><CreDtTm>2026-03-13T10:30:00</CreDtTm></GrpHdr>
  <Ntfctn>
   <Id>CA054-0000913-1</Id><CreDtTm>2026-03-13T10:30:00</CreDtTm>
   <Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id><Ccy>EUR</Ccy></Acct>
   <Ntry>
    <Amt Ccy="EUR">1840.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2026-03-13</Dt></BookgDt><ValDt><Dt>2026-03-13</Dt></ValDt><AcctSvcrRef>CA0313VIR88</AcctSvcrRef>
    <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
    <NtryDtls><TxDtls>
     <Refs><PmtInfId>PAIE-2026-03</PmtInfId><InstrId>PAIE-2026-03-07</InstrId><EndToEndId>SAL-0307</EndToEndId></Refs>
     <Amt Ccy="EUR">1840.00</Amt><CdtDbtInd>DBIT</CdtDbtInd>
     <RltdPties><Cdtr><Nm>MME CLAIRE FONTAINE</Nm></Cdtr></RltdPties>
     <RmtInf><Ustrd>SALAIRE MARS 2026</Ustrd></RmtInf>
    </TxDtls></NtryDtls>
   </Ntry>
  </Ntfctn>
 </BkToCstmrDbtCdtNtfctn>
</Document>
"""


def sample() -> bytes:
    return STATEMENT_053.encode()


def entries_of(xml: str = STATEMENT_053, **options) -> list[Entry]:
    (statement,) = parse(xml.encode(), **options)
    return statement.entries


def test_daily_statement_balances_dates_and_account():
    (statement,) = parse(sample(), strict=True)
    assert (statement.format, statement.currency, statement.account) == ('camt.053', 'EUR', AccountId(iban=IBAN))
    assert (statement.opening_balance, statement.opening_date) == (D('15230.45'), date(2026, 3, 12))
    assert (statement.closing_balance, statement.closing_date) == (D('16538.87'), date(2026, 3, 12))
    assert statement.reconciles and statement.warnings == []


def test_an_iban_written_with_spaces_or_in_lower_case_is_normalised():
    spaced = STATEMENT_053.replace(f'<IBAN>{IBAN}</IBAN>', '<IBAN>fr76 3000 4008 2300 0102 4567 863</IBAN>')
    assert parse(spaced.encode(), strict=True)[0].account == AccountId(iban=IBAN)


def test_an_invalid_iban_is_kept_as_a_number_with_a_warning_or_refused_in_strict_mode():
    wrong = STATEMENT_053.replace(f'<IBAN>{IBAN}</IBAN>', '<IBAN>FR7630004008230001024567864</IBAN>').encode()
    (statement,) = parse(wrong)
    assert statement.account == AccountId(number='FR7630004008230001024567864')
    assert statement.warnings == [
        'Stmt[1]/Acct : IBAN invalide « FR7630004008230001024567864 », gardé comme numéro de compte'
    ]
    with pytest.raises(FormatError, match='IBAN invalide'):
        parse(wrong, strict=True)


def test_amounts_are_signed_by_the_credit_debit_indicator():
    amounts = [entry.amount for entry in entries_of()]
    assert amounts == [D('1250.00'), D('-342.18'), D('-23.50'), D('-41.90'), D('-22.00'), D('500.00'), D('-12.00')]


def test_a_credit_transfer_keeps_its_remittance_payer_references_and_code():
    transfer = entries_of()[0]
    assert transfer.label == 'REGLEMENT FACTURE F2026-0142 & AVOIR A-17'
    assert transfer.details == ['VIR SEPA RECU /DE SARL DUPONT BATIMENT']
    assert (transfer.counterparty, transfer.reference, transfer.code) == (
        'SARL DUPONT BATIMENT',
        '0312A7X4410001',
        'PMNT/RCDT/ESCT',
    )
    assert transfer.references == {'EndToEndId': 'FAC-2026-0142', 'TxId': '25071A7X44'}  # NOTPROVIDED skipped
    assert (transfer.booking_date, transfer.value_date) == (date(2026, 3, 12), date(2026, 3, 12))


def test_a_direct_debit_keeps_its_mandate_as_rum_and_its_creditor_as_counterparty():
    debit = entries_of()[1]
    assert debit.references == {'EndToEndId': 'URS-2026-03-000123', 'RUM': 'RUM-URSSAF-000123'}
    assert (debit.counterparty, debit.label) == ('URSSAF ILE-DE-FRANCE', 'COTISATIONS FEVRIER 2026')


def test_a_card_batch_is_split_into_one_entry_per_transaction():
    cards = entries_of()[2:5]
    assert [(e.label, e.amount, e.counterparty) for e in cards] == [
        ('CB 10/03 STATION TOTAL', D('-23.50'), 'STATION TOTAL MONTREUIL'),
        ('CB 10/03 LEROY MERLIN', D('-41.90'), 'LEROY MERLIN'),
        ('CB 11/03 SNCF CONNECT', D('-22.00'), 'SNCF CONNECT'),
    ]
    assert {(e.booking_date, e.value_date, e.reference, e.code) for e in cards} == {
        (date(2026, 3, 12), date(2026, 3, 11), '0312C9CB000003', 'PMNT/CCRD/POSD')
    }
    assert all(e.details == ['FACTURES CARTE 4974XXXXXXXX1234'] for e in cards)


def test_a_batch_whose_details_do_not_add_up_stays_one_entry_listing_them():
    xml = STATEMENT_053.replace('<Amt Ccy="EUR">22.00</Amt>', '<Amt Ccy="EUR">21.00</Amt>')
    (statement,) = parse(xml.encode())
    batch = statement.entries[2]
    assert (batch.amount, batch.label, len(statement.entries)) == (D('-87.40'), 'FACTURES CARTE 4974XXXXXXXX1234', 5)
    assert batch.details == [
        'Détail du lot — CB 10/03 STATION TOTAL — STATION TOTAL MONTREUIL — 23.50 EUR',
        'Détail du lot — CB 10/03 LEROY MERLIN — LEROY MERLIN — 41.90 EUR',
        'Détail du lot — CB 11/03 SNCF CONNECT — SNCF CONNECT — 21.00 EUR',
    ]
    assert statement.warnings == [
        'Stmt[1]/Ntry[3] : lot de 3 opérations gardé en une seule écriture : '
        'les détails totalisent -86.40 pour une écriture de -87.40'
    ]
    assert statement.reconciles


def test_a_reversal_follows_its_indicator_and_says_what_it_cancels():
    reversal = entries_of()[5]
    assert reversal.amount == D('500.00')  # CRDT: the returned transfer comes back on the account
    assert reversal.references == {'EndToEndId': 'VIR-FOURN-0309', 'reversal': 'true'}
    assert reversal.details == [reversal_note(credit=True), 'MOTIF AC04']
    assert 'annule un débit' in reversal.details[0]
    assert reversal.counterparty is None  # a credit's counterparty is its debtor, absent here


def test_an_entry_without_details_takes_its_additional_information_and_proprietary_code():
    fee = entries_of()[6]
    assert (fee.label, fee.code, fee.details, fee.reference) == ('FRAIS TENUE DE COMPTE MARS', 'FEES', [], None)


def test_the_reader_ignores_the_namespace_version_and_prefix():
    base = parse(sample())
    for version in ('camt.053.001.04', 'camt.053.001.08', 'camt.053.001.10'):
        assert parse(STATEMENT_053.replace('camt.053.001.02', version).encode()) == base
    prefixed = STATEMENT_053.replace('<', '<c:').replace('<c:/', '</c:').replace('<c:?', '<?').replace('<c:!', '<!')
    prefixed = prefixed.replace('xmlns=', 'xmlns:c=')
    assert parse(prefixed.encode()) == base


def test_an_intraday_report_reads_previous_and_interim_balances_and_skips_pending_entries():
    (report,) = parse(REPORT_052.encode())
    assert (report.format, report.account, report.currency) == ('camt.052', AccountId(number='00020451234'), 'EUR')
    assert (report.opening_balance, report.opening_date) == (D('-2100.00'), date(2026, 3, 12))
    assert (report.closing_balance, report.closing_date) == (D('-1100.00'), date(2026, 3, 13))
    (transfer,) = report.entries
    assert (transfer.amount, transfer.booking_date, transfer.counterparty) == (
        D('1000.00'),
        date(2026, 3, 13),
        'CABINET FIDUCIAIRE AUBERT',
    )
    assert transfer.label == 'HONORAIRES MARS DOSSIER 2026-117' and transfer.references == {}
    assert report.reconciles
    assert report.warnings == ['Rpt[1]/Ntry[2] : écriture au statut PDNG (non comptabilisée), ignorée']


def test_a_debit_notification_has_entries_and_no_balances():
    (notification,) = parse(NOTIFICATION_054.encode(), strict=True)
    assert notification.format == 'camt.054' and notification.reconciles is None
    (salary,) = notification.entries
    assert (salary.amount, salary.counterparty, salary.label) == (
        D('-1840.00'),
        'MME CLAIRE FONTAINE',
        'SALAIRE MARS 2026',
    )
    assert salary.references == {'PmtInfId': 'PAIE-2026-03', 'InstrId': 'PAIE-2026-03-07', 'EndToEndId': 'SAL-0307'}


def test_a_zip_of_two_camt_files_reads_through_parse_file():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as archive:
        archive.writestr('releve_0312.xml', sample())
        archive.writestr('notification.xml', NOTIFICATION_054.encode())
    statements = parse_file(buffer.getvalue())
    assert [s.format for s in statements] == ['camt.053', 'camt.054']
    assert statements[0].account.iban == IBAN and statements[1].account.iban == 'FR7630006000011234567890189'


def test_malformed_xml_is_refused_naming_its_line():
    broken = STATEMENT_053.replace('</Ustrd></RmtInf>\n    </TxDtls>', '</Ustrd>\n    </TxDtls>', 1)
    line = broken.splitlines().index('    </TxDtls></NtryDtls>') + 1
    with pytest.raises(FormatError, match='balise fermante') as error:
        parse(broken.encode())
    assert error.value.where == f'ligne {line}'


@pytest.mark.parametrize(
    'doctype',
    [
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>',
        '<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE Document SYSTEM "http://example.invalid/camt.dtd">',
    ],
)
def test_a_dtd_or_entity_is_refused(doctype):
    hostile = STATEMENT_053.replace('?>\n', f'?>\n{doctype}\n', 1).replace(
        'MARS</AddtlNtryInf>', '&lol2;</AddtlNtryInf>'
    )
    with pytest.raises(FormatError, match='DTD ou entités XML refusées'):
        parse_file(hostile.encode())


def test_a_statement_that_does_not_reconcile_warns_and_keeps_the_banks_amounts():
    (statement,) = parse(STATEMENT_053.replace('16538.87', '16600.00', 1).encode(), strict=True)
    assert statement.closing_balance == D('16600.00') and statement.reconciles is False
    assert statement.warnings == [
        'Le relevé ne se rapproche pas : solde initial 15230.45 + mouvements 1308.42 '
        '≠ solde final 16600.00 (écart 61.13).'
    ]


def test_an_unreadable_amount_is_refused_in_strict_mode_and_skipped_otherwise():
    damaged = STATEMENT_053.replace('<Amt Ccy="EUR">342.18</Amt>', '<Amt Ccy="EUR">342,18</Amt>')
    with pytest.raises(FormatError, match='montant illisible « 342,18 »') as error:
        parse(damaged.encode(), strict=True)
    assert error.value.where == 'Stmt[1]/Ntry[2]'
    (statement,) = parse(damaged.encode())
    assert len(statement.entries) == 6
    assert statement.warnings[0] == 'Stmt[1]/Ntry[2] : montant illisible « 342,18 », écriture ignorée'
    assert statement.reconciles is False


def test_xml_that_is_not_a_camt_statement_is_refused():
    with pytest.raises(FormatError, match='pas un relevé camt'):
        parse(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn/></Document>')
    with pytest.raises(FormatError, match='compte absent') as error:
        parse(STATEMENT_053.replace(f'<IBAN>{IBAN}</IBAN>', '').encode())
    assert error.value.where == 'Stmt[1]'


# --- writer round trip ------------------------------------------------------------------------------------------

characters = st.characters(blacklist_categories=('Cc', 'Cs', 'Cn'))
alphabet = st.sampled_from('&<>é\'" ') | characters
short = st.text(alphabet=alphabet, min_size=1, max_size=35).map(str.strip)
# long texts made of words, so that the 140-character line breaks fall on spaces as often as inside words
words = st.lists(st.text(alphabet=alphabet, min_size=1, max_size=14), min_size=10, max_size=60).map(' '.join)
text = (st.text(alphabet=alphabet, max_size=80) | words).map(str.strip)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
amounts = st.integers(min_value=-(10**11), max_value=10**11).map(lambda cents: D(cents).scaleb(-2))
references = st.dictionaries(
    st.sampled_from(sorted(REFERENCES.values())), short.filter(lambda t: t and t.upper() != 'NOTPROVIDED'), max_size=4
)
codes = st.sampled_from(['PMNT/RCDT/ESCT', 'PMNT/RDDT/ESDD', 'PMNT/CCRD/POSD', '05', 'B1']) | short.filter(bool)


@st.composite
def entries(draw) -> Entry:
    amount = draw(amounts)
    entry = Entry(
        booking_date=draw(days),
        amount=amount,
        label=draw(text),
        value_date=draw(st.none() | days),
        details=draw(st.lists(text.map(lambda t: t[:420].strip()).filter(bool), max_size=3)),
        reference=draw(st.none() | short.filter(bool)),
        counterparty=draw(st.none() | text.map(lambda t: t[:140].strip()).filter(bool)),
        references=draw(references),
        code=draw(st.none() | codes),
    )
    if draw(st.booleans()) and draw(st.booleans()):
        entry.references['reversal'] = 'true'
        entry.details.insert(0, reversal_note(credit=not amount < 0))
    return entry


@st.composite
def statements(draw) -> Statement:
    """What camt.053 carries: at least one dated balance (the schema's Bal), an IBAN or a number of 34 characters."""
    moves = draw(st.lists(entries(), max_size=20))
    opening = draw(st.none() | amounts)
    closing = draw(amounts) if opening is None else opening + sum((e.amount for e in moves), D(0))
    if opening is not None and draw(st.booleans()) and draw(st.booleans()):
        closing = draw(st.none() | amounts)  # a statement without closing, or one that does not reconcile
    ibans = st.sampled_from([AccountId(iban=IBAN), AccountId(iban='DE89370400440532013000')])
    return Statement(
        format='camt.053',
        account=draw(ibans | short.map(lambda t: t[:34].strip()).filter(bool).map(lambda n: AccountId(number=n))),
        currency=draw(st.sampled_from(['EUR', 'CHF', 'USD'])),
        opening_balance=opening,
        opening_date=draw(days) if opening is not None else None,
        closing_balance=closing,
        closing_date=draw(days) if closing is not None else None,
        entries=moves,
    )


@settings(max_examples=200, deadline=None)
@given(statements())
def test_what_the_writer_writes_reads_back_identically(original):
    written = write_camt053([original], message_id='RELAIS-TEST-1', created_at=datetime(2026, 3, 13, 6, 0))
    (back,) = parse(written, strict=True)
    expected_warnings = 1 if original.reconciles is False else 0
    assert len(back.warnings) == expected_warnings
    back.warnings = []
    assert back == original


def test_the_writer_writes_parsed_statements_back_as_camt053():
    statements = parse(sample()) + parse(REPORT_052.encode())
    written = write_camt053(statements, message_id='RELAIS-20260313', created_at=datetime(2026, 3, 13, 6, 0))
    assert written.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022')
    for statement in statements:
        statement.format, statement.warnings = 'camt.053', []
    assert parse(written, strict=True) == statements


def test_the_writer_refuses_a_statement_without_balance_as_camt053_requires_one():
    (notification,) = parse(NOTIFICATION_054.encode())
    with pytest.raises(FormatError, match='relevé sans solde'):
        write_camt053([notification], message_id='RELAIS-1', created_at=datetime(2026, 3, 13))


def test_the_writer_refuses_an_amount_it_would_have_to_round():
    (statement,) = parse(sample())
    statement.entries[0].amount = D('1250.000001')
    with pytest.raises(FormatError, match='5 décimales au plus'):
        write_camt053([statement], message_id='RELAIS-1', created_at=datetime(2026, 3, 13))


def test_random_damage_never_crashes_the_reader():
    original = sample()
    rng = random.Random('camt.053')
    near = b'0123456789.-<>/ &;"=ABCDEFTZ'
    for _ in range(300):
        damaged = bytearray(original)
        for _ in range(rng.randint(1, 6)):
            position = rng.randrange(len(damaged))
            action = rng.choice(('flip', 'near', 'insert', 'delete', 'value'))
            if action == 'flip':
                damaged[position] = rng.randrange(256)
            elif action == 'near':
                damaged[position] = rng.choice(near)
            elif action == 'insert':
                damaged.insert(position, rng.choice(near))
            elif action == 'value':  # inside an element's text, so that the XML stays well formed
                start = damaged.find(b'>', position) + 1
                if 0 < start < len(damaged) and damaged[start] not in b'<\n':
                    damaged[start] = rng.choice(b'0123456789.-,XZ')
            else:
                del damaged[position]
        for strict in (False, True):
            try:
                result = parse(bytes(damaged), strict=strict)
            except FormatError:
                continue
            assert isinstance(result, list) and all(isinstance(s, Statement) for s in result)
