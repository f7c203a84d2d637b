"""The demo backend: the HealthSpace contract, then what only the demo promises."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import date, datetime, timedelta

import pypdfium2
import pytest
from PIL import Image

from kiosk.core import ports
from kiosk.core.clock import PARIS, FakeClock
from kiosk.core.errors import NotAllowed, SignInFailed
from kiosk.core.models import Category, LabAssessment, SpaceState, new_idempotency_key
from kiosk.services.backend import demo_files
from kiosk.services.backend.demo import (
    DEMO_NOW,
    DEMO_ROLES,
    DemoHealthSpace,
    demo_assets_dir,
    demo_patient_cards,
    demo_sign_in_code,
    load_demo_data,
    load_demo_records,
)
from tests.contract.healthspace_contract import HealthSpaceContract, OfflineSetup
from tests.contract.known import known_from_demo

#: Far from the data's anchor day, on both sides: a spring-forward night and a month's last evening.
FAR_STARTS = [
    datetime(2031, 3, 30, 1, 30, tzinfo=PARIS),  # Paris moves to summer time at 2:00 that night
    datetime(2019, 2, 28, 23, 30, tzinfo=PARIS),  # the last half hour of February
    datetime(2022, 10, 30, 14, 0, tzinfo=PARIS),  # the day Paris goes back to winter time
]


@pytest.fixture
def clock():
    return FakeClock(DEMO_NOW)


@pytest.fixture
def demo(clock):
    return DemoHealthSpace(clock)


class TestDemoHealthSpaceContract(HealthSpaceContract):
    @pytest.fixture
    def space(self, demo):
        return demo

    @pytest.fixture
    def known(self, clock):
        return known_from_demo(clock.now())

    @pytest.fixture
    def offline(self, demo, known):
        session = self.sign_in(demo, known, known.rich)
        demo.set_unavailable(True)
        return OfflineSetup(demo, session)


class TestDemoHealthSpaceContractYearsAway(TestDemoHealthSpaceContract):
    """The same promises on a clock far from the data's anchor day: the data moves with it."""

    @pytest.fixture(params=FAR_STARTS[:2], ids=lambda d: d.isoformat())
    def clock(self, request):
        return FakeClock(request.param)


def sign_in(space, role):
    ins = load_demo_data().by_id(DEMO_ROLES[role]).patient.ins
    challenge = space.start_sign_in(ins)
    return space.finish_sign_in(challenge.handle, demo_sign_in_code(ins))


# --------------------------------------------------------------- the data


def test_at_least_six_patients_with_obviously_fictional_identities():
    records = load_demo_records()
    assert len(records) >= 6
    fictional = ("Exemple", "Essai", "Modèle", "Factice", "Démo", "Fictif", "Témoin", "Verrou", "Test")
    for record in records:
        patient = record.patient
        assert any(word in patient.family_name for word in fictional)
        assert patient.ins[0] in "12" and patient.ins[5:10] == "99999" and len(patient.ins) == 15
    assert len({r.patient.ins for r in records}) == len(records)
    assert len({r.sign_in_code for r in records}) == len(records)


def test_the_roles_match_the_data():
    data = load_demo_data()
    rich = data.by_id(DEMO_ROLES["rich"])
    assert rich.patient.age_on(DEMO_NOW.date()) == 82
    assert len(rich.documents) >= 15
    assert sum(t.unread_count for t in rich.threads) >= 2
    assert not data.by_id(DEMO_ROLES["empty"]).documents
    privacy = data.by_id(DEMO_ROLES["privacy"])
    assert any(d.hidden_from_professionals for d in privacy.documents)
    assert any(r.blocked for r in privacy.access_rights)
    assert data.by_id(DEMO_ROLES["closed"]).status.state is SpaceState.CLOSED
    assert len(data.by_id(DEMO_ROLES["large"]).documents) == 1000
    child = data.by_id(DEMO_ROLES["child"])
    assert child.patient.representative and child.patient.age_on(DEMO_NOW.date()) < 18


def test_rich_patient_content_is_realistic():
    rich = load_demo_data().by_id(DEMO_ROLES["rich"])
    text = " ".join(p for c in rich.contents.values() if c.is_text for p in c.pages)
    assert "1 comprimé le matin et 1 le soir" in text and "pendant 3 mois" in text
    categories = {d.category for d in rich.documents}
    assert {Category.ORDONNANCE, Category.RESULTAT, Category.COMPTE_RENDU, Category.VACCINATION, Category.IMAGERIE} <= categories
    assert any(d.type == "Lettre de sortie d'hospitalisation" for d in rich.documents)
    assessments = {v.assessment for d in rich.documents for v in d.lab_results}
    assert assessments == {LabAssessment.BELOW, LabAssessment.WITHIN, LabAssessment.ABOVE}
    professions = {t.professional.profession for t in rich.threads}
    assert {"Médecin généraliste", "Pharmacienne", "Service hospitalier"} <= professions
    assert any(m.attachments for t in rich.threads for m in t.messages)


