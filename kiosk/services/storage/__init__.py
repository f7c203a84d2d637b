"""The kiosk's encrypted local store (SQLCipher): key loading, helper accounts,
audit journal and a small settings table.

    from kiosk.services.storage import open_installed, open_ephemeral, StoreError

    storage = open_ephemeral(clock=clock)             # demo / training: the kiosk's clock
    storage = open_installed(settings.state_path(), clock=clock, purpose="kiosk")
    storage.journal.append(AuditAction.SESSION_STARTED, details={"mode": "assisted"})
    storage.close()
"""

from kiosk.services.storage.errors import AccountError, KeyProblem, StoreError
from kiosk.services.storage.helper_accounts import (
    HelperAccount,
    HelperAccounts,
    SignInResult,
    SignInStatus,
)
from kiosk.services.storage.journal import SqlJournal
from kiosk.services.storage.keys import KeyMaterial, find_master_key
from kiosk.services.storage.opening import (
    Storage,
    check_installed,
    initialise,
    open_ephemeral,
    open_installed,
)
from kiosk.services.storage.store import Store

__all__ = [
    "AccountError",
    "HelperAccount",
    "HelperAccounts",
    "KeyMaterial",
    "KeyProblem",
    "SignInResult",
    "SignInStatus",
    "SqlJournal",
    "Storage",
    "Store",
    "StoreError",
    "check_installed",
    "find_master_key",
    "initialise",
    "open_ephemeral",
    "open_installed",
]
