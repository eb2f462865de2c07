"""The bank catalogue ("providers"): French institutions, regional networks generated from lists of regions."""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass
from functools import cache

POPULAR = ('Banque Populaire', 'BNP Paribas', "Caisse d'épargne", 'CIC', 'La Banque Postale', 'LCL', 'Société Générale')

REAL_BANK_CODES = {
    'Banque Populaire': '10207',
    'BNP Paribas': '30004',
    "Caisse d'épargne": '17515',
    'CIC': '30066',
    'La Banque Postale': '20041',
    'LCL': '30002',
    'Société Générale': '30003',
    'Boursorama': '40618',
    'Hello bank!': '30004',
    'Qonto': '16958',
    'Shine': '17418',
    'Fortuneo': '14518',
    'ING': '30438',
}


def _split(text: str) -> tuple[str, ...]:
    """Names separated by `;`, wrapped freely over lines."""
    return tuple(' '.join(name.split()) for name in text.split(';') if name.strip())


BANQUE_POPULAIRE = _split("""
Alsace Lorraine Champagne; Aquitaine Centre Atlantique; Auvergne Rhône Alpes; Bourgogne Franche-Comté; Grand
Ouest; Méditerranée; du Nord; Occitane; Rives de Paris; du Sud; Val de France
""")
CAISSE_EPARGNE = _split("""
Aquitaine Poitou-Charentes; Auvergne et Limousin; Bourgogne Franche-Comté; Bretagne Pays de Loire; Côte
d'Azur; Grand Est Europe; Hauts de France; Ile-de-France; Languedoc-Roussillon; Loire-Centre; Loire Drôme
Ardèche; Normandie; Provence-Alpes-Corse; Rhône Alpes; Midi-Pyrénées; CEPAC; Nouvelle-Calédonie
""")
CREDIT_AGRICOLE = _split("""
Alpes Provence; Alsace Vosges; Anjou et Maine; Aquitaine; Atlantique Vendée; Brie Picardie; Centre-Est; Centre
France; Centre Loire; Centre Ouest; Champagne-Bourgogne; Charente-Maritime Deux-Sèvres; Charente-Périgord;
Corse; Côtes d'Armor; des Savoie; Finistère; Franche-Comté; Guadeloupe; Ille-et-Vilaine; Languedoc; Loire
Haute-Loire; Lorraine; Martinique-Guyane; Morbihan; Nord de France; Nord Est; Nord Midi-Pyrénées; Normandie;
Normandie-Seine; Paris et Ile-de-France; Provence Côte d'Azur; Pyrénées Gascogne; de la Réunion; Sud
Méditerranée; Sud Rhône Alpes; Toulouse 31; Touraine Poitou; Val de France
""")
CREDIT_MUTUEL = _split("""
Anjou; Antilles-Guyane; Centre; Centre Est Europe; Dauphiné-Vivarais; Ile-de-France; Loire-Atlantique Centre
Ouest; Maine-Anjou Basse-Normandie; Massif Central; Méditerranéen; Midi-Atlantique; Nord Europe; Normandie;
Océan; Savoie-Mont Blanc; Sud-Est; de Bretagne; du Sud-Ouest; Arkéa
""")
CREDIT_MUTUEL_TOWNS = _split("""
Strasbourg Esplanade; Mulhouse Europe; Colmar Saint-Joseph; Nancy Saint-Epvre; Metz Cathédrale; Reims Cernay;
Dijon Darcy; Besançon Chamars; Lyon Part-Dieu; Grenoble Championnet; Annecy Bonlieu; Chambéry Bissy;
Clermont-Ferrand Jaude; Limoges Carnot; Tours Halles; Orléans Madeleine; Nantes Graslin; Angers Ralliement; Le
Mans Jacobins; Rennes Sainte-Anne; Brest Saint-Martin; Caen Vaugueux; Rouen Vieux-Marché; Lille Vauban; Amiens
Cathédrale; Paris Batignolles; Paris Bastille; Versailles Notre-Dame; Bordeaux Chartrons; Toulouse Capitole;
Montpellier Comédie; Marseille Prado; Nice Libération; Toulon Mourillon; Avignon Remparts; Perpignan
Castillet; Pau Beaumont; Bayonne Saint-Esprit; La Rochelle Minimes; Poitiers Blossac
""")
CIC_REGIONAL = _split("""
Est; Lyonnaise de Banque; Nord Ouest; Ouest; Sud Ouest; Ile-de-France Entreprises
""")
OTHERS = _split("""
Boursorama; Hello bank!; Shine; Qonto; Fortuneo; ING; Monabanq; Orange Bank; N26; Revolut; Nickel; Ma French
Bank; BforBank; Banque Palatine; Crédit Coopératif; BRED Banque Populaire; CASDEN Banque Populaire; Société
Marseillaise de Crédit; Banque Courtois; Banque Kolb; Banque Laydernier; Banque Nuger; Banque Rhône-Alpes;
Banque Tarneaud; Crédit du Nord; HSBC Continental Europe; CCF; AXA Banque; Allianz Banque; Banque Chaix;
Banque de Savoie; Banque Dupuy de Parseval; Banque Marze; Crédit Maritime; Banque BCP; Banque Transatlantique;
Neuflize OBC; Banque Hottinguer; Rothschild & Co Banque; Edmond de Rothschild France; Banque Delubac; Milleis
Banque; Carrefour Banque; Banque Casino; Oney Banque; Cetelem; Cofidis; Memo Bank; Manager.one; Anytime;
Sumeria; Blank; Helios; Green-Got; Floa Bank; Younited; Banque de Nouvelle-Calédonie; BFC Océan Indien; Banque
de Tahiti; Banque de Polynésie; Banque Calédonienne d'Investissement; BRED Martinique; Crédit Agricole Mutuel
de la Corse; Banque Populaire Grand Ouest Pro; CIC Banque Privée; BNP Paribas Banque Privée; Société Générale
Private Banking; La Banque Postale Pro; LCL Banque Privée; Crédit Agricole Indosuez; Banque Michel Inchauspé;
Banque Richelieu; Banque Wormser Frères; Banque Populaire Rives de Paris Pro; Caisse des Dépôts; Crédit
Municipal de Paris; Crédit Municipal de Lyon; Banque Fiducial; Banque Thémis; Banque Martin Maurel; Banque
Pouyanne; Banque Européenne du Crédit Mutuel; Targo Bank; Cofinoga; Sofinco; Franfinance; Mangopay; Treezor;
Swan; Lydia; La Nef; Crédit Mutuel Enseignant; Natixis Wealth Management; Banque SBE; Banque Populaire
Aquitaine Pro
""")
LATER = _split("""
MEG Banque; C'moi le chef; So bank
""")
OTP_NAMES = frozenset(
    {
        'Boursorama',
        'Hello bank!',
        'Fortuneo',
        'ING',
        'Monabanq',
        'BforBank',
        'N26',
        'Revolut',
        'Orange Bank',
        'So bank',
        "C'moi le chef",
    }
)


