"""Sign-in flow, driven on the demo backend's patients to each of its ends."""

from __future__ import annotations

import pytest

from kiosk.core.audit import AuditAction
from kiosk.core.flows.base import PATIENT_SESSION, Outcome
from kiosk.core.i18n import Catalog
from kiosk.core.flows.sign_in import SignInFlow, SignInStep, identifier_problem
from kiosk.core.models import SpaceState
from kiosk.core.ports import CHALLENGE_LIFETIME, LOCKOUT, MAX_CODE_ATTEMPTS
from kiosk.services.backend.demo import demo_sign_in_code

from flow_helpers import ins_of

UNKNOWN_WELL_FORMED = "299129999999911"


@pytest.fixture
def fr():
    return Catalog.load("fr")


def typed(flow: SignInFlow, text: str) -> None:
    for ch in text:
        assert flow.append_digit(ch), ch


def at_code(ctx, role="rich") -> SignInFlow:
    flow = SignInFlow(ctx).start()
    typed(flow, ins_of(role))
    assert flow.submit_identifier(), flow.error_key
    assert flow.step is SignInStep.CODE
    return flow


def test_sign_in_to_the_end(ctx, audit_log):
    flow = SignInFlow(ctx).start()
    assert (flow.step, flow.step_number, flow.step_count) == (SignInStep.IDENTIFIER, 1, 2)
    ins = ins_of("rich")
    typed(flow, ins)
    assert flow.identifier_complete and flow.identifier_valid
    assert flow.identifier_grouped == "2 44 03 99 999 001 68"
    assert flow.submit_identifier()
    assert (flow.step, flow.step_number) == (SignInStep.CODE, 2)
    assert flow.code_length == 6 and flow.code_sent_key == "flows.sign_in.code.sent.sms"
    assert flow.masked_code == "○ ○ ○ ○ ○ ○"
    typed(flow, demo_sign_in_code(ins)[:3])
    assert flow.masked_code == "● ● ● ○ ○ ○"
    typed(flow, demo_sign_in_code(ins)[3:])
    assert not flow.append_digit("1"), "no seventh digit"
    assert flow.submit_code()
    assert flow.step is SignInStep.SIGNED_IN and flow.error_key is None
    stored = ctx.session.data[PATIENT_SESSION]
    assert stored.patient.ins == ins and flow.patient.ins == ins
    assert [r.action for r in audit_log] == [AuditAction.PATIENT_SIGNED_IN]
    assert flow.back() and flow.finished and flow.outcome is Outcome.COMPLETED
    assert flow.identifier == "" and flow.masked_code == ""


def test_the_number_pad(ctx):
    flow = SignInFlow(ctx).start()
    assert not flow.append_digit("x") and not flow.append_digit("A"), "A only at the 7th place after a 2"
    typed(flow, "1234")
    assert flow.delete_digit() and flow.identifier == "123"
    assert flow.clear() and flow.identifier == "" and not flow.delete_digit()
    typed(flow, "1234562")
    flow.delete_digit()
    flow.delete_digit()
    typed(flow, "2")
    assert flow.can_append("A") and flow.append_digit("a") and flow.identifier == "123452A"
    flow.clear()
    typed(flow, "1" * 15)
    assert not flow.append_digit("1") and len(flow.identifier) == 15


