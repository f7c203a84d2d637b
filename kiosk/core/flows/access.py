""""Qui voit mes données": professionals with access, block / unblock, emergency access, history.

Steps::

    OVERVIEW --ask_block / ask_unblock--> CONFIRM_BLOCK / CONFIRM_UNBLOCK --confirm--> OVERVIEW (+ notice)
             --open_emergency--> EMERGENCY --ask_change--> CONFIRM_EMERGENCY --confirm--> EMERGENCY (+ notice)
             --open_history--> HISTORY (paged, newest first)

The block / unblock words name the professional and follow their gender when the data gives it
("Elle ne pourra plus…"), else they are neutral ("Cette personne ne pourra plus…"): each key ends
in ``.female``, ``.male`` or ``.neutral`` (see `gender_form`). After a block or an unblock,
``notice_for`` says whose line the notice belongs next to.
"""

from __future__ import annotations

import enum

from kiosk.core.audit import AuditAction, SubjectKind
from kiosk.core.flows.base import SCOPE_ACCESS, Flow, action
from kiosk.core.flows.summary import Activity
from kiosk.core.labels import profession_label
from kiosk.core.models import AccessEvent, AccessRight, Page, Professional

DEFAULT_PAGE_SIZE = 5

TITLE_KEY = "flows.access.title"
EMPTY_KEY = "flows.access.empty"
# keys that end in ".female", ".male" or ".neutral" (the professional's gender, see gender_form)
BLOCKED_KEY = "flows.access.status.blocked"
ALLOWED_KEY = "flows.access.status.allowed"
BLOCK_KEYS = ("flows.access.block.question", "flows.access.block.what_changes", "flows.access.block.undo")
UNBLOCK_KEYS = ("flows.access.unblock.question", "flows.access.unblock.what_changes")
BLOCKED_DONE_KEY = "flows.access.block.done"
UNBLOCKED_DONE_KEY = "flows.access.unblock.done"
GENDER_FORMS = ("female", "male", "neutral")


def gender_form(pro: Professional) -> str:
    """"female" or "male" when the data says so (FHIR Practitioner.gender), else "neutral"."""
    return pro.gender if pro.gender in ("female", "male") else "neutral"


def gendered(key: str, pro: Professional) -> str:
    return f"{key}.{gender_form(pro)}"


def pro_values(pro: Professional, catalog) -> dict[str, str]:
    """The name as the data has it ("Docteure Anne Martin"), the profession in the kiosk's words."""
    return {"name": pro.name,
            "profession": profession_label(catalog, pro.profession_code, pro.profession, pro.gender)}
EMERGENCY_KEYS = ("flows.access.emergency.what", "flows.access.emergency.why", "flows.access.emergency.choice")
EMERGENCY_ON_KEY = "flows.access.emergency.is_on"
EMERGENCY_OFF_KEY = "flows.access.emergency.is_off"
EMERGENCY_TURN_ON_KEYS = ("flows.access.emergency.on.question", "flows.access.emergency.on.what_changes")
EMERGENCY_TURN_OFF_KEYS = (
    "flows.access.emergency.off.question",
    "flows.access.emergency.off.what_changes",
    "flows.access.emergency.off.risk",
)
EMERGENCY_DONE_ON_KEY = "flows.access.emergency.on.done"
EMERGENCY_DONE_OFF_KEY = "flows.access.emergency.off.done"
HISTORY_EMPTY_KEY = "flows.access.history.empty"
HISTORY_TITLE_KEY = "flows.access.history.title"
EMERGENCY_TITLE_KEY = "flows.access.emergency.title"


class AccessStep(enum.Enum):
    OVERVIEW = "overview"
    CONFIRM_BLOCK = "confirm_block"
    CONFIRM_UNBLOCK = "confirm_unblock"
    EMERGENCY = "emergency"
    CONFIRM_EMERGENCY = "confirm_emergency"
    HISTORY = "history"


