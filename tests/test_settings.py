import dataclasses

import pytest

from kiosk import settings as s


def write(tmp_path, text):
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    settings = s.load(None, env={})
    assert settings == s.Settings()
    assert settings.backend == "demo"
    assert settings.screen_width_mm == 344.0
    assert settings.warning_s >= 20
    assert settings.languages[0] == "fr"


def test_field_table_matches_dataclass_defaults():
    defaults = s.Settings()
    names = {f.name for f in dataclasses.fields(s.Settings)} - {"source"}
    assert names == set(s.FIELD_BY_NAME)
    for field in s.FIELDS:
        assert getattr(defaults, field.name) == field.default, field.name


def test_file_and_env_override(tmp_path):
    path = write(tmp_path, '[kiosk]\ninactivity_timeout_s = 300\nlanguages = ["en", "fr"]\n')
    settings = s.load(path, env={"KIOSK_WARNING_S": "45"})
    assert settings.inactivity_timeout_s == 300
    assert settings.warning_s == 45
    assert settings.default_language == "en"
    assert settings.source == str(path)


def test_file_without_section(tmp_path):
    path = write(tmp_path, 'theme = "contraste"\n')
    assert s.load(path, env={}).theme == "contraste"


@pytest.mark.parametrize(
    "line, key, allowed",
    [
        ("warning_s = 10", "warning_s", "de 20 à 300"),
        ("inactivity_timeout_s = 'long'", "inactivity_timeout_s", "de 60 à 3600"),
        ("screen_width_mm = 5", "screen_width_mm", "de 100 à 2000"),
        ("languages = ['fr', 'xx']", "languages", "fr, en"),
        ("languages = []", "languages", "fr, en"),
        ("backend = 'ftp://x'", "backend", "https://"),
        ("theme = 'rose'", "theme", "standard, contraste, doux"),
        ("text_size = 7", "text_size", "1, 2, 3, 4"),
        ("fullscreen = 'peut-être'", "fullscreen", "true ou false"),
        ("speech_rate_wpm = 1000", "speech_rate_wpm", "de 80 à 300"),
    ],
)
def test_bad_value_names_key_and_allowed_values(tmp_path, line, key, allowed):
    path = write(tmp_path, line + "\n")
    with pytest.raises(s.SettingsError) as info:
        s.load(path, env={})
    message = str(info.value)
    assert f"« {key} »" in message
    assert allowed in message
    assert message.count(".") <= 3 and "\n" not in message


def test_bad_env_value(tmp_path):
    with pytest.raises(s.SettingsError, match="« text_size »"):
        s.load(write(tmp_path, ""), env={"KIOSK_TEXT_SIZE": "9"})


def test_unknown_key(tmp_path):
    with pytest.raises(s.SettingsError, match="« couleur » n'existe pas"):
        s.load(write(tmp_path, "couleur = 'bleu'\n"), env={})


def test_warning_must_be_shorter_than_timeout(tmp_path):
    with pytest.raises(s.SettingsError, match="warning_s"):
        s.load(write(tmp_path, "inactivity_timeout_s = 60\nwarning_s = 60\n"), env={})


def test_broken_toml(tmp_path):
    with pytest.raises(s.SettingsError, match="mal écrit"):
        s.load(write(tmp_path, "theme = \n"), env={})


def test_missing_explicit_file(tmp_path):
    with pytest.raises(s.SettingsError, match="n'existe pas"):
        s.load(tmp_path / "nope.toml", env={})


def test_reference_lists_every_setting():
    text = s.reference_markdown()
    for field in s.FIELDS:
        assert f"`{field.name}`" in text
        assert f"KIOSK_{field.name.upper()}" in text


def test_px_per_mm_follows_screen_width():
    assert s.Settings().px_per_mm == pytest.approx(1920 / 344)
    assert s.Settings(screen_width_mm=527.0).px_per_mm == pytest.approx(1920 / 527)


# -- bad files, written as bytes: one sentence with the line and the key -----------------------

def write_bytes(tmp_path, data: bytes):
    path = tmp_path / "kiosk.toml"
    path.write_bytes(data)
    return path


def refused(path) -> str:
    with pytest.raises(s.SettingsError) as info:
        s.load(path, env={})
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    assert "Error" not in message and "Invalid" not in message  # never an English exception text
    return message


def test_a_file_not_in_utf8_names_its_line_and_key(tmp_path):
    data = '[kiosk]\ntheme = "doux"\nbackend_token = "café"\n'.encode("latin-1")
    message = refused(write_bytes(tmp_path, data))
    assert "ligne 3" in message and "« backend_token »" in message and "UTF-8" in message


def test_a_file_cut_in_the_middle_of_a_character(tmp_path):
    data = '[kiosk]\ntheme = "doux"\n'.encode() + "é".encode()[:1]
    message = refused(write_bytes(tmp_path, data))
    assert "ligne 3" in message and "UTF-8" in message


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = write_bytes(tmp_path, b"\xef\xbb\xbf[kiosk]\ntheme = \"contraste\"\n")
    assert s.load(path, env={}).theme == "contraste"


@pytest.mark.parametrize(
    "line, key",
    [
        ("text_size = true", "text_size"),
        ("inactivity_timeout_s = false", "inactivity_timeout_s"),
        ("screen_width_mm = true", "screen_width_mm"),
        ("fullscreen = 1", "fullscreen"),
        ("headset = \"oui\"", "headset"),
        ("speech_rate_wpm = \"150\"", "speech_rate_wpm"),
        ("theme = 1", "theme"),
        ("languages = \"fr\"", "languages"),
        ("backend_token = 12", "backend_token"),
        ("state_dir = 2026-12-01", "state_dir"),
    ],
)
def test_a_wrong_type_is_refused_with_line_and_key(tmp_path, line, key):
    path = write_bytes(tmp_path, b"# borne\n[kiosk]\n" + line.encode() + b"\n")
    message = refused(path)
    assert "ligne 3" in message and f"« {key} »" in message and "type" in message
    assert s.FIELD_BY_NAME[key].allowed in message


