"""The CFONB interbank operation code (« code opération interbancaire », positions 33-34 of a 04 or 05) that a
movement gets when Relais writes it as CFONB 120.

The zone is never blank: readers such as python-cfonb refuse a movement without it. A movement read from a CFONB
file keeps its own code; one read from another format gets the CFONB code of what its own code says (camt.05x
``BkTxCd`` domain/family/sub-family, MT940 ``:61:`` SWIFT transaction type, OFX ``TRNTYPE``), in the direction of
its amount; anything else is « 91 — Opérations diverses ».

The codes and their meanings are the CFONB brochure « Codes opérations interbancaires », as transcribed with their
SWIFT equivalents in silarhi/cfonb-parser, ``src/CfonbCodes.php`` (MIT). The ISO 20022 families are those of the
External Code Sets (Bank Transaction Code); the OFX types those of OFX 2.x, section 11.4.4.3.
"""

from __future__ import annotations

from decimal import Decimal

OTHER = '91'  # « Opérations diverses »

# CFONB codes used below, by meaning: what a reader of the written file sees
MEANINGS = {
    '01': 'Chèques payés',
    '02': 'Remises de chèques',
    '03': 'Chèques impayés',
    '04': 'Versements espèces',
    '05': 'Virements reçus',
    '06': 'Virements émis',
    '07': 'LCR/BOR domiciliés',
    '11': 'Factures cartes de paiement/DAB-GAB',
    '12': 'Rejet/retour de virement',
    '28': 'Factures cartes payées',
    '29': 'Retrait DAB-GAB',
    '30': 'Factures cartes remises',
    '31': 'Remises d’effets à l’encaissement',
    '38': 'Facture CB impayée / rejetée',
    '42': 'Achats/Ventes de devises',
    '61': 'Agios',
    '62': 'Commissions et frais divers',
    '63': 'Produits financiers',
    '67': 'Taxes',
    '71': 'Tirage de crédits',
    '72': 'Echéance crédits',
    '86': 'Opérations sur titres',
    '87': 'Revenus sur titres',
    '91': 'Opérations diverses',
    '92': 'Centralisation de recettes',
    '93': 'Centralisation de dépenses',
    '99': 'Annulations et régularisations',
    'A1': 'Prélèvements SEPA émis',
    'A2': 'Prélèvements SEPA interentreprises émis',
    'B1': 'Prélèvements SEPA domiciliés',
    'B2': 'Prélèvements SEPA interentreprises domiciliés',
    'B3': 'Prélèvements SEPA rejetés/impayés reçus',
    'B5': 'Prélèvements SEPA – reversements reçus',
    'B6': 'Prélèvements SEPA interentreprises – reversements reçus',
    'C1': 'Virement SEPA instantané émis',
    'C2': 'Virement SEPA instantané reçu',
}

_FEES = ('99', '62')  # a credited fee is a refund: « Annulations et régularisations »
_TRANSFER = ('05', '06')

# (code of a credit, code of a debit) by ISO 20022 family or sub-family, most precise first when looked up
_CAMT: dict[str, tuple[str, str]] = {
    'RCDT': _TRANSFER,
    'ICDT': _TRANSFER,
    'RRCT': ('C2', 'C1'),
    'IRCT': ('C2', 'C1'),
    'RDDT': ('B5', 'B1'),
    'RDDT/BBDD': ('B6', 'B2'),
    'IDDT': ('A1', 'B3'),
    'IDDT/BBDD': ('A2', 'B3'),
    'RCHQ': ('02', '03'),
    'ICHQ': ('02', '01'),
    'CCRD': ('11', '28'),
    'CCRD/CWDL': ('11', '29'),
    'MCRD': ('30', '38'),
    'CNTR': ('04', '29'),
    'LDAS': ('71', '72'),
    'SECU': ('86', '86'),
    'FORX': ('42', '42'),
    'CHRG': _FEES,
    'FEES': _FEES,
    'COMM': _FEES,
    'COME': _FEES,
    'COMI': _FEES,
    'COMT': _FEES,
    'SUBS': _FEES,
    'INTR': ('63', '61'),
    'TAXE': ('99', '67'),
}
# SWIFT transaction types of MT940 :61: (N/F + 3 letters; S + a message type is a transfer)
_SWIFT: dict[str, tuple[str, str]] = {
    'TRF': _TRANSFER,
    'STO': _TRANSFER,
    'CHK': ('02', '01'),
    'CLR': ('02', '01'),
    'DDT': ('A1', 'B1'),
    'RTI': ('12', '03'),
    'BOE': ('31', '07'),
    'CHG': _FEES,
    'COM': _FEES,
    'INT': ('63', '61'),
    'FEX': ('42', '42'),
    'SEC': ('86', '86'),
    'DIV': ('87', '86'),
    'LDP': ('71', '72'),
    'CMI': ('92', '93'),
}
_OFX: dict[str, tuple[str, str]] = {
    'XFER': _TRANSFER,
    'PAYMENT': _TRANSFER,
    'DIRECTDEP': _TRANSFER,
    'REPEATPMT': _TRANSFER,
    'DIRECTDEBIT': ('B5', 'B1'),
    'CHECK': ('02', '01'),
    'POS': ('11', '28'),
    'ATM': ('04', '29'),
    'CASH': ('04', '29'),
    'DEP': ('04', OTHER),
    'FEE': _FEES,
    'SRVCHG': _FEES,
    'INT': ('63', '61'),
    'DIV': ('87', '86'),
}


def _pair(code: str) -> tuple[str, str] | None:
    code = code.strip().upper()
    if '/' in code:  # camt: DOMAIN/FAMILY/SUBFAMILY
        _, family, sub = [*code.split('/'), '', ''][:3]
        for key in (f'{family}/{sub}', sub, family):
            if key in _CAMT:
                return _CAMT[key]
        return None
    if len(code) == 4 and code[0] in 'NF' and code[1:].isalpha():
        return _SWIFT.get(code[1:])
    if len(code) == 4 and code[0] == 'S' and code[1:].isdigit():
        return _TRANSFER
    return _OFX.get(code) or _CAMT.get(code)


def interbank_code(code: str | None, amount: Decimal) -> str:
    """Two alphanumeric characters: the movement's own CFONB code, else the one its other format's code maps to."""
    if code and len(code) == 2 and code.isascii() and code.isalnum():
        return code
    pair = _pair(code) if code else None
    if pair is None:
        return OTHER
    return pair[0] if amount >= 0 else pair[1]
