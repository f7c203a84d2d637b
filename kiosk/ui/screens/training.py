"""Training mode on screen: the band, the exercises menu, the goal, the result and the summary.

`kiosk run --training` (settings.training) calls :func:`enable_training` once the shell exists:

- a band "MODE FORMATION — patients fictifs" sits above every screen, from Welcome on, and
  stays through session ends and "next person"; it has no close button. Its one button opens
  the exercises ("Exercices"), or, while an exercise runs, asks for the check ("Vérifier");
- the menu lists the exercises of kiosk.core.training with their result; choosing one shows
  its goal in FALC and "Commencer l'exercice"; the trainee then uses the normal screens. Which
  of these screens comes next is kiosk.core.flows.training.TrainingFlow's step (one screen per
  step, the exercise itself being the normal kiosk);
- the check is the core's judgement (kiosk.core.training.Training) from the records the flows
  emit (``flow_context.AUDIT_TAPS``) and from the assisted session; never a "j'ai fini";
- the demo one-time code is shown on the code screen in training mode only
  (``sign_in.CODE_HINTS``), and it is registered as a secret with the voice.

The Training object and its flow live in ``services.extras`` (not in the session's data): the
results stay while patients come and go. ``disable_training`` puts everything back (tests).
"""

from __future__ import annotations

from typing import Any, Callable

from kiosk.core.flows.base import AuditRecord
from kiosk.core.flows.sign_in import IDENTIFIER_GROUPS
from kiosk.core.flows.training import TrainingFlow, TrainingStep
from kiosk.core.session import State
from kiosk.core.speech import ScreenDescription
from kiosk.core.training import (
    BAND_KEY,
    NOT_DONE_KEY,
    RESTART_KEY,
    SUMMARY_TITLE_KEY,
    ResultState,
    Training,
)
from kiosk.services.backend.demo import demo_patient_cards, demo_sign_in_code
from kiosk.ui.flow_context import AUDIT_TAPS, assisted_session
from kiosk.ui.look import look
from kiosk.ui.overlays import ConfirmDialog
from kiosk.ui.screen import SCREENS, Screen, register_exit, screen, step_screen
from kiosk.ui.screens import sign_in
from kiosk.ui.shell import Band
from kiosk.ui.widgets import Button, Text

#: services.extras key of the running TrainingMode.
MODE_KEY = "ui.training"
MENU, GOAL, RESULT, SUMMARY = "training.menu", "training.goal", "training.result", "training.summary"

STATE_ICONS = {ResultState.SUCCESS: "check", ResultState.FAILURE: "close"}


def grouped(ins: str) -> str:
    """A health identifier grouped like on the card: "2 44 03 99 999 001 68"."""
    groups, start = [], 0
    for size in IDENTIFIER_GROUPS:
        groups.append(ins[start:start + size])
        start += size
    return " ".join(g for g in groups if g)


def patient_name(ins: str) -> str:
    for card in demo_patient_cards():
        if card.ins == ins:
            return card.name
    return ""


