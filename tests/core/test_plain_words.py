"""No jargon and no abbreviation in what the patient reads or hears (FALC).

Every catalogue entry a patient can see is scanned for a list of forbidden words and
abbreviations, in every language. Text for the helper at their own sign-in and for the
trainer's exercises is not the patient's: it is left out (it may say "code PIN").
"""

import re

import pytest

from kiosk.core import i18n

#: Keys that only a helper or a trainer reads.
NOT_FOR_PATIENTS = ("assisted_ui.sign_in.", "training.")

#: (pattern, why): each is a word or abbreviation the patient must not meet.
FORBIDDEN = [
    (r"\bsessions?\b", "'session' is the machine's word: say what the person does"),
    (r"historique des accès|access history", "say who opened the record"),
    (r"\bPIN\b", "'code PIN' is jargon"),
    (r"\bDre?\b\.?|\bPr\b\.?", "write Docteur / Docteure out in full"),
    (r"\bRDV\b|\brdv\b|\bappt\b", "write rendez-vous / appointment out in full"),
    (r"\bDMP\b", "say 'vos documents de santé'"),
    (r"\bINS\b|\bNIR\b", "say 'numéro de sécurité sociale'"),
    (r"\bRPPS\b|\bFHIR\b|\bOTP\b|\bALD\b|\bCR\b|\bPS\b", "an acronym of the trade"),
    (r"\bHbA1c\b|\bLDL\b|\bTSH\b|\bDFG\b", "a laboratory abbreviation: say what it measures"),
    (r"\bn°|\bno\. ?\d", "write 'numéro' / 'number'"),
    (r"\betc\b\.?|\be\.g\.|\bi\.e\.", "say it plainly"),
    (r"\bMme\b|\bMlle\b|\bM\. [A-Z]", "write Madame / Monsieur out in full"),
    (r"\btoken\b|\blogin\b|\bbackend\b|\btimeout\b", "the machine's words"),
]


def patient_texts(lang: str) -> dict[str, str]:
    return {k: v for k, v in i18n.read_catalog_files(lang).items() if not k.startswith(NOT_FOR_PATIENTS)}


def jargon_in(texts: dict[str, str]) -> list[str]:
    found = []
    for key, text in sorted(texts.items()):
        for pattern, why in FORBIDDEN:
            match = re.search(pattern, text, flags=re.IGNORECASE if pattern.islower() else 0)
            if match:
                found.append(f"{key}: {match.group(0)!r} ({why})")
    return found


@pytest.mark.parametrize("lang", i18n.available_languages())
def test_no_jargon_in_patient_text(lang):
    assert jargon_in(patient_texts(lang)) == []


def test_the_scan_can_fail():
    bad = {
        "a": "Votre session va se terminer.",
        "b": "Voir l'historique des accès",
        "c": "Tapez votre code PIN.",
        "d": "Rendez-vous avec le Dr Martin.",
        "e": "Votre RDV de mardi",
        "f": "Votre DMP",
        "g": "Document n° 3",
        "h": "Hémoglobine glyquée (HbA1c)",
    }
    assert [line.split(":")[0] for line in jargon_in(bad)] == sorted(bad)
    assert jargon_in({"ok": "Docteure Anne Martin, Madame Paulette Exemple, rendez-vous de suivi."}) == []


def test_helper_and_trainer_text_is_left_out():
    texts = patient_texts("fr")
    assert not any(k.startswith(NOT_FOR_PATIENTS) for k in texts)
    assert any(k.startswith("assisted_ui.consent.") for k in texts)  # what the patient agrees to is scanned
