"""How CFONB 120 records are cut out of a file, and which record lengths the norm's 120 characters explain.

Banks write records of exactly 120 characters, with or without line breaks; tools on the way trim the trailing
spaces (variable-length lines), and a damaged file gains or loses a character. The rule, record by record:

- 120 characters: as the norm says.
- Longer: a blank excess is cut off with a warning (nothing is read from it, yet the file is not what the bank
  wrote); a non-blank excess is refused (characters moved into or out of the zones: amounts would shift).
- Shorter, ending with a space: nothing trimmed it (trimming removes every trailing space), so characters are
  missing inside it: a warning.
- Shorter, ending with another character: trimmed of its trailing spaces, read padded back to 120, silently when
  the file shows it was trimmed — none of its 120-character records ends with a space (a trimming tool leaves
  none) and at least one other record is short too — or when it is the last record of a file without line breaks
  (the end of the file lost its spaces). Otherwise the file is padded to 120 everywhere else: a warning.
- Whatever the above, a 01, 04 or 07 too short to hold its amount (104 characters once trimmed) is refused.

A file without line breaks is cut every 120 characters, also when it ends with one line break (editors add one).
"""

from __future__ import annotations

from services.formats.model import FormatError

RECORD = 120
_AMOUNT_END = 104  # the amount of a 01, 04 or 07 ends at position 104


class Layout:
    """The records of one file as (line number, record), and the length rule above applied to each."""

    def __init__(self, text: str) -> None:
        lines = [(number, line) for number, line in enumerate(text.splitlines(), 1) if line and not line.isspace()]
        self.flat = len(lines) == 1 and len(lines[0][1].rstrip()) > RECORD
        if self.flat:
            line = lines[0][1]
            chunks = [line[i : i + RECORD] for i in range(0, len(line), RECORD)]
            lines = [(number, chunk) for number, chunk in enumerate(chunks, 1) if not chunk.isspace()]
        self.records = lines
        self.last = lines[-1][0] if lines else 0
        self._trimmed: bool | None = None

    def fit(self, record: str, number: int) -> tuple[str, str | None]:
        """The record padded to 120 characters, and the warning its length deserves (None when it is explained)."""
        size = len(record)
        if size > RECORD:
            if record[RECORD:].strip():
                raise FormatError(f'{len(record.rstrip())} caractères au lieu de 120', where=f'ligne {number}')
            note = f'{size} caractères au lieu de 120, les blancs en trop sont ignorés'
        else:
            note = self._short(record, number)
        if (kept := len(record.rstrip())) < _AMOUNT_END and record[0:2] in {'01', '04', '07'}:
            raise FormatError(f'enregistrement tronqué ({kept} caractères, le montant manque)', where=f'ligne {number}')
        return record[:RECORD].ljust(RECORD), note

    def _short(self, record: str, number: int) -> str | None:
        if record.endswith(' '):
            return f'{len(record)} caractères au lieu de 120, sans être rogné de ses blancs finaux : il en manque'
        if (self.flat and number == self.last) or self.trimmed():
            return None
        return f'{len(record)} caractères au lieu de 120, dans un fichier dont les enregistrements en ont 120'

    def trimmed(self) -> bool:
        """Whether the file had its trailing spaces trimmed: worked out once, only for a file with a short record."""
        if self._trimmed is None:
            short, padded = 0, False
            for _, record in self.records:
                size = len(record)
                if size == RECORD and record[-1] == ' ':
                    padded = True
                    break
                short += size < RECORD and record[-1] != ' '
            self._trimmed = not padded and short >= 2
        return self._trimmed