class TrainingMode:
    """The training state of one running app: the core's Training, the band and the hooks."""

    def __init__(self, app: Any, *, for_picture: bool = False) -> None:
        self.app = app
        self.for_picture = for_picture
        self.training = Training(app.services.backend, session=app.session)
        self.flow = TrainingFlow(self.training)
        #: The screen to come back to after "Vérifier" → "Continuer l'exercice".
        self.return_to: tuple[str, dict[str, Any]] | None = None
        # the band keeps the size of the bars (which do not grow with the text size either), so
        # the screen below keeps its room at the largest text size
        self.button = Button("training.ui.open_menu", "question", name="training.band.button", style="bar",
                             on_activate=self.band_pressed)
        self.band = Band(BAND_KEY, button=self.button, name="training.band")
        self.band.message.style = "bar"
        self.band.message.source = self.band_words
        self.band.refresh()
        self._unlisten: Callable[[], None] | None = None

    # -- installing -------------------------------------------------------------------------
    def install(self) -> None:
        app = self.app
        app.services.extras[MODE_KEY] = self
        app.shell.add_band(self.band)
        app.touch_hooks.append(self.attach_assisted)
        self._unlisten = self.training.add_listener(lambda _t: self.refresh_band())
        if self.for_picture:
            app.session.on_reset.append(self._picture_over)
        self.refresh_band()

    def uninstall(self) -> None:
        app = self.app
        if app.services.extras.get(MODE_KEY) is self:
            del app.services.extras[MODE_KEY]
        app.shell.remove_band(self.band)
        if self.attach_assisted in app.touch_hooks:
            app.touch_hooks.remove(self.attach_assisted)
        if self._picture_over in app.session.on_reset:
            app.session.on_reset.remove(self._picture_over)
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        self.training.restart()  # the demo data as it was, for whoever comes next

    def _picture_over(self, _session: Any) -> None:
        self.uninstall()

    @property
    def active(self) -> str | None:
        """The exercise the trainee started and has not left yet (the band names it)."""
        return self.flow.active

    @active.setter
    def active(self, exercise_id: str | None) -> None:
        self.flow.active = exercise_id

    # -- the band ---------------------------------------------------------------------------
    def band_words(self) -> str:
        lk = look()
        words = lk.tr(BAND_KEY)
        if self.active is not None:
            words += " · " + lk.tr("training.ui.band.running")
        return words

    def refresh_band(self) -> None:
        key, icon = ("training.ui.check", "check") if self.active else ("training.ui.open_menu", "question")
        self.button.label.set_text(key=key)
        self.button.set_icon(icon)
        self.button.refresh()
        self.band.message.refresh()
        self.band.refresh()
        self.app.shell.frame._trigger_layout()

    def band_pressed(self) -> None:
        if self.active is not None:
            self.verify()
        else:
            self.open_menu()

    # -- the records of the flows -------------------------------------------------------------
    def on_record(self, record: AuditRecord) -> None:
        if self.active is not None:
            self.training.audit_hook(record)

    def attach_assisted(self) -> None:
        """The assisted exercise is judged on the helper's session: follow it once it exists."""
        run = self.training.current
        assisted = assisted_session(self.app)
        if (self.active is not None and run is not None and run.exercise.assisted and not run.finished
                and assisted is not None and run.assisted is not assisted):
            self.training.attach_assisted(assisted)

    # -- moving around ----------------------------------------------------------------------
    def leave_session(self) -> None:
        """Drop the patient session at once (wiped and journaled as usual), back to no one."""
        session = self.app.session
        if session.state in (State.ACTIVE, State.WARNING):
            session.end()
        if session.state is State.ENDED:
            self.app.next_person()

    def follow(self) -> None:
        """The screen of the flow's step (flows lead, screens follow)."""
        self.app.nav.follow(self.flow)

    def open_menu(self) -> None:
        was_running = self.active is not None
        self.flow.open_menu()  # leaving an exercise before its goal is "not done"
        if was_running:
            self.refresh_band()
        self.leave_session()  # then Welcome: nothing on the way back
        self.follow()

    def choose(self, exercise_id: str) -> None:
        self.flow.choose(exercise_id)
        self.follow()

    def start(self) -> None:
        """"Commencer l'exercice": fresh demo data, then the normal kiosk from its Welcome screen."""
        self.leave_session()
        self.flow.start()
        self.return_to = None
        self.refresh_band()
        self.follow()

    def verify(self) -> None:
        """"Vérifier": the core judges from what was really done; the result screen says it."""
        current = self.app.nav.current
        if current is not None and not isinstance(current, TrainingScreen):
            self.return_to = self.app.nav.where()
        self.attach_assisted()
        self.flow.verify()
        self.follow()

    def resume(self) -> None:
        """"Continuer l'exercice": back to the exercise (see `back_to_exercise`)."""
        self.flow.resume()
        self.follow()

    def back_to_exercise(self) -> None:
        """The exercise again: the screen the trainee was on, or Welcome (that person has gone)."""
        target = self.return_to
        if target is not None:
            name, params = target
            if not SCREENS[name].in_session or self.app.session.state in (State.ACTIVE, State.WARNING):
                self.app.nav.show(name, **params)  # where the trainee was, as Retour would
                return
        self.app.nav.welcome()

    def stop_exercise(self) -> None:
        """"Arrêter l'exercice": not reached is a failure (the core says why)."""
        self.flow.stop()
        self.follow()

    def show_summary(self) -> None:
        self.flow.show_summary()
        self.follow()

    def restart(self) -> None:
        """"Recommencer": the demo data and every result back to the start; the summary says so."""
        self.leave_session()
        self.flow.restart()
        self.refresh_band()
        self.follow()


def training_mode(app: Any) -> TrainingMode | None:
    extras = getattr(app.services, "extras", None) or {}
    return extras.get(MODE_KEY)


