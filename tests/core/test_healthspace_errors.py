"""Typed errors of the HealthSpace port and their messages."""

from __future__ import annotations

import re

import pytest

from kiosk.core.errors import (
    ERROR_CLASSES,
    HealthSpaceError,
    NotAllowed,
    NotFound,
    Rejected,
    SignInFailed,
    Unavailable,
    all_error_keys,
    describe,
)
from kiosk.core.i18n import Catalog, placeholders, read_catalog_files


def test_every_error_is_a_health_space_error_with_a_stable_key():
    for cls in (NotFound, NotAllowed, SignInFailed, Unavailable, Rejected):
        assert issubclass(cls, HealthSpaceError)
        error = cls()
        assert error.key == cls.base_key and error.key.startswith("errors.")
        assert str(error) == cls.base_key


def test_keys_are_a_closed_set():
    assert NotAllowed("errors.not_allowed.locked").key == "errors.not_allowed.locked"
    with pytest.raises(ValueError):
        NotAllowed("errors.rejected.paging")
    with pytest.raises(ValueError):
        NotFound("Mme Paulette Exemple was not found")


def test_error_text_holds_only_key_and_numbers():
    error = SignInFailed(attempts_left=2)
    assert str(error) == "errors.sign_in_failed attempts_left=2"
    locked = NotAllowed("errors.not_allowed.locked", retry_after=899.6)
    assert str(locked) == "errors.not_allowed.locked retry_after=900s"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_key_has_a_message(lang):
    messages = read_catalog_files(lang)
    for key in all_error_keys() | {
        "errors.attempts_left.one", "errors.attempts_left.other",
        "errors.retry_in_minutes.one", "errors.retry_in_minutes.other",
    }:
        assert messages.get(key, "").strip(), key


def test_languages_have_the_same_error_keys_and_placeholders():
    fr = {k: v for k, v in read_catalog_files("fr").items() if k.startswith(("errors.", "domain."))}
    en = {k: v for k, v in read_catalog_files("en").items() if k.startswith(("errors.", "domain."))}
    assert set(fr) == set(en)
    for key in fr:
        assert placeholders(fr[key]) == placeholders(en[key]), key


def test_french_error_messages_are_short_plain_sentences():
    for key, text in read_catalog_files("fr").items():
        if not key.startswith("errors."):
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", text.strip()):
            assert len(sentence.split()) <= 15, (key, sentence)
            assert sentence[0].isupper() or sentence[0] == "{", (key, sentence)
        assert text.strip()[-1] in ".?!", key


def test_describe_adds_attempts_and_delay():
    fr = Catalog.load("fr")
    assert describe(SignInFailed(attempts_left=2), fr) == (
        "Ce code n'est pas le bon. Vérifiez-le et réessayez. Il vous reste 2 essais."
    )
    assert describe(SignInFailed(attempts_left=1), fr).endswith("Il vous reste 1 essai.")
    locked = describe(NotAllowed("errors.not_allowed.locked", retry_after=900), fr)
    assert locked.endswith("Vous pourrez réessayer dans 15 minutes.")
    assert describe(Unavailable("errors.unavailable.not_sent"), fr) == (
        "Le service ne répond pas. Rien n'a été envoyé. Réessayez ou demandez au pharmacien."
    )
    assert describe(KeyError("boom"), fr) == fr.tr("errors.generic")
    en = Catalog.load("en")
    assert describe(SignInFailed(attempts_left=3), en).endswith("You have 3 tries left.")


def test_error_classes_listed():
    assert set(ERROR_CLASSES) == {HealthSpaceError, NotFound, NotAllowed, SignInFailed, Unavailable, Rejected}
