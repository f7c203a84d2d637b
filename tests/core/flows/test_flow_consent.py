"""The patient's answer to the helper: who helps, what they may see, then yes or no."""

from __future__ import annotations

import pytest

from kiosk.core.assisted import CONSENT_NONE_CHOSEN_KEY, AssistedSession, ConsentState, HelperIdentity
from kiosk.core.flows.base import SCOPE_AGENDA, SCOPE_DOCUMENTS, SCOPE_MESSAGES
from kiosk.core.flows.consent import ConsentFlow, ConsentStep

HELPER = HelperIdentity("Claire Test", "Pharmacie Test", "hlp-" + "0" * 24)


@pytest.fixture
def assisted(session) -> AssistedSession:
    return AssistedSession(HELPER, session=session)


@pytest.fixture
def flow(assisted) -> ConsentFlow:
    return ConsentFlow(assisted)


def test_who_then_what_then_yes(flow, assisted):
    assert (flow.step, flow.step_number, flow.step_count) == (ConsentStep.WHO, 1, 2)
    assert not flow.toggle(SCOPE_DOCUMENTS) and not flow.accept(), "not this step's actions"
    assert flow.next_step() and (flow.step, flow.step_number) == (ConsentStep.CHOOSE, 2)
    assert flow.toggle(SCOPE_DOCUMENTS) and flow.toggle(SCOPE_AGENDA) and flow.toggle(SCOPE_AGENDA)
    assert flow.chosen == {SCOPE_DOCUMENTS}
    assert flow.accept() and flow.step is ConsentStep.ACCEPTED and not flow.finished
    assert assisted.state is ConsentState.GIVEN and assisted.scopes == {SCOPE_DOCUMENTS}
    assert not flow.refuse() and not flow.back() and not flow.toggle(SCOPE_MESSAGES)


def test_yes_with_nothing_chosen_says_so_and_stays(flow, assisted):
    flow.next_step()
    assert not flow.accept()
    assert (flow.step, flow.error_key) == (ConsentStep.CHOOSE, CONSENT_NONE_CHOSEN_KEY)
    assert assisted.consent_pending
    assert not flow.toggle("closure"), "not a scope the patient chooses"
    assert flow.toggle(SCOPE_MESSAGES) and flow.error_key is None
    assert flow.accept() and assisted.scopes == {SCOPE_MESSAGES}


@pytest.mark.parametrize("at_choose", [False, True])
def test_no_drops_the_patients_data_and_leads_to_the_neutral_step(flow, assisted, session, at_choose):
    session.data["patient"] = "something of the patient"
    if at_choose:
        flow.next_step()
        flow.toggle(SCOPE_DOCUMENTS)
    assert flow.refuse()
    assert flow.step is ConsentStep.REFUSED and not flow.finished, "the wipe does not end the answer"
    assert assisted.state is ConsentState.REFUSED and session.data == {}
    assert not flow.accept() and not flow.next_step() and not flow.refuse()


def test_back_from_the_choices_to_who_helps_and_no_further(flow):
    assert flow.at_first_step and not flow.back()
    flow.next_step()
    assert not flow.at_first_step
    flow.accept()
    assert flow.back() and flow.step is ConsentStep.WHO and flow.error_key is None
    assert not flow.back() and flow.step is ConsentStep.WHO


def test_a_helper_gone_meanwhile_leaves_nothing_to_answer(flow, assisted):
    assisted.withdraw()
    assert not flow.asking
    assert not flow.next_step() and not flow.refuse() and flow.step is ConsentStep.WHO


def test_nothing_of_the_helper_in_repr(flow):
    assert "Claire" not in repr(flow) and "Pharmacie" not in repr(flow)
