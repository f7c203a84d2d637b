"""End-of-session summary, and the catalogue keys every flow gives the UI."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kiosk.core.audit import AuditAction
from kiosk.core.flows.access import AccessFlow
from kiosk.core.flows.access_code import AccessCodeFlow
from kiosk.core.flows.documents import DocumentsFlow
from kiosk.core.flows.messages import READY_ANSWERS, MessagesFlow
from kiosk.core.flows.summary import AUDIT_ACTIONS, Activity, SummaryLine, render_summary, summary_lines
from kiosk.core.i18n import Catalog, read_catalog_files
from kiosk.core.models import Category

FLOWS_DIR = Path(__file__).resolve().parents[3] / "kiosk" / "core" / "flows"
KEY = re.compile(r"^(flows|errors|domain)\.[a-z0-9_]+(\.[a-z0-9_]+)+$")


def test_summary_of_what_was_done(ctx, sign_in):
    sign_in("rich")
    docs = DocumentsFlow(ctx).start()
    docs.choose_category(Category.RESULTAT)
    docs.open_document("paulette-bio-2026-11")
    docs.ask_hide()
    docs.confirm()
    docs.back()
    docs.open_document(docs.documents[-1].id if docs.documents[-1].id != "paulette-bio-2026-11" else docs.documents[0].id)
    messages = MessagesFlow(ctx).start()
    messages.open_thread("paulette-fil-resultats")
    messages.reply()
    messages.choose_ready(READY_ANSWERS[0])
    messages.send()
    access = AccessFlow(ctx).start()
    access.ask_block(access.rights[0].professional.id)
    access.confirm()
    code = AccessCodeFlow(ctx).start()
    code.choose_duration(0)

    lines = summary_lines(ctx.session.activity_log)
    assert lines == [
        SummaryLine("flows.summary.document_viewed", 2),
        SummaryLine("flows.summary.document_hidden", 1),
        SummaryLine("flows.summary.message_read", 1),
        SummaryLine("flows.summary.message_sent", 1),
        SummaryLine("flows.summary.professional_blocked", 1),
        SummaryLine("flows.summary.code_created", 1),
    ]
    assert render_summary(lines, Catalog.load("fr")) == [
        "Vous avez regardé 2 documents.",
        "Vous avez masqué 1 document.",
        "Vous avez lu 1 message.",
        "Vous avez envoyé 1 message.",
        "Vous avez bloqué 1 professionnel.",
        "Vous avez créé 1 code pour un professionnel.",
    ]
    assert render_summary(lines, Catalog.load("en"))[:2] == ["You looked at 2 documents.", "You hid 1 document."]


def test_an_empty_summary_says_so():
    assert summary_lines({}) == []
    assert summary_lines({"something.else": 3}) == []
    assert render_summary([], Catalog.load("fr")) == ["Vous n'avez rien fait dans votre espace santé."]


def test_every_activity_has_words_and_an_audit_action():
    assert set(AUDIT_ACTIONS) == set(Activity)
    assert all(isinstance(a.audit_action, AuditAction) for a in Activity)
    for lang in ("fr", "en"):
        catalog = Catalog.load(lang)
        for activity in Activity:
            for n in (1, 2):
                assert catalog.tr_n(activity.summary_key, n)


def flow_keys() -> set[str]:
    keys = set()
    for path in FLOWS_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY.match(node.value):
                keys.add(node.value)
    return keys


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_key_a_flow_gives_is_in_the_catalogue(lang):
    messages = read_catalog_files(lang)
    keys = flow_keys() | {"flows.sign_in.code.sent.sms", "flows.sign_in.code.sent.email"}
    assert len(keys) > 100
    # a key given by gender ("flows.access.block.done") has its three forms instead
    # and a key counted with tr_n its singular and plural forms
    gendered = {k for k in keys if all(f"{k}.{g}" in messages for g in ("female", "male", "neutral"))}
    counted = {k for k in keys if all(f"{k}.{n}" in messages for n in ("one", "other"))}
    assert sorted(k for k in keys - gendered - counted if k not in messages) == []


def test_flow_keys_checker_can_fail():
    assert KEY.match("flows.documents.title") and not KEY.match("Masquer ce document")


def test_french_flow_texts_are_short_sentences():
    path = FLOWS_DIR.parents[2] / "locales" / "fr" / "LC_MESSAGES" / "flows.po"
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle)
    too_long = []
    for message in catalog:
        if not message.id:
            continue
        for sentence in re.split(r"(?<=[.?!:])\s+", message.string):
            if len(sentence.split()) > 15:
                too_long.append(message.id)
    assert too_long == []