def enable_training(app: Any, *, for_picture: bool = False) -> TrainingMode:
    """Training mode on this app: the band, the menu, the demo codes. Call once the shell exists.

    ``for_picture``: only until the next person (pictures and tests of a single screen).
    """
    mode = training_mode(app)
    if mode is None:
        mode = TrainingMode(app, for_picture=for_picture)
        mode.install()
    return mode


def disable_training(app: Any) -> None:
    mode = training_mode(app)
    if mode is not None:
        mode.uninstall()


def demo_helper(app: Any) -> dict[str, str]:
    """The fictional helper account of demo and training stores (its PIN kept from the voice)."""
    from kiosk.ui.screens.assisted import DEMO_HELPER_IDENTIFIER, DEMO_HELPER_PIN

    policy = getattr(getattr(app.services, "speaker", None), "policy", None)
    if policy is not None:
        policy.register_secret(DEMO_HELPER_PIN)
    return {"identifier": DEMO_HELPER_IDENTIFIER, "pin": DEMO_HELPER_PIN}


def welcome_extras(app: Any) -> list[Button]:
    """The entry to the exercises on the Welcome screen, in training mode only."""
    mode = training_mode(app)
    if mode is None:
        return []
    return [Button("training.ui.open_menu", "question", name="welcome.training", on_activate=mode.open_menu)]


# -- hooks into the other screens ----------------------------------------------------------------

def _audit_tap(app: Any):
    mode = training_mode(app)
    if mode is None:
        return None
    mode.attach_assisted()
    return mode.on_record


def _demo_code_hint(app: Any, flow: Any) -> str | None:
    """The demo one-time code, on the code screen, in training mode only."""
    if training_mode(app) is None:
        return None
    try:
        code = demo_sign_in_code(flow.identifier)
    except KeyError:
        return None
    speaker = getattr(app.services, "speaker", None)
    policy = getattr(speaker, "policy", None)
    if policy is not None:
        policy.register_secret(code)  # a code is never said aloud, even a demonstration one
    return look().tr("training.ui.code_hint", code=code)


AUDIT_TAPS.append(_audit_tap)
sign_in.CODE_HINTS.append(_demo_code_hint)


# -- the screens ---------------------------------------------------------------------------------

class TrainingScreen(Screen):
    in_session = False

    def add_secondary(self, button: Button) -> None:
        """An action at the bottom; in the pages, after the words, when the text is very large
        (with the band above, the page needs the room of the action row)."""
        if look().text_size <= 2:
            self.add_action(button)
        else:
            self.add(button)

    add_main = add_secondary

    @property
    def mode(self) -> TrainingMode:
        mode = training_mode(self.app)
        if mode is None:  # a training screen without training mode: never shown by the kiosk itself
            mode = enable_training(self.app, for_picture=True)
        return mode

    def back_to_menu_button(self, kind: str = "secondary") -> Button:
        return Button("training.ui.back_to_menu", "back", kind=kind, name="training.back_to_menu",
                      on_activate=self.mode.open_menu)


@screen(MENU, order=11)
@step_screen(TrainingFlow, TrainingStep.MENU)
class TrainingMenuScreen(TrainingScreen):
    title_key = "training.ui.menu.title"  # "Choisissez un exercice": the title says what to do

    @property
    def columns(self) -> int:  # type: ignore[override]
        return 2 if look().text_size <= 2 else 1

    def build(self) -> None:
        # the six exercises on one page at the default size: the title on the button, the result as
        # its icon (✓ réussi, ✗ pas réussi, → à faire); the words of the result are in the spoken
        # description and on the summary screen
        self.content.spacing_mm = 4
        self.lines = self.mode.training.summary()
        for line in self.lines:
            self.add(Button(line.exercise.title_key, STATE_ICONS.get(line.state, "forward"), min_mm=17,
                            name=f"training.exercise.{line.exercise.id}",
                            on_activate=lambda i=line.exercise.id: self.mode.choose(i)))
        # no action row: its room holds the last row of exercises at the default text size
        self.add(Button("training.ui.menu.summary", "info", min_mm=17, name="training.summary",
                        on_activate=self.mode.show_summary),
                 Button("training.ui.menu.leave", "back", min_mm=17, name="training.leave",
                        on_activate=lambda: self.app.nav.welcome()))

    def describe(self) -> ScreenDescription:
        spoken = super().describe()
        catalog = look().catalog
        # the buttons by their words, as shown; each result, in words, among the lines
        results = tuple(line.render(catalog) for line in self.lines)
        return ScreenDescription(title=spoken.title, step=spoken.step, lines=tuple(spoken.lines) + results,
                                 buttons=spoken.buttons, private=spoken.private)


