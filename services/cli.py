"""`relais`: the operator's command line (schema, demo data, first firm and users)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from services import cli_export, db, demo, demo_ventilation, firms, outbound, statements, users
from services.errors import DomainError
from services.settings import SettingsError, load_settings
from services.statement_report import file_report, text_lines


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog='relais', description='Relais, outils d’exploitation')
    commands = parser.add_subparsers(dest='command', required=True)
    commands.add_parser('migrate', help='met le schéma de la base à jour')
    commands.add_parser('seed-demo', help='crée les données de démonstration (sans rien changer si déjà là)')
    firm = commands.add_parser('create-firm', help='enregistre un cabinet')
    firm.add_argument('--name', required=True)
    firm.add_argument('--siren', required=True)
    user = commands.add_parser('create-user', help='crée un utilisateur et affiche son mot de passe provisoire')
    user.add_argument('--email', required=True)
    user.add_argument('--first-name', required=True)
    user.add_argument('--last-name', required=True)
    user.add_argument(
        '--role',
        required=True,
        help='administrateur, superviseur, collaborateur (cabinet) ou dirigeant, comptable, '
        'preparateur, valideur (client, avec --client-siren)',
    )
    user.add_argument('--firm-siren', required=True)
    user.add_argument('--client-siren')
    parse = commands.add_parser('parse', help='lit des relevés (CFONB 120, MT940, camt, OFX) sans base de données')
    parse.add_argument('files', nargs='+', type=Path, metavar='FICHIER')
    parse.add_argument('--json', action='store_true', help='un objet JSON par fichier, un par ligne')
    parse.add_argument('--strict', action='store_true', help='refuse tout écart à la norme')
    imports = commands.add_parser('import', help='importe des relevés dans un dossier client')
    imports.add_argument('files', nargs='+', type=Path, metavar='FICHIER')
    imports.add_argument('--client', required=True, metavar='SIREN', help='SIREN du dossier client')
    imports.add_argument('--strict', action='store_true', help='refuse tout écart à la norme')
    cli_export.add_parser(commands)
    return parser


def _parse(args: argparse.Namespace) -> int:
    """Exit 0 when every file was read (with warnings or not), 2 when one is not a statement or unreadable."""
    status = 0
    for path in args.files:
        report = file_report(path, strict=args.strict)
        if report['errors']:
            status = 2
            print(f'relais : {path} : {report["errors"][0]}', file=sys.stderr)
        if args.json:
            print(json.dumps(report, ensure_ascii=False))
        elif not report['errors']:
            print('\n'.join(text_lines(report)))
    return status


def _run(args: argparse.Namespace) -> str | int:
    """A sentence to print, or the exit status of a command that printed its own lines."""
    settings = load_settings()
    db.migrate(settings.database_url)
    db.configure(settings.database_url)
    if args.command == 'migrate':
        return 'Schéma à jour.'
    if args.command == 'import':
        return _import(args)
    if args.command == 'export-fec':
        return cli_export.run(args)
    if args.command == 'seed-demo':
        demo.seed()
        demo_ventilation.seed()
        return 'Données de démonstration prêtes.'
    if args.command == 'create-firm':
        firm = firms.create_firm(name=args.name, siren=args.siren)
        return f'Cabinet créé : {firm.name} (SIREN {firm.siren}).'
    temporary = users.create_user(
        email=args.email,
        first_name=args.first_name,
        last_name=args.last_name,
        role=args.role,
        firm_siren=args.firm_siren,
        client_siren=args.client_siren,
    )
    return f'Utilisateur créé. Mot de passe provisoire (à changer à la première connexion) : {temporary}'


def _import(args: argparse.Namespace) -> int:
    """Each file whole or not at all; the others are still imported. Exit 2 when one was refused."""
    status = 0
    for path in args.files:
        try:
            summary = statements.import_for_siren(args.client, path.read_bytes(), path.name, strict=args.strict)
        except OSError as error:
            summary, status = None, 2
            print(f'relais : {path} : fichier illisible ({outbound.file_sentence(error)})', file=sys.stderr)
        except DomainError as error:
            summary, status = None, 2
            print(f'relais : {error}', file=sys.stderr)
        if summary is not None:
            print(f'{path} : {summary.sentence()}')
            for warning in summary.warnings:
                print(f'  ! {warning}')
    return status


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == 'parse':
        return _parse(args)
    try:
        result = _run(args)
        if isinstance(result, int):
            return result
        print(result)
    except (DomainError, SettingsError) as error:
        print(f'relais : {error}', file=sys.stderr)
        return 2
    finally:
        db.dispose()
    return 0


if __name__ == '__main__':
    sys.exit(main())