def test_each_identifier_problem_has_its_own_message(ctx, space, fr):
    flow = SignInFlow(ctx).start()
    typed(flow, "12345")
    assert not flow.submit_identifier()
    assert flow.error_key == "flows.sign_in.identifier.missing" and not flow.can_retry
    assert flow.error_text(fr) == "Il manque 10 chiffres. Votre numéro a 15 chiffres."
    assert flow.step is SignInStep.IDENTIFIER and flow.identifier == "12345", "what was typed is kept"
    flow.clear()
    typed(flow, ins_of("rich")[:13])
    assert not flow.submit_identifier() and flow.error_text(fr).startswith("Il manque 2 chiffres.")
    flow.clear()
    typed(flow, ins_of("rich")[:14])
    assert not flow.submit_identifier() and flow.error_key == "flows.sign_in.identifier.one_missing"
    assert flow.error_text(fr).startswith("Il manque 1 seul chiffre.")
    flow.clear()
    typed(flow, ins_of("rich")[:-1] + ("0" if ins_of("rich")[-1] != "0" else "1"))
    assert not flow.submit_identifier() and flow.error_key == "flows.sign_in.identifier.wrong_key"
    assert flow.error_text(fr) == "Le numéro a une erreur. Vérifiez-le sur votre carte Vitale."
    assert flow.dismiss_error() and flow.error_key is None and flow.error_text(fr) is None
    flow.clear()
    typed(flow, UNKNOWN_WELL_FORMED)
    assert not flow.submit_identifier()
    assert flow.error_key == "errors.sign_in_failed.unknown_identifier"
    assert flow.error_text(fr) == fr.tr("errors.sign_in_failed.unknown_identifier")


def test_identifier_problems_one_sentence_each(fr):
    assert identifier_problem(ins_of("rich")) is None
    assert identifier_problem("2" * 16).key == "flows.sign_in.identifier.too_many"
    corsica = ins_with_key_2a("1990", "2A")
    assert identifier_problem(corsica) is None, corsica
    assert identifier_problem(corsica[:-2] + "00").key == "flows.sign_in.identifier.wrong_key"
    for key in ("flows.sign_in.identifier.one_missing", "flows.sign_in.identifier.too_many",
                "flows.sign_in.identifier.wrong_key", "flows.sign_in.identifier.missing.other"):
        for sentence in fr.tr(key, n=3).split(". "):
            assert len(sentence.split()) <= 15, sentence


def ins_with_key_2a(birth: str, dept: str) -> str:
    """A Corsican identifier (2A / 2B) with its right control key."""
    body = "1" + birth[2:] + "01" + dept + "999" + "001"  # sex, year, month, department, commune, order
    number = int(body[:5] + ("19" if dept == "2A" else "18") + body[7:]) - (1000000 if dept == "2A" else 2000000)
    return body + f"{97 - number % 97:02d}"


def test_wrong_code_then_right_code(ctx, audit_log, fr):
    flow = at_code(ctx)
    typed(flow, "000000")
    assert not flow.submit_code()
    assert flow.error_key == "errors.sign_in_failed" and flow.attempts_left == MAX_CODE_ATTEMPTS - 1
    assert flow.error_text(fr).endswith(f"Il vous reste {MAX_CODE_ATTEMPTS - 1} essais.")
    assert flow.step is SignInStep.CODE and flow.masked_code == "○ ○ ○ ○ ○ ○", "a new try starts empty"
    assert AuditAction.PATIENT_SIGN_IN_FAILED in [r.action for r in audit_log]
    assert ins_of("rich") not in repr(audit_log), "the audit record's repr hides the subject"
    typed(flow, "12")
    assert not flow.submit_code() and flow.error_key == "flows.sign_in.code.incomplete"
    flow.clear()
    typed(flow, demo_sign_in_code(ins_of("rich")))
    assert flow.submit_code() and flow.step is SignInStep.SIGNED_IN


def test_too_many_wrong_codes_pause_then_try_again(ctx, clock, fr):
    flow = at_code(ctx, "lockable")
    for n in range(MAX_CODE_ATTEMPTS):
        typed(flow, "000000")
        assert not flow.submit_code()
        if n == MAX_CODE_ATTEMPTS - 2:  # before the last try, it is said
            assert flow.step is SignInStep.CODE and flow.attempts_left == 1
            assert flow.error_text(fr).endswith(" Il vous reste 1 essai.")
    assert flow.step is SignInStep.PAUSED
    assert flow.minutes_left(clock.now()) == 15
    assert flow.paused_keys == ("flows.sign_in.paused.what", "flows.sign_in.paused.ask_help")
    assert flow.error_key is None, "the pause screen says it"
    assert flow.seconds_left(clock.now()) == int(LOCKOUT.total_seconds())
    assert not flow.try_again()
    clock.advance(LOCKOUT.total_seconds() - 60)
    assert flow.seconds_left(clock.now()) == 60 and not flow.try_again()
    assert flow.minutes_left(clock.now()) == 1
    clock.advance(60)
    assert flow.try_again() and flow.step is SignInStep.IDENTIFIER
    assert flow.identifier == ins_of("lockable"), "the identifier is kept"
    assert flow.submit_identifier()
    typed(flow, demo_sign_in_code(ins_of("lockable")))
    assert flow.submit_code() and flow.step is SignInStep.SIGNED_IN


