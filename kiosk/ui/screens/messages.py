"""Messages: the conversations (unread first), one conversation, its attachments.

One screen per step of kiosk.core.flows.messages.MessagesFlow; the reply screens (ready-made
answers, the keyboard, the confirmation) are in kiosk.ui.screens.messages_reply. The flow
lives in the session's data (wiped with it). A screen brought back by Retour first moves
the flow back to its own step, so the flow and the screen never disagree.

Message bodies, subjects and typed replies are private: every description that holds
them says so (``private=True``), and the spoken buttons of the list leave the subject out.
"""

from __future__ import annotations

from typing import Any

from kiosk.core.flows.messages import MessagesFlow, MessagesStep
from kiosk.core.i18n import format_date
from kiosk.core.labels import profession_of
from kiosk.core.models import Message, MessageThread
from kiosk.core.speech import ScreenDescription
from kiosk.ui.blocks import Block
from kiosk.ui.flow_context import act, load_first, session_flow
from kiosk.ui.journey import JourneyScreen
from kiosk.ui.look import look
from kiosk.ui.reading import Inset, ReadingView, Words, nav_style, read_in, reading_lines, save_place, saved_place, short_date
from kiosk.ui.screen import Feature, describe_widgets, register_feature, screen, step_screen
from kiosk.ui.screens.access_code import signed_in
from kiosk.ui.widgets import Button, Text

FLOW_KEY = "ui.flow.messages"
#: session.data: thread id -> ids of the messages that were not read when the thread was opened
NEW_KEY = "ui.messages.new"
#: How far each step is from the list: Retour moves the flow back, never forward.
RANK = {
    MessagesStep.THREADS: 0,
    MessagesStep.THREAD: 1,
    MessagesStep.ATTACHMENT: 2,
    MessagesStep.REPLY_CHOICE: 2,
    MessagesStep.REPLY_TYPING: 3,
    MessagesStep.REPLY_CONFIRM: 4,
}
#: From this text size on, a conversation of the list is its words, then a button (see ThreadsScreen).
LARGE_TEXT_SIZE = 3


def flow_for(app: Any, *, fresh: bool = False) -> MessagesFlow:
    old = app.session.data.get(FLOW_KEY)
    if fresh and old is not None and not old.finished:
        old.cancel()
    return session_flow(app, FLOW_KEY, MessagesFlow, fresh=fresh)


def back_to(flow: MessagesFlow, step: MessagesStep) -> None:
    """Move the flow back to `step` (never forward, never out of the flow)."""
    for _ in range(8):
        if flow.finished or flow.step is step or RANK[flow.step] <= RANK[step]:
            return
        flow.back()


class MessagesScreen(JourneyScreen):
    """Base of the messages screens: the flow, moved back to this screen's step, and its error."""

    title_key = "flows.messages.title"
    flow_key = FLOW_KEY
    journey_flow = staticmethod(flow_for)

    def build(self) -> None:
        self.content.spacing_mm = self.content_gap_mm  # more of the words on each page
        self.built_for = (look().lang, self.layout())
        super().build()

    def move_to_step(self) -> None:
        back_to(self.flow, self.flow_step)  # never forward, never out of the flow

    content_gap_mm = 3.0

    def layout(self) -> Any:
        """What changes the screen's layout with the text size (subclasses)."""
        return None

    def on_prefs(self) -> None:
        # dates and words given as values are in the language of the build, and some layouts follow
        # the text size: built again when either changed
        if (look().lang, self.layout()) != self.built_for:
            self.redraw()

    def refresh(self) -> None:
        super().refresh()
        if look().text_size >= 3:  # very large text: a little less margin, one more answer on the page
            self.padding = [look().mm(2)] * 4

    def private_description(self) -> ScreenDescription:
        lines, buttons = describe_widgets(self)
        return ScreenDescription(title=self.title(), step=self.step_text() or None, lines=tuple(lines),
                                 buttons=tuple(buttons), private=True)


def thread_values(flow: MessagesFlow, thread: MessageThread) -> dict[str, str]:
    pro = thread.professional
    # a list line: the day only ("21 novembre 2026"), so most conversations hold on one line
    date = format_date(thread.last_date, look().lang, with_time=False, weekday=False)
    # "reçu le …" (or "envoyé le …" when the patient wrote last): the date the message came, not a deadline
    last = max(thread.messages, key=lambda m: m.date)
    when_key = "screens.messages.sent_on" if last.from_patient else "screens.messages.received_on"
    return {"status": look().tr(flow.status_key(thread)), "who": pro.name, "profession": profession_of(look().catalog, pro),
            "subject": thread.subject, "date": date, "when": look().tr(when_key, date=date)}


