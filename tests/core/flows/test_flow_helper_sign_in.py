"""A helper signs in: identifier, PIN, the second factor's code; the store's refusals said as they are."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from kiosk.core.flows.base import Outcome
from kiosk.core.flows.helper_sign_in import (
    CODE_DIGITS,
    IDENTIFIER_MAX,
    PIN_MAX,
    HelperSignInFlow,
    HelperSignInStep,
)

Step = HelperSignInStep
PIN, CODE = "135790", "246802"


@dataclass
class Result:
    """The store's answer (kiosk.services.storage.helper_accounts.SignInResult, as far as the flow reads it)."""

    status: str
    helper: object = None
    ticket: str | None = None
    locked_until: object = None
    held_for_admin: bool = False

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class Accounts:
    """A store with one helper; `answer` forces the next answer (a lock, a disabled account)."""

    second_factor: bool = False
    answer: Result | None = None
    down: bool = False
    asked: list = field(default_factory=list)
    forgotten: int = 0

    def verify_pin(self, identifier, pin):
        return self._reply("pin", Result("code_needed", ticket="t-1") if self.second_factor else
                           Result("ok", helper="account"), identifier == "1001" and pin == PIN)

    def verify_code(self, ticket, code):
        return self._reply("code", Result("ok", helper="account"), ticket == "t-1" and code == CODE,
                           wrong=Result("wrong_code", ticket=ticket))

    def _reply(self, what, right, good, wrong=Result("wrong_pin")):
        self.asked.append(what)
        if self.down:
            raise OSError("the store cannot answer")
        answer, self.answer = self.answer, None
        return answer or (right if good else wrong)

    def forget_tickets(self):
        self.forgotten += 1


@pytest.fixture
def accounts() -> Accounts:
    return Accounts()


@pytest.fixture
def flow(ctx, accounts) -> HelperSignInFlow:
    return HelperSignInFlow(ctx, lambda: accounts).start()


def type_in(flow, digits: str) -> None:
    for d in digits:
        assert flow.type_key(d)


def to_pin(flow, identifier: str = "1001") -> None:
    type_in(flow, identifier)
    assert flow.submit_identifier() and flow.step is Step.PIN


def test_identifier_then_pin_signs_in(flow):
    assert (flow.step, flow.step_number, flow.step_count) == (Step.IDENTIFIER, 1, 2)
    to_pin(flow)
    assert (flow.step_number, flow.step_count) == (2, 2) and flow.identifier == "1001"
    type_in(flow, PIN)
    assert flow.pin_length == 6
    assert flow.submit_pin()
    assert flow.step is Step.SIGNED_IN and flow.helper == "account" and not flow.finished
    assert flow.identifier == "" and flow.pin_length == 0 and flow.at_first_step


def test_a_second_factor_asks_for_the_code_on_the_same_pad(flow, accounts):
    accounts.second_factor = True
    to_pin(flow)
    type_in(flow, PIN)
    assert flow.submit_pin() and (flow.step, flow.step_number, flow.step_count) == (Step.CODE, 3, 3)
    type_in(flow, "000000")
    assert not flow.submit_code()
    assert flow.step is Step.CODE and flow.error_key == "assisted_ui.sign_in.wrong_code" and flow.code_length == 0
    type_in(flow, CODE)
    assert flow.submit_code() and flow.step is Step.SIGNED_IN and flow.helper == "account"


def test_what_is_typed_is_checked_before_the_store(flow, accounts):
    assert not flow.submit_identifier() and flow.error_key == "assisted_ui.sign_in.no_identifier"
    to_pin(flow)
    type_in(flow, "135")
    assert not flow.submit_pin() and flow.error_key == "assisted_ui.sign_in.too_short"
    assert flow.pin_length == 3 and accounts.asked == []  # kept, to go on typing; the store not asked
    type_in(flow, "999")
    assert not flow.submit_pin() and flow.error_key == "assisted_ui.sign_in.wrong"
    assert flow.step is Step.PIN and flow.pin_length == 0 and flow.identifier == "1001"


def test_a_key_keeps_the_message_until_the_next_submit(flow):
    to_pin(flow)
    flow.submit_pin()
    assert flow.type_key("1") and flow.error_key == "assisted_ui.sign_in.too_short"
    assert flow.delete_key() and flow.clear_typed() and flow.error_key is not None


@pytest.mark.parametrize("answer, key, values", [
    (Result("locked", held_for_admin=True), "assisted_ui.sign_in.locked_admin", {}),
    (Result("locked"), "assisted_ui.sign_in.locked_admin", {}),
    (Result("disabled"), "assisted_ui.sign_in.disabled", {}),
])
def test_refusals_of_the_store(flow, accounts, answer, key, values):
    to_pin(flow)
    type_in(flow, PIN)
    accounts.answer = answer
    assert not flow.submit_pin()
    assert (flow.step, flow.error_key, flow.error_values) == (Step.PIN, key, values)