def test_a_boolean_is_not_a_text_size_from_the_environment_either(tmp_path):
    for value in ("true", "True", "yes"):
        with pytest.raises(s.SettingsError, match="« text_size »"):
            s.load(write(tmp_path, ""), env={"KIOSK_TEXT_SIZE": value})
    with pytest.raises(s.SettingsError, match="« text_size »"):
        s.Settings().replace(text_size=True)


def test_a_misspelled_section_is_refused_even_beside_kiosk(tmp_path):
    path = write_bytes(tmp_path, b'[kiosk]\ntheme = "doux"\n\n[kiosque]\ntext_size = 2\n')
    message = refused(path)
    assert "ligne 4" in message and "[kiosque]" in message and "[kiosk]" in message


def test_an_unknown_section_alone(tmp_path):
    message = refused(write_bytes(tmp_path, b'[reseau]\nbackend = "demo"\n'))
    assert "ligne 1" in message and "[reseau]" in message and "n'existe pas" in message


def test_an_unknown_key_names_its_line_and_a_close_setting(tmp_path):
    message = refused(write_bytes(tmp_path, b'[kiosk]\ntheme = "doux"\n\ntexte_size = 2\n'))
    assert "ligne 4" in message and "« texte_size » n'existe pas" in message and "« text_size »" in message


def test_a_key_given_twice(tmp_path):
    message = refused(write_bytes(tmp_path, b'theme = "doux"\n[kiosk]\ntheme = "standard"\n'))
    assert "ligne 3" in message and "« theme »" in message and "deux" in message


@pytest.mark.parametrize(
    "data, line, key",
    [
        (b'[kiosk]\ntheme = "doux"\nwarning_s = \n', 3, "warning_s"),
        (b'[kiosk]\ntheme = "doux\n', 2, "theme"),
        (b'[kiosk\ntheme = "doux"\n', 1, None),
        (b'theme = "doux"\ntheme = "standard"\n', 2, "theme"),
    ],
)
def test_a_toml_syntax_error_names_its_line(tmp_path, data, line, key):
    message = refused(write_bytes(tmp_path, data))
    assert "mal écrit" in message and f"ligne {line}" in message and "?" not in message
    if key:
        assert f"« {key} »" in message


def test_a_value_out_of_range_names_its_line(tmp_path):
    message = refused(write_bytes(tmp_path, b'# borne\n\n[kiosk]\nspeech_rate_wpm = 1000\n'))
    assert "ligne 4" in message and "« speech_rate_wpm »" in message and "de 80 à 300" in message


def test_a_whole_number_is_a_number_of_millimetres(tmp_path):
    assert s.load(write(tmp_path, "screen_width_mm = 527\n"), env={}).screen_width_mm == 527.0


# -- plain http and the certificate file ------------------------------------------------------

def test_plain_http_backend_is_refused_with_its_line(tmp_path):
    message = refused(write_bytes(tmp_path, b'[kiosk]\nbackend = "http://10.0.0.5/fhir"\n'))
    assert "ligne 2" in message and "« backend »" in message and "allow_insecure_http" in message


def test_plain_http_is_refused_from_the_environment_and_in_code(tmp_path):
    with pytest.raises(s.SettingsError, match="allow_insecure_http"):
        s.load(write(tmp_path, ""), env={"KIOSK_BACKEND": "http://10.0.0.5/fhir"})
    with pytest.raises(s.SettingsError, match="allow_insecure_http"):
        s.Settings(backend="http://10.0.0.5/fhir")
    with pytest.raises(s.SettingsError, match="allow_insecure_http"):
        s.Settings().replace(backend="http://10.0.0.5/fhir")


def test_plain_http_only_when_allowed_for_a_test_server(tmp_path):
    path = write_bytes(tmp_path, b'[kiosk]\nbackend = "http://127.0.0.1:8080/fhir"\nallow_insecure_http = true\n')
    settings = s.load(path, env={})
    assert settings.backend == "http://127.0.0.1:8080/fhir" and settings.allow_insecure_http
    assert s.load(write(tmp_path, ""), env={"KIOSK_BACKEND": "http://127.0.0.1/fhir",
                                            "KIOSK_ALLOW_INSECURE_HTTP": "true"}).allow_insecure_http
    assert "serveur de test" in s.FIELD_BY_NAME["allow_insecure_http"].doc
    assert "allow_insecure_http" in s.reference_markdown()


def test_training_never_uses_the_backend_so_http_there_is_not_a_fault(tmp_path):
    path = write_bytes(tmp_path, b'backend = "http://10.0.0.5/fhir"\ntraining = true\n')
    assert s.load(path, env={}).is_demo


def test_ca_bundle_problems_are_sentences(tmp_path):
    assert s.ca_bundle_problem("") is None
    missing = s.ca_bundle_problem(str(tmp_path / "absent.pem"))
    assert "introuvable" in missing and "backend_ca_bundle" in missing
    garbage = tmp_path / "garbage.pem"
    garbage.write_bytes(b"not a certificate\n")
    assert "aucun certificat" in s.ca_bundle_problem(str(garbage))
    from tests.tls import make_self_signed

    cert, _key = make_self_signed(tmp_path)
    assert s.ca_bundle_problem(str(cert)) is None
