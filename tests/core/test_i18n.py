"""Catalogues: complete in every shipped language, placeholders match, no hard-coded text."""

import ast
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from kiosk.core import i18n
from kiosk.core.clock import PARIS

ROOT = Path(__file__).resolve().parents[2]
LANGS = i18n.available_languages()
SOURCE = i18n.read_catalog_files("fr")


def test_french_and_english_are_shipped():
    assert {"fr", "en"} <= set(LANGS)
    assert SOURCE, "the French catalogue is empty"


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "fr"])
def test_every_key_translated(lang):
    other = i18n.read_catalog_files(lang)
    assert sorted(set(SOURCE) - set(other)) == []
    assert sorted(set(other) - set(SOURCE)) == []


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "fr"])
def test_placeholders_match(lang):
    other = i18n.read_catalog_files(lang)
    bad = [k for k in SOURCE if k in other and i18n.placeholders(SOURCE[k]) != i18n.placeholders(other[k])]
    assert bad == []


def test_no_empty_translation():
    for lang in LANGS:
        folder = i18n.locales_dir() / lang / "LC_MESSAGES"
        for po in folder.glob("*.po"):
            text = po.read_text(encoding="utf-8")
            assert 'msgstr ""\n\n' not in text.split("\n\n", 1)[-1] + "\n", f"{po.name} ({lang}) has an empty msgstr"


CALL = re.compile(r"""\btr(_n)?\(\s*(?:\n\s*)?["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""")


def code_files():
    for folder in ("kiosk",):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".kv") and "__pycache__" not in path.parts:
                yield path


def test_every_key_used_in_code_exists():
    missing = []
    for path in code_files():
        for plural, key in CALL.findall(path.read_text(encoding="utf-8")):
            keys = [key + ".one", key + ".other"] if plural else [key]
            missing += [f"{path.relative_to(ROOT)}: {k}" for k in keys if k not in SOURCE]
    assert missing == []


KV_TEXT = re.compile(r"^\s*(text|title|label)\s*:\s*(['\"])(.*?)\2\s*$")


def test_no_patient_text_written_in_kv_files():
    found = []
    for path in (ROOT / "kiosk").rglob("*.kv"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = KV_TEXT.match(line)
            if match and re.search(r"[A-Za-zÀ-ÿ]{2}", match.group(3)):
                found.append(f"{path.name}:{number}: {line.strip()}")
    assert found == []


def literal_texts(tree: ast.AST):
    """String literals given as widget text: text="…", title="…", label="…", x.text = "…"."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for kw in node.keywords:
                if kw.arg in ("text", "title", "label", "message") and isinstance(kw.value, ast.Constant):
                    yield node.lineno, kw.value.value
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Attribute) and target.attr in ("text", "title") and isinstance(
                    node.value, ast.Constant
                ):
                    yield node.lineno, node.value.value


HEX = re.compile(r"^#?[0-9A-Fa-f]{3,8}$")


def test_no_patient_text_written_in_python():
    found = []
    for folder in ("ui", "core"):
        for path in (ROOT / "kiosk" / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for line, value in literal_texts(tree):
                if isinstance(value, str) and re.search(r"[A-Za-zÀ-ÿ]{2}", value) and not HEX.match(value):
                    found.append(f"{path.relative_to(ROOT)}:{line}: {value!r}")
    assert found == []


def test_hardcoded_checker_can_fail():
    tree = ast.parse("Label(text='Bonjour madame')\nw.text = 'Suivant'\nLabel(text=app.tr('x.y'))")
    assert sorted(v for _, v in literal_texts(tree)) == ["Bonjour madame", "Suivant"]


def test_tr_formats_and_fails_loudly():
    cat = i18n.Catalog("fr", {"a.b": "Page {page} sur {total}", "n.one": "{n} document", "n.other": "{n} documents"})
    assert cat.tr("a.b", page=2, total=5) == "Page 2 sur 5"
    assert cat.tr_n("n", 0) == "0 document"
    assert cat.tr_n("n", 1) == "1 document"
    assert cat.tr_n("n", 3) == "3 documents"
    en = i18n.Catalog("en", {"n.one": "{n} document", "n.other": "{n} documents"})
    assert en.tr_n("n", 0) == "0 documents"
    with pytest.raises(i18n.MissingMessage):
        cat.tr("absent.key")


def test_dates_the_french_way():
    when = datetime(2024, 12, 3, 14, 30, tzinfo=PARIS)
    assert i18n.format_date(when, "fr") == "mardi 3 décembre à 14 h 30"
    assert i18n.format_date(datetime(2024, 12, 3, 9, 0, tzinfo=PARIS), "fr") == "mardi 3 décembre à 9 h"
    assert i18n.format_date(date(2024, 12, 3), "fr") == "mardi 3 décembre 2024"
    assert i18n.format_date(when, "en") == "Tuesday 3 December at 2:30 pm"


def test_first_of_the_month_is_1er_in_french():
    first = datetime(2026, 12, 1, 14, 30, tzinfo=PARIS)
    assert i18n.format_date(first, "fr") == "mardi 1er décembre à 14 h 30"
    assert i18n.format_date(datetime(2026, 12, 1, 9, 0, tzinfo=PARIS), "fr") == "mardi 1er décembre à 9 h"
    assert i18n.format_date(date(2026, 12, 1), "fr") == "mardi 1er décembre 2026"
    assert i18n.format_date(first, "fr", with_time=False) == "mardi 1er décembre 2026"
    # other days keep their number; 11, 21 and 31 are not "1er"
    assert i18n.format_date(date(2026, 12, 11), "fr") == "vendredi 11 décembre 2026"
    assert i18n.format_date(datetime(2026, 12, 21, 8, 5, tzinfo=PARIS), "fr") == "lundi 21 décembre à 8 h 05"
    assert i18n.format_date(date(2026, 12, 31), "fr") == "jeudi 31 décembre 2026"
    # English is unchanged
    assert i18n.format_date(first, "en") == "Tuesday 1 December at 2:30 pm"
    assert i18n.format_date(date(2026, 12, 1), "en") == "Tuesday 1 December 2026"


def test_language_names_in_their_own_language():
    assert i18n.language_name("fr") == "Français"
    assert i18n.language_name("en") == "English"
