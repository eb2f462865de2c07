"""`relais`: the operator's command line (schema, demo data, first firm and users)."""

from __future__ import annotations

import argparse
import sys

from services import db, demo, firms, users
from services.errors import DomainError
from services.settings import SettingsError, load_settings


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
    return parser


def _run(args: argparse.Namespace) -> str:
    settings = load_settings()
    db.migrate(settings.database_url)
    db.configure(settings.database_url)
    if args.command == 'migrate':
        return 'Schéma à jour.'
    if args.command == 'seed-demo':
        demo.seed()
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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        print(_run(args))
    except (DomainError, SettingsError) as error:
        print(f'relais : {error}', file=sys.stderr)
        return 2
    finally:
        db.dispose()
    return 0


if __name__ == '__main__':
    sys.exit(main())
