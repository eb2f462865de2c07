"""Statement files in, one model out: format sniffing and the parsers and writers of every format Relais reads.

``parse_file`` reads any supported file (a ZIP of them too) and returns its statements, or raises
``FormatError`` naming the line or record and the reason; nothing of a file is returned half-read.
"""

from __future__ import annotations

import io
import zipfile

from services.bulk import without_cycle_collection
from services.formats.model import AccountId, Entry, FormatError, Statement

__all__ = ['AccountId', 'Entry', 'FormatError', 'Statement', 'decode_text', 'parse_file', 'sniff']

MAX_ZIP_MEMBERS = 500
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
UNKNOWN = 'Ce fichier n’est pas un relevé bancaire reconnu (CFONB 120, MT940/MT942, camt.052/053/054, OFX).'


def decode_text(data: bytes) -> str:
    """UTF-8 when it is (with or without BOM), else Latin-1 — French banks still send both."""
    if data.startswith(b'\xef\xbb\xbf'):
        data = data[3:]
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        return data.decode('latin-1')


def _unknown() -> str:
    raise FormatError(UNKNOWN)


def sniff(data: bytes) -> str:
    """'cfonb120', 'mt940', 'camt', 'ofx' or 'zip'; FormatError for anything else."""
    if data.startswith(b'PK\x03\x04'):
        return 'zip'
    if data.startswith((b'\xff\xfe', b'\xfe\xff')):  # UTF-16 (some banks' camt): its BOM says which byte order
        head = data[:4096].decode('utf-16', errors='ignore').lstrip('\ufeff \t\r\n')
        return 'camt' if head.startswith('<') and 'camt.05' in head else _unknown()
    head = decode_text(data[:4096]).lstrip('\x00\x01\ufeff \t\r\n')
    upper = head.upper()
    if upper.startswith('OFXHEADER') or '<OFX>' in upper:
        return 'ofx'
    if head.startswith('<') and 'camt.05' in head:
        return 'camt'
    if head.startswith('<?xml') or head.startswith('<'):
        if '<OFX' in upper:
            return 'ofx'
        raise FormatError(UNKNOWN)
    if ':20:' in head and (':25:' in head or ':28' in head):
        return 'mt940'
    if head[:2] in {'01', '04', '05', '07'} and len(head.splitlines()[0] if '\n' in head else head[:120]) >= 100:
        return 'cfonb120'
    raise FormatError(UNKNOWN)


def parse_file(data: bytes, *, strict: bool = False) -> list[Statement]:
    """In strict mode every warning is a refusal: a file that departs from its norm in any way is not imported."""
    kind = sniff(data)
    with without_cycle_collection():
        statements = _parse_zip(data, strict=strict) if kind == 'zip' else _parser(kind)(data, strict=strict)
    if strict:
        for statement in statements:
            if statement.warnings:
                raise FormatError(f'mode strict : {statement.warnings[0]}')
    return statements


def _parser(kind: str):
    # imported here so that reading one format never pays for the others' libraries
    if kind == 'cfonb120':
        from services.formats.cfonb120 import parse
    elif kind == 'mt940':
        from services.formats.mt940 import parse
    elif kind == 'camt':
        from services.formats.camt import parse
    else:
        from services.formats.ofx import parse
    return parse


def _shown_name(name: str) -> str:
    """A member's name as a refusal may quote it: the archive's own text, so no control character, and short."""
    return ''.join(' ' if ord(char) < 32 or 127 <= ord(char) < 160 else char for char in name).strip()[:120]


def _parse_zip(data: bytes, *, strict: bool) -> list[Statement]:
    """Every member read whole or the archive refused. zipfile raises whatever a damaged archive makes it meet
    (BadZipFile, zlib.error, IndexError, struct.error, NotImplementedError…), in English: any exception from it is
    the one French refusal below, while our parsers' refusals keep their own words."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except Exception:
        raise FormatError('archive ZIP illisible (fichier abîmé ou tronqué)') from None
    if len(members) > MAX_ZIP_MEMBERS or sum(info.file_size for info in members) > MAX_UNZIPPED_BYTES:
        raise FormatError('archive ZIP trop volumineuse')
    statements: list[Statement] = []
    for info in members:
        try:
            content = archive.read(info)
        except Exception:
            where = _shown_name(info.filename)
            raise FormatError(
                'fichier illisible dans l’archive (abîmé, chiffré ou compressé autrement)', where=where
            ) from None
        try:
            kind = sniff(content)
            if kind == 'zip':
                raise FormatError('archive ZIP imbriquée')
            statements.extend(_parser(kind)(content, strict=strict))
        except FormatError as error:
            where = _shown_name(info.filename) + (f', {error.where}' if error.where else '')
            raise FormatError(error.reason, where=where) from None
    return statements