def test_a_locked_identifier_pauses_at_once(ctx, clock):
    first = at_code(ctx, "lockable")
    for _ in range(MAX_CODE_ATTEMPTS):
        typed(first, "000000")
        first.submit_code()
    second = SignInFlow(ctx).start()
    typed(second, ins_of("lockable"))
    assert not second.submit_identifier()
    assert second.step is SignInStep.PAUSED and second.seconds_left(clock.now()) > 0
    assert second.back() and second.step is SignInStep.IDENTIFIER


def test_an_expired_code_asks_for_a_new_one(ctx, clock):
    flow = at_code(ctx)
    clock.advance(CHALLENGE_LIFETIME.total_seconds())
    typed(flow, demo_sign_in_code(ins_of("rich")))
    assert not flow.submit_code() and flow.error_key == "errors.sign_in_failed.expired"
    assert "request_new_code" in flow.available_actions()
    assert flow.request_new_code() and flow.notice_key == "flows.sign_in.code.new_code_sent"
    typed(flow, demo_sign_in_code(ins_of("rich")))
    assert flow.submit_code() and flow.step is SignInStep.SIGNED_IN


def test_a_closed_space_shows_its_status(ctx):
    flow = at_code(ctx, "closed")
    typed(flow, demo_sign_in_code(ins_of("closed")))
    assert flow.submit_code()
    assert flow.step is SignInStep.SPACE_CLOSED
    assert flow.space_status.state is SpaceState.CLOSED
    assert "flows.closure.status.reopen" in flow.space_closed_keys
    assert PATIENT_SESSION in ctx.session.data
    assert flow.finish() and flow.outcome is Outcome.COMPLETED


def test_back_and_cancel_at_every_step(ctx, clock):
    flow = SignInFlow(ctx).start()
    assert flow.back() and flow.finished and flow.outcome is Outcome.CANCELLED
    assert not flow.append_digit("1"), "a finished flow ignores actions"

    flow = at_code(ctx)
    typed(flow, "123")
    assert flow.back() and flow.step is SignInStep.IDENTIFIER
    assert flow.identifier == ins_of("rich") and flow.code_length == 0
    assert flow.submit_identifier() and flow.masked_code == "○ ○ ○ ○ ○ ○"
    assert flow.cancel() and flow.outcome is Outcome.CANCELLED and flow.identifier == ""

    flow = SignInFlow(ctx).start()
    typed(flow, "1")
    assert flow.cancel() and flow.outcome is Outcome.CANCELLED

    flow = at_code(ctx, "lockable")
    for _ in range(MAX_CODE_ATTEMPTS):
        typed(flow, "000000")
        flow.submit_code()
    assert flow.step is SignInStep.PAUSED
    assert flow.cancel() and flow.outcome is Outcome.CANCELLED


def test_service_down_then_retry(ctx, demo):
    flow = SignInFlow(ctx).start()
    typed(flow, ins_of("rich"))
    demo.set_unavailable(True)
    assert not flow.submit_identifier()
    assert flow.error_key == "errors.unavailable" and flow.can_retry
    demo.set_unavailable(False)
    assert flow.retry() and flow.step is SignInStep.CODE and flow.error_key is None


def test_the_code_is_never_exposed(ctx):
    flow = at_code(ctx)
    code = demo_sign_in_code(ins_of("rich"))
    typed(flow, code)
    public = {name: getattr(flow, name) for name in dir(flow) if not name.startswith("_") and not callable(getattr(flow, name))}
    assert all(code not in str(value) for value in public.values())
    assert code not in repr(flow)
