"""Where the trainee is in training mode: the exercises, a goal, the exercise, its result, the summary.

Steps::

    MENU --choose--> GOAL --start--> EXERCISE --verify--> RESULT --resume--> EXERCISE
      \\                                                   |  \\--stop--> RESULT (not reached: a failure)
       \\--show_summary--> SUMMARY --restart--> SUMMARY     \\--choose (again)--> GOAL
    any step --open_menu--> MENU (an exercise still running is stopped: "not done")
    any step, while an exercise runs --verify--> RESULT ("Vérifier" on the band)

EXERCISE has no screen of its own: the trainee uses the normal kiosk. The exercises, the check
and the results are kiosk.core.training.Training's; this flow only says which step comes next.
It never ends and is not one of a session's flows: the results stay while patients come and go.
An action that does not belong to the current step returns False and changes nothing.
"""

from __future__ import annotations

import enum

from kiosk.core.training import Exercise, Training

#: The goal shown when none was chosen (a picture of the goal screen on its own).
DEFAULT_EXERCISE = "hide_document"


class TrainingStep(enum.Enum):
    MENU = "menu"
    GOAL = "goal"
    EXERCISE = "exercise"
    RESULT = "result"
    SUMMARY = "summary"


class TrainingFlow:
    Step = TrainingStep

    def __init__(self, training: Training) -> None:
        self.training = training
        self.step = TrainingStep.MENU
        self.exercise_id: str | None = None  # the goal shown
        #: The exercise started and not left yet (the band says "Vérifier").
        self.active: str | None = None
        #: The summary right after "Recommencer" says that everything starts again.
        self.restarted = False

    def __repr__(self) -> str:
        return f"TrainingFlow(step={self.step.name}, active={self.active})"

    @property
    def finished(self) -> bool:
        return False

    @property
    def exercise(self) -> Exercise:
        """The exercise whose goal is shown."""
        return self.training.exercise(self.exercise_id or DEFAULT_EXERCISE)

    # ------------------------------------------------------------ actions
    def open_menu(self) -> bool:
        """The list of exercises; leaving an exercise before its goal is "not done"."""
        if self.active is not None:
            self.training.stop()
            self.active = None
        self.restarted = False
        self.step = TrainingStep.MENU
        return True

    def choose(self, exercise_id: str) -> bool:
        """An exercise's goal, from the menu, or again from its result."""
        if self.step not in (TrainingStep.MENU, TrainingStep.RESULT):
            return False
        try:
            self.training.exercise(exercise_id)
        except KeyError:
            return False
        self.exercise_id = exercise_id
        self.step = TrainingStep.GOAL
        return True

    def start(self) -> bool:
        """"Commencer l'exercice": fresh demo data, then the normal kiosk."""
        if self.step is not TrainingStep.GOAL:
            return False
        exercise_id = self.exercise.id
        self.training.start(exercise_id)
        self.active = exercise_id
        self.step = TrainingStep.EXERCISE
        return True

    def verify(self) -> bool:
        """"Vérifier", from wherever the trainee is: the core judges from what was really done."""
        if self.active is None:
            return False
        self.training.check()
        self.step = TrainingStep.RESULT
        return True

    def resume(self) -> bool:
        """"Continuer l'exercice": back to the exercise (offered while it is not decided)."""
        if self.step is not TrainingStep.RESULT:
            return False
        self.step = TrainingStep.EXERCISE
        return True

    def stop(self) -> bool:
        """"Arrêter l'exercice": not reached is a failure (the core says why)."""
        if self.step is not TrainingStep.RESULT or self.training.current is None:
            return False
        self.training.stop()
        return True

    def show_summary(self) -> bool:
        if self.step is not TrainingStep.MENU:
            return False
        self.restarted = False
        self.step = TrainingStep.SUMMARY
        return True

    def restart(self) -> bool:
        """"Recommencer": the demo data and every result back to the start."""
        if self.step is not TrainingStep.SUMMARY:
            return False
        self.training.restart()
        self.active = None
        self.restarted = True
        return True


__all__ = ["DEFAULT_EXERCISE", "TrainingFlow", "TrainingStep"]
