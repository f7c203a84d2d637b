"""Messages: conversations unread first, read one, open its attachments, answer.

Steps::

    THREADS --open_thread--> THREAD --open_attachment--> ATTACHMENT (a DocumentsFlow in ``viewer``) --back--> THREAD
                               \\--reply--> REPLY_CHOICE --choose_ready--> REPLY_CONFIRM --send--> THREAD (+ notice)
                                              \\--type_text--> REPLY_TYPING --done_typing--/

Only professionals start a conversation. Opening a thread marks it read. A
ready-made answer is sent in French (the professional's language) whatever the
display language: ``reply_key`` lets the screen show its translation beside it.
Typed text is held by the flow for the on-screen keyboard (``insert``,
``delete``, ``space``). ``send`` keeps the same idempotency key for a retry
after an outage, so the answer is never sent twice.
"""

from __future__ import annotations

import enum
from dataclasses import replace

from kiosk.core.audit import SubjectKind
from kiosk.core.errors import HealthSpaceError, Unavailable
from kiosk.core.flows.base import SCOPE_MESSAGES, Flow, InputProblem, action
from kiosk.core.flows.documents import DocumentsFlow, PageCounter
from kiosk.core.flows.summary import Activity
from kiosk.core.models import Document, Message, MessageThread, new_idempotency_key
from kiosk.core.ports import MAX_MESSAGE_LENGTH
from kiosk.core.runner import UNKNOWN_KEY

TITLE_KEY = "flows.messages.title"
EMPTY_KEY = "flows.messages.empty"
UNREAD_KEY = "flows.messages.status.unread"
READ_KEY = "flows.messages.status.read"
FROM_YOU_KEY = "flows.messages.from_you"
READY_ANSWERS = (
    "flows.messages.ready.thanks",
    "flows.messages.ready.appointment",
    "flows.messages.ready.call_back",
)
CHOICE_PROMPT_KEY = "flows.messages.reply.prompt"
TYPE_BUTTON_KEY = "flows.messages.reply.type"
CONFIRM_KEYS = ("flows.messages.confirm.question", "flows.messages.confirm.who")
SENT_KEY = "flows.messages.sent"
TOO_LONG_KEY = "errors.rejected.message_too_long"
EMPTY_REPLY_KEY = "errors.rejected.message_empty"
#: The language ready-made answers are sent in.
REPLY_LANGUAGE = "fr"


class MessagesStep(enum.Enum):
    THREADS = "threads"
    THREAD = "thread"
    ATTACHMENT = "attachment"
    REPLY_CHOICE = "reply_choice"
    REPLY_TYPING = "reply_typing"
    REPLY_CONFIRM = "reply_confirm"


