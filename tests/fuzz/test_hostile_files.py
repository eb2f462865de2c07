"""Files made to hurt: ZIP bombs, entity expansion, DTDs, huge lines, binary garbage, nothing at all. Each is refused
in one line of French, quickly, and nothing of it is read."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib

import pytest

from services.formats import MAX_UNZIPPED_BYTES, MAX_ZIP_MEMBERS, FormatError, parse_file
from tests.fuzz.test_mutations import seeds, zipped

CAMT_HEAD = '<?xml version="1.0"?>\n'
CAMT_BODY = (
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&lol9;</BkToCstmrStmt></Document>'
)
BILLION_LAUGHS = (
    CAMT_HEAD
    + '<!DOCTYPE Document [<!ENTITY lol "lol">'
    + ''.join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10 if n > 1 else "&lol;" * 10}">' for n in range(1, 10))
    + ']>'
    + CAMT_BODY
)
EXTERNAL_ENTITY = (
    CAMT_HEAD + '<!DOCTYPE Document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>&x;</BkToCstmrStmt></Document>'
)


def refused(data: bytes) -> str:
    with pytest.raises(FormatError) as refusal:
        parse_file(data)
    reason = str(refusal.value)
    assert reason and '\n' not in reason
    return reason


def test_an_empty_file_is_refused() -> None:
    assert 'relevé bancaire reconnu' in refused(b'')


def test_binary_garbage_is_refused() -> None:
    assert 'relevé bancaire reconnu' in refused(os.urandom(1 << 20))


def test_billion_laughs_is_refused_without_expanding_anything() -> None:
    assert 'DTD' in refused(BILLION_LAUGHS.encode())


def test_an_external_entity_is_refused_and_nothing_is_fetched() -> None:
    reason = refused(EXTERNAL_ENTITY.encode())
    assert 'DTD' in reason and 'root:' not in reason


def test_a_zip_announcing_more_than_the_limit_unpacked_is_refused_before_unpacking() -> None:
    # 210 MB of zeros weigh 200 KB once deflated: the announced size is what the reader checks first
    chunk = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = chunk.compress(b'\0' * (1 << 20))
    body = block * 210 + chunk.flush()
    assert 'trop volumineuse' in refused(forged_zip('bombe.txt', body, size=210 << 20))


def test_a_zip_whose_member_lies_about_its_size_is_refused_not_unpacked_whole() -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = compressor.compress(b'\0' * (50 << 20)) + compressor.flush()  # says 1 KB, holds 50 MB
    assert 'illisible' in refused(forged_zip('menteur.txt', body, size=1024))


def test_a_zip_inside_a_zip_is_refused() -> None:
    inner = zipped([('releve.txt', seeds('cfonb120')[-1])])
    assert 'imbriquée' in refused(zipped([('archive.zip', inner)]))


def test_a_zip_of_too_many_files_is_refused() -> None:
    assert 'trop volumineuse' in refused(zipped([(f'{n}.txt', b'01') for n in range(MAX_ZIP_MEMBERS + 1)]))


def test_a_truncated_zip_is_refused() -> None:
    archive = zipped([('releve.txt', seeds('cfonb120')[-1])])
    assert 'ZIP illisible' in refused(archive[: len(archive) // 2])


@pytest.mark.parametrize('head', [b':20:', b'01', b'OFXHEADER:100\n<OFX>', b'<?xml version="1.0"?><Document>'])
def test_a_single_huge_line_is_refused_quickly(head: bytes) -> None:
    refused(head + b'9' * (20 << 20))


def forged_zip(name: str, deflated: bytes, *, size: int) -> bytes:
    """A one-member ZIP whose headers announce ``size`` unpacked bytes for the deflated ``deflated``."""
    crc, encoded = 0, name.encode()
    local = struct.pack('<4s5H3L2H', b'PK\x03\x04', 20, 0, 8, 0, 0, crc, len(deflated), size, len(encoded), 0)
    central = struct.pack(
        '<4s6H3L5H2L', b'PK\x01\x02', 20, 20, 0, 8, 0, 0, crc, len(deflated), size, len(encoded), 0, 0, 0, 0, 0, 0
    )
    offset = len(local) + len(encoded) + len(deflated)
    end = struct.pack('<4s4H2LH', b'PK\x05\x06', 0, 0, 1, 1, len(central) + len(encoded), offset, 0)
    buffer = io.BytesIO()
    buffer.write(local + encoded + deflated + central + encoded + end)
    assert zipfile.is_zipfile(buffer)
    return buffer.getvalue()


def test_the_limits_are_those_the_readme_announces() -> None:
    assert (MAX_ZIP_MEMBERS, MAX_UNZIPPED_BYTES) == (500, 200 * 1024 * 1024)


def test_a_camt_file_in_utf16_is_recognised_and_read() -> None:
    camt = next(seed for seed in seeds('camt'))
    statements = parse_file(camt.decode('utf-8').replace('encoding="UTF-8"', 'encoding="UTF-16"').encode('utf-16'))
    assert statements and statements[0].entries


def test_a_utf16_file_that_is_no_camt_is_refused() -> None:
    assert 'relevé bancaire reconnu' in refused('Bonjour, ceci est une lettre.'.encode('utf-16'))
