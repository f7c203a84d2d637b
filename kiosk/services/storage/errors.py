"""Errors of the local store. Each message is one plain-French sentence for the
installer or the administrator; none carries a key, a path to a patient file or
any personal data.

Each store fault has its own error and its own sentence, and says what to do.
Only a wrong key mentions the backup: restoring an older copy of the database
puts the audit journal back in time, which is never the answer to a full disk,
a read-only folder or a damaged file.
"""

from __future__ import annotations


class StoreError(Exception):
    """The store cannot be used: the message says what to do, in one sentence."""

    #: a word for the log, `kiosk doctor` and the journal guard ("full", "read_only", "broken")
    cause = "broken"


class KeyProblem(StoreError):
    """The store key is missing, malformed or not protected enough."""


class AccountError(StoreError):
    """A helper account operation was refused (bad identifier, weak PIN, unknown account...)."""


class WrongKey(StoreError):
    """The key opens no page of the file: it is not this database's key."""


class StoreDamaged(StoreError):
    """The file is there, the key is right, but pages are damaged or missing."""


class StoreTruncated(StoreDamaged):
    """The file is shorter than it should be (cut, or left empty)."""


class StoreReadOnly(StoreError):
    """The database or its folder cannot be written (read-only mount, rights)."""

    cause = "read_only"


class StoreFull(StoreError):
    """The disk of the database has no room left."""

    cause = "full"


class StoreMissing(StoreError):
    """There is no database file."""


class StoreUnavailable(StoreError):
    """The disk answers with an input/output error."""


# The sentences, in one place so that `kiosk doctor` and the tests use the same words.
MSG_WRONG_KEY = (
    "La clé de la base ne correspond pas au fichier : vérifiez la clé ou restaurez la sauvegarde."
)
MSG_DAMAGED = (
    "Le fichier de la base est abîmé : ne l'effacez pas, copiez le dossier de la borne "
    "et appelez le support."
)
MSG_TRUNCATED = (
    "Le fichier de la base est incomplet, il a été coupé : ne l'effacez pas, copiez le dossier "
    "de la borne et appelez le support."
)
MSG_READ_ONLY = (
    "Le dossier {path} est en lecture seule : vérifiez le montage du disque et les droits du dossier."
)
MSG_FULL = "Le disque de {path} est plein : libérez de la place, puis recommencez."
MSG_DISK_ERROR = "Le disque de {path} ne répond pas bien (erreur de lecture ou d'écriture) : faites-le vérifier."
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
MSG_KEY_EMPTY_NO_DATABASE = (
    "Le fichier de clé {name} est vide (une initialisation interrompue) : "
    "relancez « kiosk admin init », qui le remplacera."
)
MSG_KEY_EMPTY = (
    "Le fichier de clé {name} est vide : remettez-y les 64 caractères de la copie papier de la clé."
)
MSG_KEY_UNREADABLE = "Le fichier de clé {name} ne peut pas être lu : vérifiez son propriétaire."
MSG_KEY_NOT_FILE = "La clé {name} n'est pas un fichier ordinaire : remplacez-la par un fichier."
MSG_UNWRITABLE = "Le dossier {path} ne peut pas être créé ou écrit : vérifiez ses droits."
MSG_CLOSED = "La base a été fermée : redémarrez la borne."