class MessagesFlow(Flow):
    Step = MessagesStep
    scope = SCOPE_MESSAGES
    STEP_NUMBERS = {"THREADS": 1, "THREAD": 2, "ATTACHMENT": 3, "REPLY_CHOICE": 3, "REPLY_TYPING": 3, "REPLY_CONFIRM": 4}

    title_key = TITLE_KEY
    ready_answers = READY_ANSWERS
    from_you_key = FROM_YOU_KEY
    choice_prompt_key = CHOICE_PROMPT_KEY
    type_button_key = TYPE_BUTTON_KEY
    confirm_keys = CONFIRM_KEYS
    max_length = MAX_MESSAGE_LENGTH

    def __init__(self, context, *, page_counter: PageCounter | None = None, guard=None) -> None:
        super().__init__(context, guard=guard)
        self.page_counter = page_counter
        self._clear()

    def _clear(self) -> None:
        self.threads: list[MessageThread] = []
        self._clear_thread()

    def _clear_thread(self) -> None:
        viewer = getattr(self, "viewer", None)
        self.viewer: DocumentsFlow | None = None
        if viewer is not None and not viewer.finished:
            viewer.wipe()
        self.thread: MessageThread | None = None
        self.attachments: dict[str, Document] = {}
        self.typed_text = ""
        self._clear_reply()

    def _clear_reply(self) -> None:
        self.reply_text = ""
        self.reply_key: str | None = None
        self._pending: tuple[str, str, str] | None = None  # (thread id, body, idempotency key)

    # ------------------------------------------------------------ reading
    @property
    def empty_key(self) -> str | None:
        return EMPTY_KEY if self.step is MessagesStep.THREADS and not self.threads else None

    @property
    def unread_total(self) -> int:
        return sum(t.unread_count for t in self.threads)

    @staticmethod
    def status_key(thread: MessageThread) -> str:
        """"Non lu" or "Lu", in words (the UI adds an icon)."""
        return UNREAD_KEY if thread.unread_count else READ_KEY

    @property
    def messages(self) -> tuple[Message, ...]:
        return self.thread.messages if self.thread else ()

    @property
    def typed_length(self) -> int:
        return len(self.typed_text)

    # ------------------------------------------------------------ actions
    def _start(self) -> None:
        self.threads = self._unread_first(self._space.list_threads(self._patient))

    @action("THREADS")
    def open_thread(self, thread_id: str) -> None:
        thread = self._space.get_thread(self._patient, thread_id)
        if thread.unread_count:
            try:
                thread = self._space.mark_thread_read(self._patient, thread_id)
            except HealthSpaceError:
                pass  # shown anyway; it stays "non lu" for next time
        attachments = {}
        for message in thread.messages:
            for doc_id in message.attachments:
                attachments[doc_id] = self._space.get_document(self._patient, doc_id)
        self.thread, self.attachments = thread, attachments
        self._record(Activity.MESSAGE_READ, SubjectKind.MESSAGE, thread.id, once=True)
        self._go(MessagesStep.THREAD)

    @action("THREAD")
    def open_attachment(self, document_id: str) -> bool:
        if document_id not in self.attachments:
            return False
        viewer = DocumentsFlow.for_document(
            self.context, document_id, scope=SCOPE_MESSAGES, page_counter=self.page_counter, guard=self.guard
        )
        viewer.add_listener(self._viewer_changed)
        self.viewer = viewer
        self._go(MessagesStep.ATTACHMENT)
        viewer.start()
        return True

    @action("THREAD")
    def reply(self) -> None:
        self._clear_reply()
        self._go(MessagesStep.REPLY_CHOICE)

    @action("REPLY_CHOICE")
    def choose_ready(self, key: str) -> bool:
        if key not in READY_ANSWERS:
            return False
        from kiosk.core.i18n import Catalog

        self.reply_key = key
        self.reply_text = Catalog.load(REPLY_LANGUAGE).tr(key)
        self._go(MessagesStep.REPLY_CONFIRM)
        return True

    @action("REPLY_CHOICE")
    def type_text(self) -> None:
        self._go(MessagesStep.REPLY_TYPING)

    @action("REPLY_TYPING")
    def insert(self, text: str) -> bool:
        text = str(text).replace("\r", "")
        room = MAX_MESSAGE_LENGTH - len(self.typed_text)
        if not text:
            return False
        if room <= 0:
            raise InputProblem(TOO_LONG_KEY)
        self.typed_text += text[:room]
        return True

    @action("REPLY_TYPING")
    def space(self) -> bool:
        if len(self.typed_text) >= MAX_MESSAGE_LENGTH:
            raise InputProblem(TOO_LONG_KEY)
        self.typed_text += " "
        return True

    @action("REPLY_TYPING")
    def delete(self) -> bool:
        if not self.typed_text:
            return False
        self.typed_text = self.typed_text[:-1]
        return True

    @action("REPLY_TYPING")
    def clear_text(self) -> None:
        self.typed_text = ""

    @action("REPLY_TYPING")
    def done_typing(self) -> None:
        if not self.typed_text.strip():
            raise InputProblem(EMPTY_REPLY_KEY)
        self.reply_key = None
        self.reply_text = self.typed_text.strip()
        self._go(MessagesStep.REPLY_CONFIRM)

    @action("REPLY_CONFIRM")
    def send(self) -> None:
        thread_id, body = self.thread.id, self.reply_text
        if self._pending is None or self._pending[:2] != (thread_id, body):
            self._pending = (thread_id, body, new_idempotency_key())
        try:
            message = self._space.reply(self._patient, thread_id, body, idempotency_key=self._pending[2])
        except Unavailable as error:
            if error.key != UNKNOWN_KEY:
                raise
            # no answer after sending: the same key again tells sent (the stored message) from not sent
            message = self._space.reply(self._patient, thread_id, body, idempotency_key=self._pending[2])
        if all(m.id != message.id for m in self.thread.messages):
            self.thread = replace(self.thread, messages=self.thread.messages + (message,))
        self._record(Activity.MESSAGE_SENT, SubjectKind.MESSAGE, message.id)
        self._clear_reply()
        self.typed_text = ""
        self._return_to(MessagesStep.THREAD)
        self.notice_key = SENT_KEY

    # ------------------------------------------------------------- helpers
    @staticmethod
    def _unread_first(threads: list[MessageThread]) -> list[MessageThread]:
        return sorted(threads, key=lambda t: t.unread_count == 0)  # stable: keeps the backend's order

    def _viewer_changed(self, viewer: DocumentsFlow) -> None:
        if viewer.finished and viewer is self.viewer:
            self.viewer = None
            if self.step is MessagesStep.ATTACHMENT:
                self._return_to(MessagesStep.THREAD)
            self._notify()

    def _go_back(self) -> None:
        if self.step is MessagesStep.ATTACHMENT and self.viewer is not None:
            self.viewer.back()  # the viewer goes back inside itself, or ends and we return to the thread
            return
        super()._go_back()

    def _on_back(self, leaving, to) -> None:
        if leaving is MessagesStep.THREAD:
            if self.thread is not None:
                self.threads = self._unread_first([self.thread if t.id == self.thread.id else t for t in self.threads])
            self._clear_thread()
        elif leaving is MessagesStep.REPLY_CHOICE:
            self._clear_reply()
        elif leaving is MessagesStep.ATTACHMENT:
            self.viewer = None


__all__ = ["MessagesFlow", "MessagesStep", "READY_ANSWERS"]
