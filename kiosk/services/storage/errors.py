"""Errors of the local store. Each message is one plain-French sentence for the
installer or the administrator; none carries a key, a path to a patient file or
any personal data."""

from __future__ import annotations


class StoreError(Exception):
    """The store cannot be used: the message says what to do, in one sentence."""


class KeyProblem(StoreError):
    """The store key is missing, malformed or not protected enough."""


class AccountError(StoreError):
    """A helper account operation was refused (bad identifier, weak PIN, unknown account...)."""


# The sentences, in one place so that `kiosk doctor` and the tests use the same words.
MSG_WRONG_KEY = (
    "La clé de la base ne correspond pas au fichier : vérifiez la clé ou restaurez la sauvegarde."
)
MSG_DAMAGED = "Le fichier de la base est abîmé : restaurez la sauvegarde."
MSG_NO_DATABASE = "La base de la borne est introuvable : lancez « kiosk admin init »."
MSG_TOO_NEW = "La base vient d'une version plus récente de la borne : mettez la borne à jour."
MSG_NO_KEY = (
    "La clé de la base est introuvable : lancez « kiosk admin init » "
    "ou fournissez l'identifiant systemd « kiosk-db-key »."
)
MSG_KEY_LOOSE = (
    "Le fichier de clé {name} est lisible par d'autres comptes : "
    "tapez « chmod 600 {name} » puis recommencez."
)
MSG_KEY_OWNER = "Le fichier de clé {name} appartient à un autre compte : donnez-le au compte de la borne."
MSG_KEY_FORMAT = (
    "Le fichier de clé {name} n'a pas le bon format : "
    "il faut 64 caractères hexadécimaux ou 32 octets bruts."
)
MSG_KEY_UNREADABLE = "Le fichier de clé {name} ne peut pas être lu : vérifiez son propriétaire."
MSG_KEY_NOT_FILE = "La clé {name} n'est pas un fichier ordinaire : remplacez-la par un fichier."
MSG_UNWRITABLE = "Le dossier {path} ne peut pas être créé ou écrit : vérifiez ses droits."