def test_every_content_matches_its_document_and_attachments_exist():
    for record in load_demo_records():
        assert set(record.contents) == {d.id for d in record.documents}
        for document in record.documents:
            assert record.contents[document.id].media_type == document.media_type
        ids = set(record.contents)
        assert all(a in ids for t in record.threads for m in t.messages for a in m.attachments)


def test_the_pdf_is_real_with_a_text_layer_and_rebuilt_identically():
    stored = (demo_assets_dir() / demo_files.PDF_NAME).read_bytes()
    assert stored == demo_files.make_pdf(), "assets PDF differs from its generator"
    pdf = pypdfium2.PdfDocument(stored)
    try:
        assert len(pdf) == 2
        text = pdf[0].get_textpage().get_text_range()
        assert "fond de l'œil" in text and "Mme Paulette Exemple" in text
        image = pdf[0].render(scale=0.5).to_pil()
        assert image.size[0] > 200 and image.getextrema() != ((255, 255), (255, 255), (255, 255))
    finally:
        pdf.close()


def test_the_image_is_a_real_png():
    image = Image.open(io.BytesIO(demo_files.xray_png()))
    image.load()
    assert image.size == (360, 480) and image.mode == "L"
    low, high = image.getextrema()
    assert low < 50 and high > 150


def test_data_is_deterministic_and_the_json_is_valid():
    raw = json.loads((demo_assets_dir() / "patients.json").read_text(encoding="utf-8"))
    assert raw["today"].startswith("2026-12-01")
    load_demo_data.cache_clear()
    first = load_demo_records()
    load_demo_data.cache_clear()
    second = load_demo_records()
    assert first == second and first is not second


def test_cards_for_training_show_the_codes():
    cards = demo_patient_cards()
    assert len(cards) == len(load_demo_records())
    for card in cards:
        assert card.sign_in_code == demo_sign_in_code(card.ins) and card.about and card.name


# ---------------------------------------------------------- the behaviour


def test_reset_restores_the_initial_data(demo):
    session = sign_in(demo, "rich")
    before_docs = demo.list_documents(session, page_size=ports.MAX_PAGE_SIZE)
    before_threads = demo.list_threads(session)
    doc = before_docs.items[0]
    pro = demo.list_access_rights(session)[0].professional
    demo.hide_document(session, doc.id)
    demo.block_professional(session, pro.id)
    demo.set_emergency_access(session, False)
    demo.mark_thread_read(session, before_threads[0].id)
    demo.reply(session, before_threads[0].id, "Merci.", idempotency_key=new_idempotency_key())
    code = demo.create_access_code(session, timedelta(hours=1))
    assert demo.list_access_codes(session) == [code]

    demo.reset()
    with pytest.raises(NotAllowed):
        demo.list_documents(session)  # sessions end with a reset
    again = sign_in(demo, "rich")
    assert demo.list_documents(again, page_size=ports.MAX_PAGE_SIZE) == before_docs
    assert demo.list_threads(again) == before_threads
    assert not any(r.blocked for r in demo.list_access_rights(again))
    assert demo.get_emergency_access(again) is True
    assert demo.list_access_codes(again) == []


def test_two_demo_backends_do_not_share_changes(clock):
    first, second = DemoHealthSpace(clock), DemoHealthSpace(clock)
    one = sign_in(first, "rich")
    doc = first.list_documents(one).items[0]
    first.hide_document(one, doc.id)
    two = sign_in(second, "rich")
    assert not second.get_document(two, doc.id).hidden_from_professionals


def test_reset_restores_a_closed_space(demo):
    session = sign_in(demo, "closable")
    demo.close_space(session, delete_documents=True)
    demo.reset()
    assert demo.get_space_status(sign_in(demo, "closable")).state is SpaceState.ACTIVE


def test_closing_revokes_live_codes(demo):
    session = sign_in(demo, "closable")
    demo.create_access_code(session, timedelta(days=1))
    demo.close_space(session)
    state = demo._states[DEMO_ROLES["closable"]]
    assert state.codes and all(c.revoked for c in state.codes)