@dataclass(frozen=True)
class Provider:
    id: int
    name: str
    popular: bool
    otp: bool
    bank_code: str

    def as_json(self) -> dict[str, object]:
        return {
            'id': self.id,
            'name': self.name,
            'country_code': 'FR',
            'popular': self.popular,
            'capabilities': ['aggregation'],
            'images': {'logo': None},
            'groups': [],
            'otp': self.otp,
        }


def _names() -> list[str]:
    names = list(POPULAR)
    names += [f'Banque Populaire {region}' for region in BANQUE_POPULAIRE]
    names += [f"Caisse d'Épargne {region}" for region in CAISSE_EPARGNE]
    names += [f'Crédit Agricole {region}' for region in CREDIT_AGRICOLE]
    names += [f'Crédit Mutuel {region}' for region in CREDIT_MUTUEL]
    names += [f'CIC {region}' for region in CIC_REGIONAL]
    names += list(OTHERS)
    names += [f'Crédit Agricole {region} – Professionnels' for region in CREDIT_AGRICOLE]
    names += [f"Caisse d'Épargne {region} – Professionnels" for region in CAISSE_EPARGNE]
    names += [f'Banque Populaire {region} – Entreprises' for region in BANQUE_POPULAIRE]
    names += [f'Crédit Mutuel {region} – Professionnels' for region in CREDIT_MUTUEL]
    names += [f'Caisse de Crédit Mutuel {town}' for town in CREDIT_MUTUEL_TOWNS]
    names += ['BNP Paribas Entreprises', 'Société Générale Professionnels', 'LCL Professionnels', 'CIC Entreprises']
    names += list(LATER)
    return names


def _bank_code(name: str) -> str:
    if name in REAL_BANK_CODES:
        return REAL_BANK_CODES[name]
    return f'{10000 + zlib.crc32(name.encode()) % 89999:05d}'


@cache
def catalogue() -> tuple[Provider, ...]:
    """Every provider, ordered by id (ids are positions in the list above, so appending keeps them stable)."""
    return tuple(
        Provider(id=index, name=name, popular=name in POPULAR, otp=name in OTP_NAMES, bank_code=_bank_code(name))
        for index, name in enumerate(_names(), start=1)
    )


@cache
def by_id() -> dict[int, Provider]:
    return {provider.id: provider for provider in catalogue()}


def get(provider_id: int) -> Provider | None:
    return by_id().get(provider_id)


def popular() -> list[Provider]:
    return [provider for provider in catalogue() if provider.popular]


def fold(text: str) -> str:
    """Lower case, no accents, punctuation as spaces: the search key of a bank name or a query."""
    plain = unicodedata.normalize('NFKD', text).encode('ascii', 'ignore').decode().casefold()
    return ' '.join(re.sub(r'[^a-z0-9]+', ' ', plain).split())


def search(query: str) -> list[Provider]:
    """Accent- and case-insensitive: every word of the query is found in the name; sorted by name."""
    words = fold(query).split()
    found = [provider for provider in catalogue() if all(word in fold(provider.name) for word in words)]
    return sorted(found, key=lambda provider: fold(provider.name))