@pytest.mark.parametrize("seconds, key, n", [
    (30, "assisted_ui.sign_in.locked.one", 1),
    (5 * 60, "assisted_ui.sign_in.locked.other", 5),
    (60 * 60, "assisted_ui.sign_in.locked_hours.one", 1),
    (90 * 60, "assisted_ui.sign_in.locked_hours.other", 2),
])
def test_a_lock_is_said_with_its_real_length(flow, accounts, clock, seconds, key, n):
    to_pin(flow)
    type_in(flow, PIN)
    accounts.answer = Result("locked", locked_until=clock.now() + timedelta(seconds=seconds))
    assert not flow.submit_pin()
    assert (flow.error_key, flow.error_values) == (key, {"n": n})


@pytest.mark.parametrize("answer, key", [
    (Result("expired"), "assisted_ui.sign_in.code_expired"),
    (Result("disabled"), "assisted_ui.sign_in.disabled"),
    (Result("locked", held_for_admin=True), "assisted_ui.sign_in.locked_admin"),
])
def test_anything_but_a_wrong_code_goes_back_to_the_pin(flow, accounts, answer, key):
    accounts.second_factor = True
    to_pin(flow)
    type_in(flow, PIN)
    flow.submit_pin()
    type_in(flow, CODE)
    accounts.answer = answer
    assert not flow.submit_code()
    assert (flow.step, flow.error_key, flow.pin_length) == (Step.PIN, key, 0)
    assert flow.back() and flow.step is Step.IDENTIFIER, "the code is no more on the way back"


def test_a_store_that_cannot_answer_is_said_plainly_and_logs_nothing_typed(flow, accounts, caplog):
    caplog.set_level(logging.DEBUG)
    to_pin(flow)
    type_in(flow, PIN)
    accounts.down = True
    assert not flow.submit_pin()
    assert flow.step is Step.PIN and flow.error_key == "assisted_ui.sign_in.unavailable"
    assert PIN not in caplog.text and "1001" not in caplog.text


def test_nothing_typed_in_repr(flow, accounts):
    accounts.second_factor = True
    to_pin(flow, "987654")
    type_in(flow, PIN)
    flow.submit_pin()
    type_in(flow, "4242")
    for text in (repr(flow), repr(flow.error), str(flow.error)):
        assert "987654" not in text and PIN not in text and "4242" not in text and "t-1" not in text


def test_change_identifier_and_back_forget_the_ticket(flow, accounts):
    accounts.second_factor = True
    to_pin(flow)
    type_in(flow, PIN)
    flow.submit_pin()
    type_in(flow, "12")
    assert flow.change_identifier()
    assert flow.step is Step.IDENTIFIER and flow.identifier == "1001", "kept, to correct it"
    assert accounts.forgotten == 1 and flow.error_key is None
    assert flow.submit_identifier() and flow.pin_length == 0
    type_in(flow, PIN)
    flow.submit_pin()
    assert flow.back() and flow.step is Step.PIN and accounts.forgotten == 2
    assert flow.back() and flow.step is Step.IDENTIFIER
    assert flow.back() and flow.finished and flow.outcome is Outcome.CANCELLED and flow.identifier == ""


def test_cancel_drops_everything(flow, accounts):
    accounts.second_factor = True
    to_pin(flow)
    type_in(flow, PIN)
    flow.submit_pin()
    assert flow.cancel() and flow.finished and accounts.forgotten == 1
    assert not flow.type_key("1") and not flow.submit_code() and not flow.change_identifier()


def test_the_session_wipe_drops_what_is_typed(flow, ctx):
    to_pin(flow)
    type_in(flow, "135")
    ctx.session.wipe()
    assert flow.finished and flow.pin_length == 0 and flow.identifier == ""


def test_the_pad_keeps_each_field_to_its_length(flow):
    type_in(flow, "1" * IDENTIFIER_MAX)
    assert not flow.type_key("1") and len(flow.identifier) == IDENTIFIER_MAX
    flow.clear_typed()
    to_pin(flow)
    type_in(flow, "1" * PIN_MAX)
    assert not flow.type_key("1") and flow.pin_length == PIN_MAX
    assert not flow.submit_identifier() and not flow.submit_code(), "not this step's actions"
    assert CODE_DIGITS == 6


def test_idle_time_counts_from_the_last_key(flow, clock):
    clock.advance(100)
    assert flow.idle_seconds() == 100
    flow.type_key("1")
    clock.advance(5)
    assert flow.idle_seconds() == 5
