"""Checks of identifiers typed by people, with French messages (python-stdnum for SIREN/SIRET)."""

from __future__ import annotations

import re

from stdnum import exceptions as stdnum_errors
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

_EMAIL = re.compile(r'^[^@\s<>"]+@[^@\s<>"]+\.[A-Za-z]{2,}$')
_PHONE = re.compile(r'^\+?[0-9]{9,15}$')


def siren(value: str) -> tuple[str | None, str | None]:
    """(compact SIREN, None) or (None, French message)."""
    try:
        return stdnum_siren.validate(value), None
    except stdnum_errors.InvalidLength:
        return None, 'Le SIREN doit comporter 9 chiffres.'
    except stdnum_errors.ValidationError:
        return None, "Ce SIREN n'est pas valide (clé de contrôle incorrecte)."


def siret(value: str, *, of_siren: str | None = None) -> tuple[str | None, str | None]:
    try:
        compact = stdnum_siret.validate(value)
    except stdnum_errors.InvalidLength:
        return None, 'Le SIRET doit comporter 14 chiffres.'
    except stdnum_errors.ValidationError:
        return None, "Ce SIRET n'est pas valide (clé de contrôle incorrecte)."
    if of_siren and compact[:9] != of_siren:
        return None, 'Le SIRET doit commencer par le SIREN du dossier.'
    return compact, None


def email(value: str) -> tuple[str | None, str | None]:
    cleaned = value.strip().lower()
    if len(cleaned) > 254 or not _EMAIL.match(cleaned):
        return None, "Cette adresse e-mail n'est pas valide."
    return cleaned, None


def phone(value: str) -> tuple[str | None, str | None]:
    cleaned = re.sub(r'[\s.\-()]', '', value)
    if cleaned.startswith('00'):
        cleaned = '+' + cleaned[2:]
    if not _PHONE.match(cleaned):
        return None, "Ce numéro de téléphone n'est pas valide."
    return cleaned, None


def iban(value: str) -> tuple[str | None, str | None]:
    """(compact IBAN, None) or (None, French message), checked by schwifty (country, length, key, bank code)."""
    from schwifty import IBAN
    from schwifty.exceptions import InvalidChecksumDigits, InvalidLength, SchwiftyException

    try:
        return str(IBAN(value)), None
    except InvalidLength:
        return None, 'Cet IBAN n’a pas la bonne longueur pour son pays.'
    except InvalidChecksumDigits:
        return None, 'Cet IBAN n’est pas valide (clé de contrôle incorrecte).'
    except SchwiftyException:
        return None, 'Cet IBAN n’est pas valide.'


def bank_of(compact_iban: str) -> tuple[str | None, str | None]:
    """(bank name, BIC) from schwifty's registries, (None, None) when the bank is not in them. The name comes from
    the BIC's registry when it has one: the bank-code registry sometimes names a subsidiary (30003)."""
    from schwifty import BIC, IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        parsed = IBAN(compact_iban)
        bic = parsed.bic
        names = BIC(str(bic)).bank_short_names if bic else []
        return (names[0] if names else parsed.bank_name), str(bic) if bic else None
    except (SchwiftyException, ValueError):
        return None, None