class AccessFlow(Flow):
    Step = AccessStep
    scope = SCOPE_ACCESS
    STEP_NUMBERS = {
        "OVERVIEW": 1,
        "CONFIRM_BLOCK": 2,
        "CONFIRM_UNBLOCK": 2,
        "EMERGENCY": 2,
        "CONFIRM_EMERGENCY": 3,
        "HISTORY": 2,
    }

    title_key = TITLE_KEY
    emergency_keys = EMERGENCY_KEYS
    emergency_title_key = EMERGENCY_TITLE_KEY
    history_title_key = HISTORY_TITLE_KEY

    def __init__(self, context, *, page_size: int = DEFAULT_PAGE_SIZE, guard=None) -> None:
        super().__init__(context, guard=guard)
        self.page_size = page_size
        self._clear()

    def _clear(self) -> None:
        self.rights: list[AccessRight] = []
        self.emergency_enabled: bool | None = None
        self.selected: AccessRight | None = None
        self.emergency_target: bool | None = None
        self._history_page: Page[AccessEvent] | None = None
        #: the professional just blocked or unblocked: the notice goes next to their line
        self.changed_id: str | None = None
        self._notice_pro: Professional | None = None

    # ------------------------------------------------------------ reading
    @property
    def step_count(self) -> int:
        return 3 if self.step in (AccessStep.EMERGENCY, AccessStep.CONFIRM_EMERGENCY) else 2

    @property
    def empty_key(self) -> str | None:
        return EMPTY_KEY if not self.rights else None

    @staticmethod
    def status_key(right: AccessRight) -> str:
        """"Bloqué" (in the professional's gender, or neutral) or "Peut voir votre dossier", in words."""
        return gendered(BLOCKED_KEY, right.professional) if right.blocked else ALLOWED_KEY

    @property
    def emergency_status_key(self) -> str | None:
        if self.emergency_enabled is None:
            return None
        return EMERGENCY_ON_KEY if self.emergency_enabled else EMERGENCY_OFF_KEY

    @property
    def confirm_keys(self) -> tuple[str, ...]:
        if self.step in (AccessStep.CONFIRM_BLOCK, AccessStep.CONFIRM_UNBLOCK) and self.selected is not None:
            keys = BLOCK_KEYS if self.step is AccessStep.CONFIRM_BLOCK else UNBLOCK_KEYS
            return tuple(gendered(key, self.selected.professional) for key in keys)
        if self.step is AccessStep.CONFIRM_EMERGENCY:
            return EMERGENCY_TURN_ON_KEYS if self.emergency_target else EMERGENCY_TURN_OFF_KEYS
        return ()

    @property
    def notice_for(self) -> str | None:
        """The id of the professional the block / unblock notice is about (None without that notice)."""
        key = self.notice_key or ""
        if key.startswith((BLOCKED_DONE_KEY + ".", UNBLOCKED_DONE_KEY + ".")):
            return self.changed_id
        return None

    @property
    def notice_values(self) -> dict[str, str]:
        """Who the block / unblock notice names, in the language shown now."""
        return pro_values(self._notice_pro, self.context.catalog()) if self._notice_pro is not None else {}

    @property
    def confirm_values(self) -> dict[str, str]:
        """Who the block / unblock question is about: {"name": …, "profession": …}."""
        if self.step in (AccessStep.CONFIRM_BLOCK, AccessStep.CONFIRM_UNBLOCK) and self.selected is not None:
            return pro_values(self.selected.professional, self.context.catalog())
        return {}

    @property
    def events(self) -> tuple[AccessEvent, ...]:
        return self._history_page.items if self._history_page else ()

    @property
    def history_page(self) -> int:
        return self._history_page.page if self._history_page else 1

    @property
    def history_page_count(self) -> int:
        return self._history_page.page_count if self._history_page else 1

    @property
    def has_next_history_page(self) -> bool:
        return bool(self._history_page and self._history_page.has_next)

    @property
    def has_previous_history_page(self) -> bool:
        return bool(self._history_page and self._history_page.has_previous)

    @property
    def history_empty_key(self) -> str | None:
        return HISTORY_EMPTY_KEY if self._history_page is not None and self._history_page.total == 0 else None

    # ------------------------------------------------------------ actions
    def _start(self) -> None:
        rights = self._space.list_access_rights(self._patient)
        emergency = self._space.get_emergency_access(self._patient)
        self.rights, self.emergency_enabled = rights, emergency

    def _find(self, professional_id: str) -> AccessRight | None:
        return next((r for r in self.rights if r.professional.id == professional_id), None)

    @action("OVERVIEW")
    def ask_block(self, professional_id: str) -> bool:
        right = self._find(professional_id)
        if right is None or right.blocked:
            return False
        self.selected = right
        self._go(AccessStep.CONFIRM_BLOCK)
        return True

    @action("OVERVIEW")
    def ask_unblock(self, professional_id: str) -> bool:
        right = self._find(professional_id)
        if right is None or not right.blocked:
            return False
        self.selected = right
        self._go(AccessStep.CONFIRM_UNBLOCK)
        return True

    @action("OVERVIEW")
    def open_emergency(self) -> None:
        self._go(AccessStep.EMERGENCY)

    @action("EMERGENCY")
    def ask_change(self) -> None:
        """Turn emergency access to the other value (after a confirmation)."""
        self.emergency_target = not self.emergency_enabled
        self._go(AccessStep.CONFIRM_EMERGENCY)

    @action("OVERVIEW")
    def open_history(self) -> None:
        self._history_page = self._load_history(1)
        self._audit(AuditAction.ACCESS_HISTORY_VIEWED)
        self._go(AccessStep.HISTORY)

    @action("HISTORY")
    def next_history_page(self) -> bool:
        if not self.has_next_history_page:
            return False
        self._history_page = self._load_history(self.history_page + 1)
        return True

    @action("HISTORY")
    def previous_history_page(self) -> bool:
        if not self.has_previous_history_page:
            return False
        self._history_page = self._load_history(self.history_page - 1)
        return True

    @action("CONFIRM_BLOCK", "CONFIRM_UNBLOCK", "CONFIRM_EMERGENCY")
    def confirm(self) -> None:
        if self.step is AccessStep.CONFIRM_EMERGENCY:
            target = bool(self.emergency_target)
            self.emergency_enabled = self._space.set_emergency_access(self._patient, target)
            self.emergency_target = None
            activity = Activity.EMERGENCY_ACCESS_ENABLED if target else Activity.EMERGENCY_ACCESS_DISABLED
            self._record(activity, enabled=target)
            self._return_to(AccessStep.EMERGENCY)
            self.notice_key = EMERGENCY_DONE_ON_KEY if target else EMERGENCY_DONE_OFF_KEY
            return
        block = self.step is AccessStep.CONFIRM_BLOCK
        pro = self.selected.professional
        pro_id = pro.id
        if block:
            updated = self._space.block_professional(self._patient, pro_id)
        else:
            updated = self._space.unblock_professional(self._patient, pro_id)
        self.rights = [updated if r.professional.id == pro_id else r for r in self.rights]
        self.selected = None
        self._record(
            Activity.PROFESSIONAL_BLOCKED if block else Activity.PROFESSIONAL_UNBLOCKED, SubjectKind.PROFESSIONAL, pro_id
        )
        self._return_to(AccessStep.OVERVIEW)
        self.notice_key = gendered(BLOCKED_DONE_KEY if block else UNBLOCKED_DONE_KEY, pro)
        self._notice_pro = pro
        self.changed_id = pro_id

    # ------------------------------------------------------------- helpers
    def _load_history(self, page: int) -> Page[AccessEvent]:
        return self._space.list_access_events(self._patient, page=page, page_size=self.page_size)

    def _on_back(self, leaving, to) -> None:
        if leaving in (AccessStep.CONFIRM_BLOCK, AccessStep.CONFIRM_UNBLOCK):
            self.selected = None
        elif leaving is AccessStep.CONFIRM_EMERGENCY:
            self.emergency_target = None
        elif leaving is AccessStep.HISTORY:
            self._history_page = None


__all__ = ["AccessFlow", "AccessStep"]
