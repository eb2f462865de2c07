"""The counterparty of a bank transaction, read from its label: what rules and history suggestions match on.

Bank labels carry the counterparty between a transaction-type prefix (« PRLV SEPA », « CB », « VIR SEPA RECU /DE »)
and references (« ECH/031126 », « /MOTIF … », a card date « 02/11 », numbers). The key is the first words left, upper
case without accents, so « PRLV SEPA EDF CLIENTS PARTICULIERS ECH/031126 » and the next month's debit share
« EDF CLIENTS PARTICULIERS ». A label made only of a type and numbers (« CHQ 0001234 ») has no counterparty.
"""

from __future__ import annotations

import re

from services.text import search_key

MAX_WORDS = 4
_PREFIXES = re.compile(
    r'^(?:(?:prlv|prelevement|prelev)(?:\s+sepa)?(?:\s+(?:europeen|recu|emis))?'
    r'|vir(?:ement)?(?:\s+(?:sepa|inst|instantane|permanent))*(?:\s+(?:recu|emis|en\s+votre\s+faveur))?\s*(?:/\s*(?:de|a|frm|to))?'
    r'|(?:paiement\s+)?(?:par\s+)?(?:cb|carte)(?:\s+x?\d{4})?'
    r'|retrait(?:\s+dab)?|chq|cheque|remise(?:\s+(?:cheques?|cb))?|avoir|facture\s+carte)\b[\s:/.-]*'
)
# where references begin: a slash field, an « ECH/ » due date, a dd/mm date, a word holding a digit
_REFERENCES = re.compile(r'\d|\s/|\b(?:ech/|ref\b|motif\b|date\b)')
_WORD = re.compile(r'[a-z&\'.-]+')
_LEADING_DATE = re.compile(r'^\d{2}/\d{2}(?:/\d{2,4})?\s+')  # « CARTE X1234 12/11 SNCF »: the card date first


def counterparty_of(label: str) -> str:
    key = search_key(label)
    key = _LEADING_DATE.sub('', _PREFIXES.sub('', key, count=1), count=1)
    cut = _REFERENCES.search(key)
    if cut:
        key = key[: cut.start()]
    words = [w for w in (w.strip(".'-") for w in _WORD.findall(key)) if w]
    return ' '.join(words[:MAX_WORDS]).upper()[:80]