@screen("messages", order=45)
@step_screen(MessagesFlow, MessagesStep.THREADS)
class ThreadsScreen(MessagesScreen):
    """The conversations, unread first: "Non lu" in words and a closed envelope; read ones an open one."""

    list_spacing_mm = 3  # five conversations a page at the default size

    @classmethod
    def prepare(cls, app: Any, params: dict[str, Any]):
        # shown from Home (fresh=True), and again by Retour: the list as the health space has it now
        if params.get("fresh"):
            return lambda: flow_for(app, fresh=True)
        return load_first(app, FLOW_KEY, flow_for)

    def fill(self) -> None:
        flow = self.flow
        # sizes 1-2: each conversation is one big button; larger: a short button ("Non lu : who"), then
        # the rest in words (which the pages can cut), so nothing is ever taller than a page
        self.large = self.layout()
        if flow.empty_key:
            summary = Text(key=flow.empty_key, style="strong")
        elif flow.unread_total:
            summary = Text(raw=look().catalog.tr_n("screens.messages.unread", flow.unread_total), style="strong")
        else:
            summary = Text(key="screens.messages.unread.none", style="strong")
        if not self.large:
            self.add(summary)
        self.spoken: dict[str, str] = {}
        for thread in flow.threads:
            values = thread_values(flow, thread)
            icon = "mail" if thread.unread_count else "mail_open"
            name = f"messages.thread.{thread.id}"
            if self.large:
                # the button and what it is about: one block, on one page
                self.add(Block(Button("screens.messages.thread_button", icon, values=values, name=name, main=True,
                                      on_activate=lambda i=thread.id: self.open(i)),
                               Text(key="screens.messages.thread_about", values=values), role="item"))
            else:
                self.add(Button("screens.messages.thread_item", icon, values=values, name=name, row=True,
                                style="panel", on_activate=lambda i=thread.id: self.open(i)))
            self.spoken[name] = look().tr("screens.messages.thread_spoken", **values)
        if self.large:  # after the conversations: the first page shows the first (unread) one
            self.add(summary)
        self.add(Text(key="screens.messages.only_pros"))

    def layout(self) -> bool:
        return look().text_size >= LARGE_TEXT_SIZE

    def open(self, thread_id: str) -> None:
        thread = next((t for t in self.flow.threads if t.id == thread_id), None)
        if thread is not None and thread.unread_count:  # opening marks them read: remember which were new
            new = self.app.session.data.setdefault(NEW_KEY, {})
            new[thread_id] = {m.id for m in thread.messages if not m.read and not m.from_patient}
        act(self.app, lambda: self.flow.open_thread(thread_id), then=self._opened)

    def _opened(self, done: bool) -> None:
        if done:
            self.follow()
        elif self.flow.error_key:
            self.app.shell.show_banner(self.flow.error_key, kind="error")

    def describe(self) -> ScreenDescription:
        """The subjects are said only when private content may be spoken; the buttons say who and if read."""
        lines, buttons = describe_widgets(self)
        page = [w for item in self.content.pages[self.content.page] for w in item.walk(restrict=True)
                if getattr(w, "name", "") in self.spoken]
        spoken = []
        for text in buttons:  # in the order shown: a conversation's button says who, and whether it was read
            if page and page[0].text == text:
                text = self.spoken[page.pop(0).name]
            spoken.append(text)
        return ScreenDescription(title=self.title(), step=self.step_text() or None, lines=tuple(lines),
                                 buttons=tuple(spoken), private=True)


