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
