"""French words for the audit journal: what each recorded action means, and the families the screen filters on.

The action codes are the ones services pass to ``audit.record``; a code missing here still shows, as itself, so a
new action is never hidden from the journal while it waits for its label.
"""

from __future__ import annotations

from dataclasses import dataclass

ACTION_LABELS: dict[str, str] = {
    'login.success': 'Connexion',
    'login.failed': 'Échec de connexion',
    'login.locked': 'Compte verrouillé',
    'logout': 'Déconnexion',
    'session.expired': 'Session expirée',
    'password.changed': 'Mot de passe changé',
    'totp.enrolled': 'Authentification forte activée',
    'user.created': 'Utilisateur créé',
    'user.disabled': 'Utilisateur désactivé',
    'user.enabled': 'Utilisateur réactivé',
    'staff.role_changed': 'Rôle modifié',
    'rights.changed': 'Droits modifiés',
    'person.registered': 'Personne enregistrée',
    'person.updated': 'Personne modifiée',
    'person.removed': 'Personne retirée',
    'strong_auth.success': 'Authentification forte réussie',
    'strong_auth.failed': 'Authentification forte refusée',
    'connection.validate_pro': 'Comptes professionnels validés',
    'link.issued': 'Lien client créé',
    'link.sent': 'Lien client envoyé',
    'link.used': 'Lien client utilisé',
    'link.renewal_requested': 'Nouveau lien demandé par le client',
    'connector.add': 'Connecteur ajouté',
    'connector.remove': 'Connecteur supprimé',
    'iban.connector': 'Connecteur d’un IBAN modifié',
    'delivery.resend': 'Relevé renvoyé au connecteur',
    'mandate.create': 'Mandat créé',
    'mandate.link': 'Lien de signature de mandat créé',
    'mandate.sign': 'Mandat signé',
    'mandate.code_failed': 'Code de signature de mandat incorrect',
    'mandate.approved': 'Mandat accepté par la banque',
    'mandate.refused': 'Mandat refusé par la banque',
    'mandate.revoke': 'Mandat révoqué',
    'client.created': 'Dossier créé',
    'client.updated': 'Dossier modifié',
    'client.assigned': 'Affectations du dossier modifiées',
    'system.error': 'Erreur inattendue',
    'bank.connection_added': 'Connexion bancaire ajoutée',
    'bank.connection_deleted': 'Connexion bancaire supprimée',
    'bank.forced_sync': 'Synchronisation forcée',
    'bank.sync_enabled': 'Synchronisation du dossier activée',
    'bank.sync_disabled': 'Synchronisation du dossier désactivée',
    'bank_account.sync_on': 'Synchronisation du compte activée',
    'bank_account.sync_off': 'Synchronisation du compte désactivée',
    'bank_account.treasury_linked': 'Compte de trésorerie associé',
    'treasury.created': 'Compte de trésorerie créé',
    'maintenance.scheduled': 'Maintenance planifiée',
    'maintenance.cancelled': 'Maintenance annulée',
    'firm.created': 'Cabinet créé',
    'firm.updated': 'Cabinet modifié',
    'support.contact': 'Demande au support',
    'audit.exported': 'Journal d’audit exporté',
    'ventilation.allocated': 'Écriture ventilée',
    'ventilation.rules_applied': 'Règles de ventilation appliquées',
    'ventilation.validated': 'Écritures validées',
    'ventilation.reopened': 'Écriture rouverte',
    'ventilation.removed': 'Écritures en attente supprimées',
    'ventilation.ignored': 'Écritures en attente ignorées',
    'ventilation.rule_saved': 'Règle de ventilation enregistrée',
    'ventilation.rule_deleted': 'Règle de ventilation supprimée',
    'ventilation.account_saved': 'Compte du dossier enregistré',
    'ventilation.account_deleted': 'Compte du dossier supprimé',
    'ventilation.exported': 'Écritures exportées',
}

# Reasons services write in « detail » as codes (sign-in failures); other details are already readable.
DETAIL_LABELS: dict[tuple[str, str], str] = {
    ('login.failed', 'password'): 'mot de passe incorrect',
    ('login.failed', 'totp'): 'code incorrect',
    ('login.failed', 'totp-enrolment'): 'code incorrect (activation)',
    ('login.failed', 'locked'): 'compte verrouillé',
    ('login.failed', 'disabled'): 'compte désactivé',
}

TARGET_LABELS: dict[str, str] = {
    'user': 'Utilisateur',
    'client': 'Dossier',
    'bank_connection': 'Connexion bancaire',
    'connection': 'Connexion bancaire',
    'bank_account': 'Compte bancaire',
    'connector': 'Connecteur',
    'delivery': 'Envoi',
    'firm': 'Cabinet',
    'maintenance': 'Maintenance',
    'mandate': 'Mandat',
    'transaction': 'Écriture',
    'treasury_account': 'Compte de trésorerie',
    'allocation_rule': 'Règle',
    'error': 'Erreur',
}


@dataclass(frozen=True)
class Family:
    code: str
    label: str
    patterns: tuple[str, ...]  # 'login.' is a prefix; a pattern without a final dot is one exact action

    def holds(self, action: str) -> bool:
        return any(action.startswith(p) if p.endswith('.') else action == p for p in self.patterns)


FAMILIES: tuple[Family, ...] = (
    Family('connexions', 'Connexions', ('login.', 'logout', 'session.', 'password.', 'totp.')),
    Family('utilisateurs', 'Utilisateurs et droits', ('user.', 'staff.', 'rights.', 'person.')),
    Family('validations', 'Validations', ('strong_auth.', 'connection.validate_pro', 'link.')),
    Family('connecteurs', 'Connecteurs', ('connector.', 'iban.connector', 'delivery.')),
    Family('mandats', 'Mandats', ('mandate.',)),
    Family('ventilation', 'Ventilation', ('ventilation.',)),
    Family('dossiers', 'Dossiers', ('client.',)),
    Family('banques', 'Banques', ('bank.', 'bank_account.', 'treasury.', 'maintenance.')),
    Family('cabinet', 'Cabinet', ('firm.', 'support.', 'audit.', 'system.')),
)
OTHERS = 'autres'  # actions of no family, so that filtering never loses an event for good
FAMILY_LABELS: dict[str, str] = {f.code: f.label for f in FAMILIES} | {OTHERS: 'Autres'}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def family_of(action: str) -> str:
    return next((f.code for f in FAMILIES if f.holds(action)), OTHERS)


def detail_label(action: str, detail: str | None) -> str:
    if not detail:
        return ''
    return DETAIL_LABELS.get((action, detail), detail)


def target_label(target_type: str | None, target_id: str | None) -> str:
    if not target_type:
        return ''
    kind = TARGET_LABELS.get(target_type, target_type)
    return f'{kind} n° {target_id}' if target_id else kind


def actions_matching(text: str) -> list[str]:
    """Known actions whose French label contains ``text``, so « connexion » finds sign-ins by their words."""
    needle = text.casefold()
    return [code for code, label in ACTION_LABELS.items() if needle in label.casefold()]
