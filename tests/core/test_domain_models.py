"""Pure domain helpers: lab assessment, temporary codes, identifiers, paging, reprs without data."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from kiosk.core.i18n import Catalog
from kiosk.core.models import (
    ACCESS_CODE_ALPHABET,
    ACCESS_CODE_ENTROPY_BITS,
    AccessAction,
    Category,
    DocumentContent,
    LabAssessment,
    LabValue,
    Page,
    Patient,
    PatientSession,
    ReminderKind,
    SpaceState,
    TemporaryAccessCode,
    assess_lab_value,
    format_access_code,
    generate_access_code,
    ins_is_well_formed,
    ins_with_key,
    normalise_access_code,
    paginate,
)


@pytest.mark.parametrize(
    "value, low, high, expected",
    [
        (1.32, 0.70, 1.10, LabAssessment.ABOVE),
        (0.69, 0.70, 1.10, LabAssessment.BELOW),
        (0.70, 0.70, 1.10, LabAssessment.WITHIN),
        (1.10, 0.70, 1.10, LabAssessment.WITHIN),
        (58, 60, None, LabAssessment.BELOW),
        (61, 60, None, LabAssessment.WITHIN),
        (0.92, None, 1.0, LabAssessment.WITHIN),
        (45, None, 30, LabAssessment.ABOVE),
        (5, None, None, LabAssessment.UNKNOWN),
        (math.nan, 1, 2, LabAssessment.UNKNOWN),
    ],
)
def test_lab_assessment(value, low, high, expected):
    assert assess_lab_value(value, low, high) is expected
    assert LabValue("x", value, "u", low, high).assessment is expected


def test_generated_codes_are_strong_readable_and_vary():
    assert ACCESS_CODE_ENTROPY_BITS >= 40
    assert not set("01ILOU") & set(ACCESS_CODE_ALPHABET)
    codes = {generate_access_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(f"[{ACCESS_CODE_ALPHABET}]{{5}}-[{ACCESS_CODE_ALPHABET}]{{5}}", code)
    used = set("".join(normalise_access_code(c) for c in codes))
    assert len(used) > len(ACCESS_CODE_ALPHABET) - 3  # the whole alphabet is used


def test_code_normalising_and_formatting():
    assert normalise_access_code(" abcde-fghjk ") == "ABCDEFGHJK"
    assert format_access_code("abcdefghjk") == "ABCDE-FGHJK"


def test_temporary_code_lifetime():
    start = datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
    code = TemporaryAccessCode("ABCDE-FGHJK", timedelta(hours=1), start, start + timedelta(hours=1))
    assert code.is_active(start) and code.remaining(start) == timedelta(hours=1)
    assert not code.is_active(start + timedelta(hours=1)) and code.remaining(start + timedelta(hours=2)) == timedelta(0)
    revoked = TemporaryAccessCode(code.code, code.duration, start, code.expires, revoked=True)
    assert not revoked.is_active(start)
    assert "ABCDE" not in repr(code)


def test_identifiers():
    made = ins_with_key("2440399999001")
    assert made == "244039999900168" and ins_is_well_formed(made)
    assert not ins_is_well_formed("244039999900169")
    assert not ins_is_well_formed("24403999990016")
    assert not ins_is_well_formed("24403999990016x")
    assert ins_is_well_formed(ins_with_key("1850799999001"))
    with pytest.raises(ValueError):
        ins_with_key("12")


def test_corsican_identifiers():
    # 2A: the department letters count as 19 minus 1,000,000 in the key
    number = int("1850719999001") - 1000000
    assert ins_is_well_formed(f"185072A999001{97 - number % 97:02d}")
    assert not ins_is_well_formed(f"185072A999001{(97 - number % 97 + 1) % 97:02d}")


def test_paging():
    items = list(range(45))
    first = paginate(items, 1, 20)
    assert first.items == tuple(range(20)) and first.has_next and not first.has_previous and first.page_count == 3
    last = paginate(items, 3, 20)
    assert last.items == tuple(range(40, 45)) and not last.has_next and last.has_previous
    beyond = paginate(items, 4, 20)
    assert beyond.items == () and beyond.total == 45
    empty = paginate([], 1, 20)
    assert empty.items == () and empty.page_count == 1 and not empty.has_next
    assert isinstance(first, Page)


def test_document_content_is_either_text_or_binary():
    assert DocumentContent("text/plain", pages=("a",)).is_text
    assert not DocumentContent("application/pdf", data=b"%PDF").is_text
    for bad in (
        dict(media_type="text/plain"),
        dict(media_type="text/plain", pages=("a",), data=b"x"),
        dict(media_type="application/pdf"),
        dict(media_type="image/png", pages=("a",), data=b"x"),
    ):
        with pytest.raises(ValueError):
            DocumentContent(**bad)
    assert "secret" not in repr(DocumentContent("text/plain", pages=("secret",)))


def test_patient_names_and_age_and_session_repr():
    patient = Patient("p", "244039999900168", "Mme", "Paulette", "Exemple", date(1944, 3, 12))
    assert patient.display_name == "Mme Paulette Exemple"
    assert patient.age_on(date(2026, 3, 11)) == 81 and patient.age_on(date(2026, 3, 12)) == 82
    child = Patient("c", "x", "", "Léo", "Exemple-Test", date(2019, 5, 4), "Mme Julie Exemple-Test, sa mère")
    assert child.display_name == "Léo Exemple-Test"
    session = PatientSession("tok123", patient)
    assert "tok123" not in repr(session) and "Paulette" not in repr(session)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_enum_has_a_label(lang):
    catalog = Catalog.load(lang)
    for enum_type in (Category, LabAssessment, AccessAction, ReminderKind, SpaceState):
        for member in enum_type:
            assert catalog.tr(member.label_key).strip()


def test_category_values_are_stable():
    assert [c.value for c in Category] == [
        "ordonnance", "resultat", "compte_rendu", "imagerie", "vaccination", "certificat", "autre",
    ]