@screen(GOAL, order=12)
@step_screen(TrainingFlow, TrainingStep.GOAL)
class TrainingGoalScreen(TrainingScreen):
    def build(self) -> None:
        self.exercise = self.mode.flow.exercise
        ex = self.exercise
        self.content.spacing_mm = 3  # short paragraphs of one explanation: kept together on a page
        self.add(Text(key=ex.goal_key, style="strong"),
                 Text(key="training.ui.goal.patient",
                      values={"name": patient_name(ex.patient_ins), "ins": grouped(ex.patient_ins)}))
        if ex.assisted:
            self.add(Text(key="training.ui.goal.assisted", values=demo_helper(self.app)))
        self.add(Text(key="training.ui.goal.check"))
        self.add_secondary(self.back_to_menu_button())
        self.add_main(Button("training.ui.goal.start", "forward", kind="primary", name="training.start",
                               on_activate=self.mode.start))

    def title(self) -> str:
        return look().tr(self.exercise.title_key)


@screen(RESULT, order=13)
@step_screen(TrainingFlow, TrainingStep.RESULT)
class TrainingResultScreen(TrainingScreen):
    title_key = "training.ui.result.title"

    def build(self) -> None:
        training = self.mode.training
        run = training.current
        if run is None:  # nothing running (e.g. after Recommencer): the menu says it all
            self.add(Text(key="training.ui.menu.intro"))
            self.add_main(self.back_to_menu_button(kind="primary"))
            return
        self.add(Text(key="training.ui.result.exercise", values={"title": look().tr(run.exercise.title_key)}))
        self.verdict = run.verdict
        if run.verdict is None:
            self.add(Band("training.ui.result.running", icon="clock"), Text(key=NOT_DONE_KEY, style="strong"))
            self.add_secondary(Button("training.ui.result.stop", "stop", name="training.stop",
                                      on_activate=self.mode.stop_exercise))
            self.add_main(Button("training.ui.result.continue", "forward", kind="primary",
                                   name="training.continue", on_activate=self.mode.resume))
            return
        if run.verdict.success:
            self.add(Band("training.ui.result.success", icon="check"))
        else:
            self.add(Band("training.ui.result.failure", icon="close"))
        self.add(Text(key=run.verdict.reason_key, style="strong"))
        self.add_secondary(Button("training.ui.result.again", "repeat", name="training.again",
                                  on_activate=lambda: self.mode.choose(run.exercise.id)))
        self.add_main(self.back_to_menu_button(kind="primary"))


@screen(SUMMARY, order=14)
@step_screen(TrainingFlow, TrainingStep.SUMMARY)
class TrainingSummaryScreen(TrainingScreen):
    title_key = SUMMARY_TITLE_KEY

    @property
    def columns(self) -> int:  # type: ignore[override]
        return 2 if look().text_size <= 1 else 1

    def build(self) -> None:
        training = self.mode.training
        self.content.spacing_mm = 2  # one list: its lines close together
        if self.mode.flow.restarted:
            self.add(Band("training.ui.summary.restarted", icon="info"))
        count = len(training.exercises)
        self.add(Text(source=lambda: look().catalog.tr_n("training.summary.done", training.succeeded, total=count),
                      style="heading"))
        for line in training.summary():
            words = Text(source=lambda line=line: line.render(look().catalog))
            words.full_row = False  # two results a row: the six on one page at the default size
            self.add(words)
        self.add_secondary(self.back_to_menu_button())
        self.add_main(Button(RESTART_KEY, "repeat", kind="primary", name="training.restart",
                               on_activate=self.ask_restart))

    def ask_restart(self) -> None:
        self.app.open_overlay(ConfirmDialog(
            self.app, title_key="training.ui.summary.restart.title",
            line_keys=("training.ui.summary.restart.line1", "training.ui.summary.restart.line2"),
            yes_key=RESTART_KEY, no_key="training.ui.summary.restart.no", yes_icon="repeat",
            on_yes=self.mode.restart))


# the exercise itself is the normal kiosk: from Welcome, or where the trainee was
register_exit(TrainingFlow, lambda nav, _flow: training_mode(nav.app).back_to_exercise(), step=TrainingStep.EXERCISE)
