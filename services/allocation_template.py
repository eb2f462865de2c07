"""An allocation template: lines as shares of an entry (a rule's, a suggestion's, « Appliquer à la sélection »).

Shares are percentages adding up to 100; an entry's lines get their share of its amount rounded to the cent, and the
last line takes what rounding left, so the lines always add up to the entry exactly.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from services.ledger import VAT_RATES_BP, round_half_even

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class TemplateLine:
    account_number: str
    share: Decimal  # percent of the entry
    vat_rate_bp: int = 0
    label: str = ''  # empty: the entry's own label


@dataclass(frozen=True)
class SplitLine:
    account_number: str
    label: str
    amount_cents: int
    vat_rate_bp: int


def share_cents(amount_cents: int, share: Decimal) -> int:
    hundredths = Decimal(share) * 100
    if hundredths == hundredths.to_integral_value():  # a share typed with two decimals at most: integers only
        return round_half_even(amount_cents * int(hundredths), 10_000)
    return int((Decimal(amount_cents) * share / HUNDRED).to_integral_value(rounding=ROUND_HALF_EVEN))


def split(amount_cents: int, template: list[TemplateLine], entry_label: str) -> list[SplitLine]:
    out: list[SplitLine] = []
    left = amount_cents
    for index, line in enumerate(template):
        cents = left if index == len(template) - 1 else share_cents(amount_cents, line.share)
        left -= cents
        out.append(SplitLine(line.account_number, line.label or entry_label, cents, line.vat_rate_bp))
    return out


def shares_of(amount_cents: int, lines: list) -> tuple[TemplateLine, ...]:
    """An allocation's lines (anything with account_number, amount_cents, vat_rate_bp) as shares of its entry."""
    if not lines or not amount_cents:
        return ()
    shares = [(Decimal(line.amount_cents) * HUNDRED / amount_cents).quantize(Decimal('0.01')) for line in lines]
    shares[-1] = HUNDRED - sum(shares[:-1], Decimal(0))
    return tuple(
        TemplateLine(line.account_number, share, line.vat_rate_bp) for line, share in zip(lines, shares, strict=True)
    )


def problems(template: list[TemplateLine]) -> str | None:
    """What is wrong with a template, in French, or None."""
    if not template:
        return 'Ajoutez au moins une ligne.'
    if any(line.share <= 0 for line in template):
        return 'Chaque ligne doit avoir une part positive.'
    if sum((line.share for line in template), Decimal(0)) != HUNDRED:
        return 'Les parts doivent faire 100 % au total.'
    if any(line.vat_rate_bp not in VAT_RATES_BP for line in template):
        return 'Taux de TVA inconnu : 20, 10, 5,5, 2,1 ou 0 %.'
    return None


def dumps(template: list[TemplateLine]) -> str:
    return json.dumps([{**asdict(line), 'share': str(line.share)} for line in template], ensure_ascii=False)


def loads(text: str) -> list[TemplateLine]:
    try:
        return [
            TemplateLine(
                account_number=str(item['account_number']),
                share=Decimal(str(item['share'])),
                vat_rate_bp=int(item.get('vat_rate_bp', 0)),
                label=str(item.get('label') or ''),
            )
            for item in json.loads(text)
        ]
    except (ValueError, KeyError, TypeError, InvalidOperation):
        return []
