""""Qui voit mes données" and the temporary access code."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from kiosk.core.audit import AuditAction, SubjectKind
from kiosk.core.clock import PARIS, FakeClock
from kiosk.core.flows.access import AccessFlow, AccessStep
from kiosk.core.flows.access_code import DURATIONS, AccessCodeFlow, AccessCodeStep
from kiosk.core.flows.base import Outcome
from kiosk.core.models import (
    ACCESS_CODE_ALPHABET,
    ACCESS_CODE_ENTROPY_BITS,
    ACCESS_CODE_LENGTH,
    generate_access_code,
    normalise_access_code,
)
from kiosk.core.ports import MAX_ACTIVE_ACCESS_CODES


# ------------------------------------------------------------------ access


def test_block_then_unblock_a_professional(ctx, sign_in, demo, audit_log):
    patient = sign_in("privacy")
    flow = AccessFlow(ctx).start()
    assert (flow.step, flow.step_number) == (AccessStep.OVERVIEW, 1)
    assert [r.professional.profession for r in flow.rights] and all(r.professional.profession for r in flow.rights)
    kine = next(r for r in flow.rights if r.professional.id == "pro-kine")
    assert flow.status_key(kine) == "flows.access.status.blocked.male"
    assert not flow.ask_block("pro-kine"), "already blocked"
    assert flow.ask_block("pro-generaliste") and (flow.step, flow.step_number, flow.step_count) == (
        AccessStep.CONFIRM_BLOCK, 2, 2)
    assert flow.selected.professional.id == "pro-generaliste" and "flows.access.block.undo.male" in flow.confirm_keys
    assert flow.confirm_values == {"name": "Docteur Henri Fictif", "profession": "Médecin généraliste"}
    assert flow.back() and flow.step is AccessStep.OVERVIEW and flow.selected is None
    assert not any(r.blocked for r in demo.list_access_rights(patient) if r.professional.id == "pro-generaliste")
    flow.ask_block("pro-generaliste")
    assert flow.confirm() and flow.step is AccessStep.OVERVIEW and flow.notice_key == "flows.access.block.done.male"
    assert flow.notice_for == "pro-generaliste" and flow.notice_values["name"] == "Docteur Henri Fictif"
    assert next(r for r in flow.rights if r.professional.id == "pro-generaliste").blocked
    assert next(r for r in demo.list_access_rights(patient) if r.professional.id == "pro-generaliste").blocked
    assert flow.ask_unblock("pro-generaliste") and flow.step is AccessStep.CONFIRM_UNBLOCK
    assert flow.confirm() and flow.notice_key == "flows.access.unblock.done.male"
    assert flow.notice_for == "pro-generaliste"
    assert not next(r for r in demo.list_access_rights(patient) if r.professional.id == "pro-generaliste").blocked
    counts = ctx.session.activity_log.counts
    assert counts["professional.blocked"] == 1 and counts["professional.unblocked"] == 1
    records = [(r.action, r.subject_kind, r.subject_id) for r in audit_log if r.action.value.startswith("professional")]
    assert records == [
        (AuditAction.PROFESSIONAL_BLOCKED, SubjectKind.PROFESSIONAL, "pro-generaliste"),
        (AuditAction.PROFESSIONAL_UNBLOCKED, SubjectKind.PROFESSIONAL, "pro-generaliste"),
    ]


def test_block_words_follow_the_gender_or_are_neutral(ctx, sign_in):
    from dataclasses import replace

    from kiosk.core.flows.access import gender_form
    from kiosk.core.i18n import Catalog

    sign_in("privacy")
    flow = AccessFlow(ctx).start()
    pros = {r.professional.id: r.professional for r in flow.rights}
    assert gender_form(pros["pro-generaliste"]) == "male"
    pro = next(p for p in pros.values() if p.gender == "female")
    assert gender_form(pro) == "female"
    for gender in ("other", "unknown", ""):
        assert gender_form(replace(pro, gender=gender)) == "neutral"
    fr = Catalog.load("fr")
    assert flow.ask_block(pro.id)
    question, *lines = [fr.tr(k, **flow.confirm_values) for k in flow.confirm_keys]
    assert question == f"Voulez-vous bloquer {pro.name}, {pro.profession} ?"
    assert lines[0] == "Elle ne pourra plus voir votre dossier."
    assert flow.confirm() and fr.tr(flow.notice_key, **flow.notice_values) == f"{pro.name} est bloquée."
    blocked = next(r for r in flow.rights if r.professional.id == pro.id)
    assert fr.tr(flow.status_key(blocked)).startswith("Bloquée : ")
    # no gender in the data: neutral words
    def no_gender():
        flow.rights = [replace(r, professional=replace(r.professional, gender="")) for r in flow.rights]

    no_gender()
    assert flow.ask_unblock(pro.id)
    assert fr.tr(flow.confirm_keys[1]) == "Cette personne pourra à nouveau voir votre dossier."
    assert flow.confirm() and fr.tr(flow.notice_key, **flow.notice_values) == \
        f"{pro.name} peut à nouveau voir votre dossier."
    no_gender()
    assert flow.ask_block(pro.id)
    assert fr.tr(flow.confirm_keys[1]) == "Cette personne ne pourra plus voir votre dossier."
    assert flow.confirm()
    no_gender()
    blocked = next(r for r in flow.rights if r.professional.id == pro.id)
    assert fr.tr(flow.status_key(blocked)) == "Accès bloqué : ne peut pas voir votre dossier."


def test_emergency_access_on_and_off(ctx, sign_in, demo, audit_log):
    patient = sign_in("privacy")
    flow = AccessFlow(ctx).start()
    assert flow.emergency_enabled is False and flow.emergency_status_key == "flows.access.emergency.is_off"
    assert flow.open_emergency() and (flow.step, flow.step_number, flow.step_count) == (AccessStep.EMERGENCY, 2, 3)
    assert flow.emergency_keys[0] == "flows.access.emergency.what"
    assert flow.ask_change() and flow.step is AccessStep.CONFIRM_EMERGENCY and flow.step_number == 3
    assert flow.confirm_keys[0] == "flows.access.emergency.on.question"
    assert flow.back() and flow.step is AccessStep.EMERGENCY and demo.get_emergency_access(patient) is False
    flow.ask_change()
    assert flow.confirm() and flow.step is AccessStep.EMERGENCY and flow.emergency_enabled is True
    assert flow.notice_key == "flows.access.emergency.on.done" and demo.get_emergency_access(patient) is True
    flow.ask_change()
    assert "flows.access.emergency.off.risk" in flow.confirm_keys
    assert flow.confirm() and demo.get_emergency_access(patient) is False
    counts = ctx.session.activity_log.counts
    assert counts["emergency_access.enabled"] == 1 and counts["emergency_access.disabled"] == 1
    details = [r.details for r in audit_log if r.action is AuditAction.EMERGENCY_ACCESS_CHANGED]
    assert details == [{"enabled": True}, {"enabled": False}]
    assert flow.back() and flow.step is AccessStep.OVERVIEW


def test_access_history_paged(ctx, sign_in, audit_log):
    sign_in("large")
    flow = AccessFlow(ctx, page_size=5).start()
    assert flow.open_history() and flow.step is AccessStep.HISTORY
    assert flow.history_page_count == 12 and len(flow.events) == 5
    assert all(e.who and e.profession and e.when for e in flow.events)
    assert not flow.previous_history_page() and flow.next_history_page() and flow.history_page == 2
    whens = [e.when for e in flow.events]
    assert whens == sorted(whens, reverse=True)
    assert flow.previous_history_page() and flow.history_page == 1
    assert AuditAction.ACCESS_HISTORY_VIEWED in [r.action for r in audit_log]
    assert flow.back() and flow.step is AccessStep.OVERVIEW and flow.events == ()


def test_block_fails_then_retry(ctx, sign_in, space, demo):
    patient = sign_in("rich")
    flow = AccessFlow(ctx).start()
    pro = flow.rights[0].professional.id
    flow.ask_block(pro)
    space.mode = "before"
    assert not flow.confirm() and flow.error_key == "errors.unavailable.not_sent" and flow.step is AccessStep.CONFIRM_BLOCK
    assert not next(r for r in demo.list_access_rights(patient) if r.professional.id == pro).blocked
    space.mode = None
    assert flow.retry() and flow.step is AccessStep.OVERVIEW
    flow.open_emergency()
    flow.ask_change()
    space.mode = "before"
    assert not flow.confirm() and flow.error_key == "errors.unavailable.not_sent"
    assert flow.cancel() and flow.finished
    assert demo.get_emergency_access(patient) is True, "nothing changed"
    assert "emergency_access.disabled" not in ctx.session.activity_log.counts


def test_access_back_and_cancel_at_every_step(ctx, sign_in):
    sign_in("rich")
    routes = {
        AccessStep.OVERVIEW: (lambda f: None, None),
        AccessStep.CONFIRM_BLOCK: (lambda f: f.ask_block(f.rights[0].professional.id), AccessStep.OVERVIEW),
        AccessStep.EMERGENCY: (lambda f: f.open_emergency(), AccessStep.OVERVIEW),
        AccessStep.CONFIRM_EMERGENCY: (lambda f: (f.open_emergency(), f.ask_change()), AccessStep.EMERGENCY),
        AccessStep.HISTORY: (lambda f: f.open_history(), AccessStep.OVERVIEW),
    }
    for step, (route, back_to) in routes.items():
        flow = AccessFlow(ctx).start()
        route(flow)
        assert flow.step is step
        flow.back()
        assert (flow.finished and flow.outcome is Outcome.CANCELLED) if back_to is None else flow.step is back_to
        flow = AccessFlow(ctx).start()
        route(flow)
        assert flow.cancel() and flow.finished and flow.rights == [] and flow.selected is None
    assert not ctx.session.activity_log.counts.get("professional.blocked")


# ------------------------------------------------------------- access code


def test_codes_have_at_least_40_bits_of_entropy():
    assert ACCESS_CODE_ENTROPY_BITS >= 40
    assert ACCESS_CODE_ENTROPY_BITS == ACCESS_CODE_LENGTH * math.log2(len(set(ACCESS_CODE_ALPHABET)))
    codes = {normalise_access_code(generate_access_code()) for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == ACCESS_CODE_LENGTH and set(c) <= set(ACCESS_CODE_ALPHABET) for c in codes)


def test_create_show_and_stop_a_code(ctx, sign_in, demo, clock, audit_log):
    patient = sign_in("rich")
    flow = AccessCodeFlow(ctx).start()
    assert (flow.step, flow.step_number, flow.step_count) == (AccessCodeStep.DURATION, 1, 3)
    assert flow.durations == DURATIONS
    assert [d for d, _ in flow.durations] == [timedelta(hours=1), timedelta(days=1), timedelta(weeks=1)]
    assert flow.explain_keys and flow.active_codes == []
    assert not flow.choose_duration(7)
    assert flow.choose_duration(timedelta(days=1)) and (flow.step, flow.step_number) == (AccessCodeStep.CODE, 2)
    assert len(flow.code) == 10 and flow.grouped_code == "-".join(flow.code_groups)
    assert [len(g) for g in flow.code_groups] == [5, 5] and flow.qr_payload == flow.code
    assert flow.expires == clock.now() + timedelta(days=1)
    assert flow.seconds_left(clock.now()) == 86400 and flow.expired_key(clock.now()) is None
    clock.advance(3600)
    assert flow.seconds_left(clock.now()) == 86400 - 3600
    assert [normalise_access_code(c.code) for c in demo.list_access_codes(patient)] == [flow.code]

    code = flow.code
    assert flow.ask_revoke() and (flow.step, flow.step_number) == (AccessCodeStep.CONFIRM_REVOKE, 3)
    assert flow.back() and flow.step is AccessCodeStep.CODE and demo.list_access_codes(patient)
    flow.ask_revoke()
    assert flow.confirm() and flow.step is AccessCodeStep.REVOKED and flow.revoked_key == "flows.access_code.revoked"
    assert demo.list_access_codes(patient) == [] and flow.seconds_left(clock.now()) == 0
    counts = ctx.session.activity_log.counts
    assert counts["code.created"] == 1 and counts["code.revoked"] == 1
    created = next(r for r in audit_log if r.action is AuditAction.CODE_CREATED)
    assert created.details == {"duration_s": 86400} and created.subject_kind is SubjectKind.CODE
    assert code not in repr(created)
    assert flow.back() and flow.finished and flow.outcome is Outcome.COMPLETED


@pytest.mark.parametrize(
    "clock",
    [FakeClock(datetime(2031, 6, 15, 8, 0, tzinfo=PARIS)), FakeClock(datetime(2019, 3, 31, 1, 59, tzinfo=PARIS))],
    ids=["2031", "2019-before-summer-time"],
)
def test_a_code_made_now_is_valid_now_on_any_date(ctx, sign_in, demo, clock):
    """The screen's clock and the backend's are one: the countdown starts at the chosen duration."""
    patient = sign_in("rich")
    for duration, _ in DURATIONS:
        flow = AccessCodeFlow(ctx).start()
        assert flow.choose_duration(duration)
        now = clock.now()
        assert flow.expired_key(now) is None
        assert flow.seconds_left(now) == duration.total_seconds()
        made = next(c for c in demo.list_access_codes(patient) if normalise_access_code(c.code) == flow.code)
        assert made.created == now and made.expires == now + duration
    clock.advance(60)  # 2019: across the change to summer time, a minute is still a minute
    assert flow.seconds_left(clock.now()) == DURATIONS[-1][0].total_seconds() - 60


def test_the_countdown_reaches_zero(ctx, sign_in, clock):
    sign_in("rich")
    flow = AccessCodeFlow(ctx).start()
    flow.choose_duration(0)
    clock.advance(3600)
    assert flow.seconds_left(clock.now()) == 0 and flow.expired_key(clock.now()) == "flows.access_code.code.expired"


def test_too_many_codes_then_stop_an_old_one(ctx, sign_in, demo):
    patient = sign_in("rich")
    for _ in range(MAX_ACTIVE_ACCESS_CODES):
        flow = AccessCodeFlow(ctx).start()
        assert flow.choose_duration(0)
    flow = AccessCodeFlow(ctx).start()
    assert len(flow.active_codes) == MAX_ACTIVE_ACCESS_CODES
    assert not flow.choose_duration(0) and flow.error_key == "errors.not_allowed.too_many_codes"
    assert not flow.can_retry and flow.step is AccessCodeStep.DURATION
    assert flow.open_code(flow.active_codes[-1].code.lower()) and flow.step is AccessCodeStep.CODE
    flow.ask_revoke()
    assert flow.confirm() and len(demo.list_access_codes(patient)) == MAX_ACTIVE_ACCESS_CODES - 1
    assert flow.back() and flow.finished


def test_code_creation_fails_then_retry(ctx, sign_in, space, demo):
    patient = sign_in("rich")
    flow = AccessCodeFlow(ctx).start()
    space.mode = "before"
    assert not flow.choose_duration(2) and flow.error_key == "errors.unavailable.not_sent" and flow.code is None
    space.mode = None
    assert flow.retry() and flow.step is AccessCodeStep.CODE
    assert demo.list_access_codes(patient)[0].duration == timedelta(weeks=1)


def test_access_code_back_and_cancel_at_every_step(ctx, sign_in, demo):
    patient = sign_in("rich")
    flow = AccessCodeFlow(ctx).start()
    assert flow.back() and flow.outcome is Outcome.CANCELLED
    flow = AccessCodeFlow(ctx).start()
    flow.choose_duration(0)
    assert flow.back() and flow.step is AccessCodeStep.DURATION and flow.code is None
    assert len(flow.active_codes) == 1, "the code stays active and listed"
    assert flow.open_code(flow.active_codes[0].code) and flow.ask_revoke()
    assert flow.back() and flow.step is AccessCodeStep.CODE
    flow.ask_revoke()
    assert flow.cancel() and flow.outcome is Outcome.CANCELLED and flow.code is None
    assert len(demo.list_access_codes(patient)) == 1, "cancelling the confirmation stops nothing"
    for route in (lambda f: None, lambda f: f.choose_duration(0)):
        flow = AccessCodeFlow(ctx).start()
        route(flow)
        assert flow.cancel() and flow.active_codes == [] and flow.current is None