@screen("messages.thread", order=46)
@step_screen(MessagesFlow, MessagesStep.THREAD)
class ThreadScreen(MessagesScreen):
    """One conversation read full width at the person's text size, newest message first.

    A kiosk.ui.reading.ReadingView: each message's words reflowed, a page of whole lines at a
    time, with who wrote it and when ("De Docteur …, reçu le …") on top of every page; the
    messages just read say "Nouveau message de …" with an envelope; an attachment is a button
    in its place in the text; Répondre is a tool beside Précédent and Suivant, on every page.
    A new text size reflows the words and keeps the page that holds the first word shown.
    """

    def fill(self) -> None:
        flow, thread = self.flow, self.flow.thread
        self.reading: ReadingView | None = None
        if thread is None:  # nothing to show (a refusal, a stale screen): Retour is there
            return
        self.place_key = f"thread:{thread.id}"
        before = self.app.nav.current  # the screen shown until this one is built
        if isinstance(before, ThreadsScreen) or (flow.notice_key and not isinstance(before, ThreadScreen)):
            # opened from the list, or just answered: the newest message first, at the top; drawn
            # again (a new text size) or back from an attachment: at the same words
            save_place(self.app, self.place_key, 0)
        reply = Button("screens.messages.reply", "reply", kind="primary", name="messages.reply", style=nav_style(),
                       on_activate=self.reply)
        self.reading = read_in(self, ReadingView(
            thread_blocks(flow, self.app.session.data.get(NEW_KEY, {}).get(thread.id, ()), self.open_attachment),
            tools=[reply], word=saved_place(self.app, self.place_key),
            on_place=lambda word: save_place(self.app, self.place_key, word)))

    def on_prefs(self) -> None:
        self.redraw()  # the dates in the new words, the buttons at the new size; the place is kept

    def reply(self) -> None:
        if self.flow.reply():
            self.follow()

    def open_attachment(self, document_id: str) -> None:
        act(self.app, lambda: self.flow.open_attachment(document_id), then=self._attachment_opened)

    def _attachment_opened(self, done: bool) -> None:
        if not done:
            if self.flow.error_key:
                self.app.shell.show_banner(self.flow.error_key, kind="error")
            return
        try:
            from kiosk.ui.screens.documents import open_in_viewer
        except ImportError:  # a kiosk built without the document viewer
            self.flow.back()
            self.app.shell.show_banner("screens.messages.viewer_missing", kind="error")
            return
        open_in_viewer(self.app, self.flow.viewer, return_screen="messages.thread")

    def describe(self) -> ScreenDescription:
        """The page shown: who wrote and when, its words, where we are; private (a message)."""
        if self.reading is None:
            return self.private_description()
        lines, buttons = reading_lines(self, self.reading)
        return ScreenDescription(title=self.title(), step=self.step_text() or None, lines=tuple(lines),
                                 buttons=tuple(buttons), private=True)


def message_header(message: Message, pro_name: str, is_new: bool) -> str:
    """"De Docteur Henri Fictif, reçu le 21 novembre 2026" ("Nouveau message de …" when it was not
    read before): on top of every page of this message."""
    when = short_date(message.date, look().lang)
    if message.from_patient:
        return look().tr("screens.reading.from_you", date=when)
    key = "screens.reading.from_pro_new" if is_new else "screens.reading.from_pro"
    return look().tr(key, who=message.sender.name if message.sender else pro_name, date=when)


def thread_blocks(flow: MessagesFlow, new: Any, open_attachment: Any) -> list[Words | Inset]:
    """The conversation as it is read: the notice of a reply just sent, the subject, then each
    message (newest first) with who wrote it and when, its lines, and its attachments' buttons.

    Only the words of the messages are counted (the place). A message's "… a écrit le … :" is
    left out at the top of a page, where the page's header says it; a new message's header says
    "Nouveau message de …" on each of its pages (and its own line, when shown, has an envelope).
    """
    thread = flow.thread
    lang = look().lang
    pro = thread.professional
    blocks: list[Words | Inset] = []
    if flow.notice_key:  # just sent: said first, and the reply is right under it (the newest first)
        blocks.append(Words(look().tr(flow.notice_key), style="strong", counted=False, icon="check"))
    blocks.append(Words(thread.subject, style="heading", counted=False, keep_with_next=True, keep=True))
    for index, message in enumerate(reversed(flow.messages)):  # the newest first: what is new is on page 1
        when = format_date(message.date, lang)
        is_new = message.id in new
        if message.from_patient:
            says = look().tr("screens.messages.from_you", date=when)
        else:
            who = message.sender.name if message.sender else pro.name
            says = look().tr("screens.messages.from_pro_new" if is_new else "screens.messages.from_pro",
                             who=who, date=when)
        opening = Words(says, style="strong", counted=False, opens=True, keep_with_next=True, keep=True,
                        icon="mail" if is_new else None, section=message_header(message, pro.name, is_new))
        if index == 0:  # the page that starts with the notice or the subject: this message's header
            blocks[0].section = opening.section
        blocks.append(opening)
        after_blank = False
        for line in message.body.splitlines():
            if line.strip():
                blocks.append(Words(line.strip(), gap_before=after_blank))
            after_blank = not line.strip()
        first = True
        for doc_id in message.attachments:
            doc = flow.attachments.get(doc_id)
            if doc is not None:  # one under the other, like the lines of a list
                blocks.append(Inset(Button("screens.messages.attachment", "paperclip", values={"title": doc.title},
                                           name=f"messages.attachment.{doc_id}", row=True,
                                           on_activate=lambda d=doc_id: open_attachment(d)), gap_before=first))
                first = False
    return blocks


register_feature(Feature("messages", "mail", "screens.messages.tile", "messages", order=45,
                         params={"fresh": True}, available=signed_in))

from kiosk.ui.screens import messages_reply  # noqa: E402,F401  (registers the reply screens)