def test_lockout_ends_after_the_delay(demo, clock):
    ins = load_demo_data().by_id(DEMO_ROLES["lockable"]).patient.ins
    challenge = demo.start_sign_in(ins)
    for _ in range(ports.MAX_CODE_ATTEMPTS - 1):
        with pytest.raises(SignInFailed):
            demo.finish_sign_in(challenge.handle, "000000")
    with pytest.raises(NotAllowed) as info:
        demo.finish_sign_in(challenge.handle, "000000")
    assert info.value.retry_after == ports.LOCKOUT.total_seconds()
    clock.advance(ports.LOCKOUT.total_seconds() - 60)
    with pytest.raises(NotAllowed) as info:
        demo.start_sign_in(ins)
    assert info.value.retry_after == 60
    clock.advance(61)
    challenge = demo.start_sign_in(ins)
    with pytest.raises(SignInFailed) as failed:  # the count started again
        demo.finish_sign_in(challenge.handle, "000000")
    assert failed.value.attempts_left == ports.MAX_CODE_ATTEMPTS - 1
    assert demo.finish_sign_in(challenge.handle, demo_sign_in_code(ins)).patient.ins == ins


def test_a_challenge_expires(demo, clock):
    ins = load_demo_data().by_id(DEMO_ROLES["rich"]).patient.ins
    challenge = demo.start_sign_in(ins)
    assert challenge.expires == DEMO_NOW + ports.CHALLENGE_LIFETIME
    clock.advance(ports.CHALLENGE_LIFETIME.total_seconds())
    with pytest.raises(SignInFailed) as info:
        demo.finish_sign_in(challenge.handle, demo_sign_in_code(ins))
    assert info.value.key == "errors.sign_in_failed.expired"


def test_codes_expire_with_the_clock(demo, clock):
    session = sign_in(demo, "rich")
    code = demo.create_access_code(session, timedelta(hours=1))
    assert code.created == DEMO_NOW and code.expires == DEMO_NOW + timedelta(hours=1)
    clock.advance(3599)
    assert demo.list_access_codes(session) == [code]
    assert code.remaining(clock.now()) == timedelta(seconds=1)
    clock.advance(1)
    assert demo.list_access_codes(session) == []
    for _ in range(ports.MAX_ACTIVE_ACCESS_CODES):  # expired codes do not count
        demo.create_access_code(session, timedelta(hours=1))


def test_injected_code_generator_makes_codes_deterministic(clock):
    codes = iter(["ABCDE-FGHJK", "ABCDE-FGHJK", "23456-789AB"])
    space = DemoHealthSpace(clock, code_generator=lambda: next(codes))
    session = sign_in(space, "rich")
    assert space.create_access_code(session, timedelta(hours=1)).code == "ABCDE-FGHJK"
    assert space.create_access_code(session, timedelta(hours=1)).code == "23456-789AB"  # never twice


def test_appointments_follow_the_clock(demo, clock):
    session = sign_in(demo, "rich")
    ids = [a.id for a in demo.list_appointments(session)]
    assert ids == ["paulette-rdv-generaliste", "paulette-rdv-diabeto", "paulette-rdv-ophtalmo"]
    clock.advance(timedelta(days=10).total_seconds())
    assert [a.id for a in demo.list_appointments(session)] == ids[1:]


def test_reply_is_dated_by_the_clock(demo, clock):
    session = sign_in(demo, "rich")
    thread = demo.list_threads(session)[0]
    clock.advance(90)
    message = demo.reply(session, thread.id, "Pouvez-vous me rappeler ?", idempotency_key="k1")
    assert message.date == DEMO_NOW + timedelta(seconds=90)
    assert demo.list_threads(session)[0].last_date == message.date or thread.unread_count


def test_large_patient_walks_every_page(demo):
    session = sign_in(demo, "large")
    seen, page = [], 1
    while True:
        result = demo.list_documents(session, page=page, page_size=ports.DEFAULT_PAGE_SIZE)
        seen += [d.id for d in result.items]
        if not result.has_next:
            break
        page += 1
    assert page == 50 and len(seen) == len(set(seen)) == 1000
    counts = demo.document_counts(session)
    assert all(counts[c] > 50 for c in Category)
    content = demo.get_document_content(session, seen[-1])
    assert content.is_text and "sur 1000" in content.pages[0]


def test_privacy_patient_state(demo):
    session = sign_in(demo, "privacy")
    assert demo.get_emergency_access(session) is False
    blocked = [r for r in demo.list_access_rights(session) if r.blocked]
    assert [r.professional.profession for r in blocked] == ["Masseur-kinésithérapeute"]


def test_unavailable_can_be_switched_off(demo):
    session = sign_in(demo, "rich")
    demo.set_unavailable(True)
    demo.set_unavailable(False)
    assert demo.list_documents(session).total > 0


