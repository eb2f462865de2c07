"""MT940 as Triodos, SNS and ASN Bank write it, and the framing other banks add: :NS: fields, a cut tag, block 4.

Sources, for the layouts (the values are ours, with IBANs whose check digits hold):
- Triodos: ``>NN`` sub-fields, wolph/mt940 mt940_tests/jejik/triodos.sta and zilverline/mt940
  spec/fixtures/triodos_iban.txt.
- SNS and ASN Bank (de Volksbank): SWIFT blocks around each message, the counterparty's IBAN as the :61: reference
  and its name on the next line, zilverline/mt940 spec/fixtures/sns/sns.txt, wolph/mt940 mt940_tests/ASNB/mt940.txt.
- :NS: non-SWIFT sub-fields after a :61: (``NNtext`` lines), wolph/mt940 mt940_tests/sberbank/171011_01234945.sta
  and self-provided/raphaelm.sta; the library's NonSwift tag describes them as bank-specific extensions.
- A tag cut after its colon (``:`` then ``86:…``), wolph/mt940 mt940_tests/self-provided/sparkassen.sta.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from services.formats.mt940 import parse
from tests.conformance.test_mt940_dialects import ING, mt940

D = Decimal


TRIODOS = mt940(
    ':20:6565656565656/1',
    ':25:TRIODOSBANK/0390123456',
    ':28:1',
    ':60F:C131007EUR0,00',
    ':61:131007C1000,00NET NONREF',
    ':86:000>100000000000',
    '>20RABONL2U',
    '>21NL44RABO0123456789',
    '>22STORTING AANDELENKAPITAAL Z>23AAK NR 40000',
    '>310390123456',
    ':61:131025D42,00NET NONREF',
    ':86:000>100987654321',
    '>20ALGEMENE TUSSENREKENING KOS>21TEN VAN 01-10-2013 TOT EN M',
    '>22ET 31-12-2013>310390123456',
    ':62F:C131025EUR958,00',
    '-',
)


def test_triodos_subfields_give_the_description_glued_back_and_leave_out_the_own_account():
    credit, debit = parse(TRIODOS)[0].entries
    assert credit.label == 'STORTING AANDELENKAPITAAL ZAAK NR 40000'
    assert debit.label == 'ALGEMENE TUSSENREKENING KOSTEN VAN 01-10-2013 TOT EN MET 31-12-2013'
    assert '0390123456' not in str(credit.references) + str(debit.references)


def test_triodos_bic_then_iban_in_the_first_subfields_are_the_counterparty_bank_and_iban():
    credit, _ = parse(TRIODOS)[0].entries
    assert credit.references == {
        'gvc': '000',
        'counterparty_bank': 'RABONL2U',
        'counterparty_iban': 'NL44RABO0123456789',
    }


SNS = mt940(
    '{1:F01SNSBNL2AXXXX0000000000}{2:O94000000000000000000000000000000000000000N}{3:}{4:',
    ':20:0000000000',
    ':25:NL12SNSB0123456789',
    ':28C:253/1',
    ':60F:C140910EUR546,48',
    ':61:1409100910C15000,00NOVBNL44RABO0123456789',
    'f. spark bedrijf n.v.',
    ':86:NL44RABO0123456789 f. spark bedrijf n.v.',
    '                                                                 ',
    '358857495-nl44rabo0123456789-f. spark bedrijf n.v.                 ',
    ':62F:C140910EUR15546,48',
    '-}{5:}',
    '{1:F01SNSBNL2AXXXX0000000000}{2:O94000000000000000000000000000000000000000N}{3:}{4:',
    ':20:0000000000',
    ':25:NL12SNSB0123456789',
    ':28C:254/1',
    ':60F:C140911EUR15546,48',
    ':62F:C140911EUR15546,48',
    '-}{5:}',
)
ASN = mt940(
    ':20:0000000000',
    ':25:NL66ASNB0707070707',
    ':28C:1',
    ':60F:C200101EUR469,81',
    ':61:2001010101D65,00NOVBNL44RABO0123456789',
    'hr gjlm paulissen',
    ':86:NL44RABO0123456789 hr gjlm paulissen',
    'Betalingskenmerk: 0000000000000000',
    ':62F:C200101EUR404,81',
    '-',
)


@pytest.mark.parametrize('data', [SNS, ASN], ids=['SNS', 'ASN'])
def test_sns_and_asn_give_the_counterparty_iban_as_reference_and_its_name_on_the_next_line(data):
    entry = parse(data)[0].entries[0]
    assert (entry.reference, entry.references['counterparty_iban'], entry.counterparty) == (
        'NL44RABO0123456789',
        'NL44RABO0123456789',
        entry.details[0],
    )
    assert entry.counterparty in {'f. spark bedrijf n.v.', 'hr gjlm paulissen'}


def test_sns_messages_in_swift_blocks_give_one_statement_each_with_the_reference_warning_only():
    first, second = parse(SNS)
    assert (first.account.iban, len(first.entries), len(second.entries)) == ('NL12SNSB0123456789', 1, 0)
    assert first.entries[0].label == 'NL44RABO0123456789 f. spark bedrijf n.v.'
    assert first.warnings == ['ligne 6 : référence client de plus de 16 caractères (SWIFT : 16), lue en entier.']
    assert first.reconciles and second.reconciles and not second.warnings


NON_SWIFT = mt940(
    ':20:STARTUMS',
    ':25:1966315302010001',
    ':28:00046',
    ':NS:22JOHN DOE',
    '23John Doe',
    ':60F:C171011HUF627311,30',
    ':61:1710111011DF2402,00S   X',
    ':NS:01526715',
    '15ERGO Versicherung AG Fiokte',
    '16lep',
    '17G200000137791678',
    ':62F:C171011HUF624909,30',
)


def test_ns_subfields_after_a_61_are_its_details_and_its_amount_stays_whole():
    (statement,) = parse(NON_SWIFT)
    (entry,) = statement.entries
    assert (entry.amount, entry.code) == (D('-2402.00'), 'S')
    assert entry.details == ['526715', 'ERGO Versicherung AG Fiokte', 'lep', 'G200000137791678']
    assert statement.reconciles and not statement.warnings


SPLIT_TAG = mt940(
    ':20:STARTUMS',
    ':25:12345678/1020304050',
    ':28C:0',
    ':60F:C181125EUR100,00',
    ':61:1811261126CR',
    '30,00N062NONREF',
    ':',
    '86:166?00GUTSCHR. UEBERWEISUNG?081542?20SVWZ+Test',
    ':62F:C181126EUR130,00',
)


def test_a_86_tag_cut_after_its_colon_is_read_with_a_warning():
    (statement,) = parse(SPLIT_TAG)
    (entry,) = statement.entries
    assert (entry.amount, entry.label, entry.details) == (D('30.00'), 'Test', ['GUTSCHR. UEBERWEISUNG', '1542'])
    assert statement.warnings == ['ligne 7 : étiquette :86: coupée après son « : ».']


def test_a_message_whose_fields_start_on_its_block_4_line_is_read():
    data = mt940('{1:F01INGBNL2AXXXX0000000000}{2:O940INGBNL2AXXXXN}{4::20:P1', *ING.decode().splitlines()[5:])
    (statement,) = parse(data)
    assert len(statement.entries) == 2 and statement.reconciles


def test_a_reference_over_16_characters_on_one_line_is_read_whole_not_cut_into_the_details():
    data = SNS.replace(b'NL44RABO0123456789\r\nf. spark bedrijf n.v.\r\n', b'NL44RABO0123456789\r\n', 1)
    entry = parse(data)[0].entries[0]
    assert (entry.reference, entry.details) == (
        'NL44RABO0123456789',
        ['358857495-nl44rabo0123456789-f. spark bedrijf n.v.'],
    )