def test_there_is_no_second_clock():
    import kiosk.services.backend.demo as demo_module

    assert not hasattr(demo_module, "DemoClock")
    with pytest.raises(TypeError):
        DemoHealthSpace()  # the kiosk's clock must be given


@pytest.mark.parametrize("start", FAR_STARTS, ids=lambda d: d.isoformat())
def test_a_code_made_now_is_valid_now_on_any_date(start):
    from kiosk.app import build_services, real
    from kiosk.settings import Settings

    clock = FakeClock(start)
    services = build_services(Settings(), clock, with_voice=False)
    try:
        backend = real(services.backend)
        assert backend.clock is clock  # the kiosk's clock, not one of its own
        session = sign_in(backend, "rich")
        for duration in ports.ACCESS_CODE_DURATIONS:
            code = backend.create_access_code(session, duration)
            assert code.created == clock.now() and code.is_active(clock.now())
            assert code.remaining(clock.now()) == duration
        assert len(backend.list_access_codes(session)) == len(ports.ACCESS_CODE_DURATIONS)
    finally:
        services.close()


def days_before(day: date, moment: date | datetime) -> int:
    """Whole days from ``moment`` (a day, or a time read in Paris) to ``day``."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(PARIS).date()
    return (day - moment).days


def _first(space, role):
    session = sign_in(space, role)
    return (
        space.list_documents(session).items[0],
        space.list_appointments(session),
        space.list_threads(session),
        space.list_reminders(session),
        space.list_access_events(session).items[0],
    )


@pytest.mark.parametrize("start", FAR_STARTS, ids=lambda d: d.isoformat())
def test_demo_data_is_dated_around_the_clocks_today(start):
    today = start.date()
    as_written = _first(DemoHealthSpace(FakeClock(DEMO_NOW)), "rich")
    moved = _first(DemoHealthSpace(FakeClock(start)), "rich")

    (doc0, appts0, threads0, reminders0, event0), (doc, appts, threads, reminders, event) = as_written, moved
    # the newest document is a few days old, on any date, at the same time of day
    assert doc.id == doc0.id and 0 < days_before(today, doc.date) <= 30
    assert days_before(today, doc.date) == days_before(DEMO_NOW.date(), doc0.date)
    assert doc.date.astimezone(PARIS).time() == doc0.date.astimezone(PARIS).time()
    # the same appointments are still ahead, as many days ahead, at the same hour
    assert [a.id for a in appts] == [a.id for a in appts0] and appts
    for a, a0 in zip(appts, appts0):
        assert a.start > start and (a.start.astimezone(PARIS).date() - today) == (a0.start.date() - DEMO_NOW.date())
        assert a.start.astimezone(PARIS).time() == a0.start.astimezone(PARIS).time()
    # messages, reminders and the access history move with it
    assert [days_before(today, t.last_date) for t in threads] == [days_before(DEMO_NOW.date(), t.last_date) for t in threads0]
    assert [days_before(today, r.due) for r in reminders] == [days_before(DEMO_NOW.date(), r.due) for r in reminders0]
    assert days_before(today, event.when) == days_before(DEMO_NOW.date(), event0.when)


@pytest.mark.parametrize("start", FAR_STARTS, ids=lambda d: d.isoformat())
def test_people_keep_their_age_and_spaces_their_history(start):
    data, written = load_demo_data(start.date()), load_demo_data()
    for record, record0 in zip(data.records, written.records):
        assert record.patient.age_on(start.date()) == record0.patient.age_on(DEMO_NOW.date())
        assert (start.date() - record.status.since) == (DEMO_NOW.date() - record0.status.since)
        assert record.patient.ins == record0.patient.ins and record.contents == record0.contents
    assert data.by_id(DEMO_ROLES["child"]).patient.age_on(start.date()) < 18
    assert data.now.astimezone(PARIS).date() == start.date()


def test_the_data_is_dated_again_on_reset():
    clock = FakeClock(DEMO_NOW)
    space = DemoHealthSpace(clock)
    first = _first(space, "rich")[1][0].start
    clock.advance(timedelta(days=400).total_seconds())
    assert _first(space, "rich")[1] == []  # same data until the demo is put back
    space.reset()
    assert _first(space, "rich")[1][0].start == first + timedelta(days=400)


def test_records_export_is_complete_for_seeding():
    for record in load_demo_records():
        assert record.patient.ins and record.sign_in_code.isdigit()
        # every record can be rebuilt field by field (frozen, comparable values)
        assert replace(record) == record
