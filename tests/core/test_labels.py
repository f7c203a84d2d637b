"""Coded data said in the kiosk's words: from the code, through the catalogues, in the shown language."""

from datetime import datetime, timedelta

import pytest

from kiosk.core import labels
from kiosk.core.i18n import Catalog, available_languages
from kiosk.core.clock import PARIS
from kiosk.core.models import AccessAction, AccessEvent, Appointment, Category, Document, LabValue, Professional

FR, EN = Catalog.load("fr"), Catalog.load("en")


@pytest.mark.parametrize("lang", available_languages())
def test_every_label_key_is_in_every_catalogue(lang):
    catalog = Catalog.load(lang)
    assert [k for k in labels.every_label_key() if not catalog.has(k)] == []


def test_the_words_follow_the_language():
    assert labels.document_type_label(FR, "57833-6", "Prescription de produits de santé") == "Ordonnance de médicaments"
    assert labels.document_type_label(EN, "57833-6", "Prescription de produits de santé") == "Prescription for medicines"
    assert labels.profession_label(FR, "medecin-generaliste", "Médecin généraliste") == "Médecin généraliste"
    assert labels.profession_label(EN, "medecin-generaliste", "Médecin généraliste") == "Family doctor"
    assert labels.lab_test_label(EN, "1558-6", "Glycémie à jeun") == "Blood sugar before eating (glucose)"
    assert labels.appointment_kind_label(FR, "FOLLOWUP") == "Rendez-vous de suivi"
    assert labels.appointment_kind_label(EN, "followup") == "Follow-up visit"


def test_the_kiosk_words_replace_the_service_words_for_a_known_code():
    # the service's own label is terse jargon; the kiosk says it plainly
    assert labels.document_type_label(FR, "11502-2", "CR d'examens biologiques") == "Résultats d'analyses"
    assert labels.lab_test_label(FR, "62238-1", "Fonctionnement des reins (DFG)") == "Fonctionnement des reins"


def test_an_unknown_code_shows_the_service_words_never_the_code():
    assert labels.document_type_label(EN, "99999-9", "Compte rendu opératoire") == "Compte rendu opératoire"
    assert labels.profession_label(EN, "sage-femme", "Sage-femme") == "Sage-femme"
    assert labels.lab_test_label(FR, "12345-6", "Vitamine D") == "Vitamine D"
    assert labels.appointment_kind_label(EN, "VIDEO", "Téléconsultation") == "Téléconsultation"
    # no words either: a plain generic word, or nothing for an appointment kind
    assert labels.document_type_label(EN, "99999-9", "  ") == "Document"
    assert labels.profession_label(FR, "", "") == "Professionnel de santé"
    assert labels.appointment_kind_label(FR, "VIDEO", "") == ""
    for text in (labels.document_type_label(FR, "99999-9", ""), labels.profession_label(EN, "sage-femme", "")):
        assert "99999" not in text and "sage-femme" not in text


def test_a_gendered_profession_follows_the_data_or_is_neutral():
    assert labels.profession_label(FR, "pharmacien", "", "female") == "Pharmacienne"
    assert labels.profession_label(FR, "pharmacien", "", "male") == "Pharmacien"
    assert labels.profession_label(FR, "pharmacien", "", "") == "Pharmacien ou pharmacienne"
    assert labels.profession_label(FR, "infirmier", "", "other") == "Infirmier ou infirmière"
    assert labels.profession_label(EN, "infirmier", "", "female") == "Nurse"


def test_the_model_helpers_read_code_words_and_gender():
    when = datetime(2026, 12, 1, 10, 0, tzinfo=PARIS)
    pro = Professional("p", "Madame Nadia Exemplaire", "Pharmacienne", gender="female", profession_code="pharmacien")
    event = AccessEvent("e", pro.name, "Pharmacienne", when, AccessAction.VIEWED_RECORD, profession_code="pharmacien")
    document = Document("d", Category.ORDONNANCE, "Ordonnance", "t", "a", "o", when, type_code="57833-6")
    lab = LabValue("Créatinine", 9.8, "mg/L", 5.0, 10.0, code="2160-0")
    appointment = Appointment("a", "Docteur Henri Fictif", "Médecin", "lieu", "adresse", when, timedelta(minutes=20), "suivi",
                              profession_code="medecin-generaliste", kind_code="CHECKUP")
    assert labels.profession_of(FR, pro) == "Pharmacienne"
    assert labels.profession_of(FR, event) == "Pharmacien ou pharmacienne"  # a history line has no gender
    assert labels.document_type_of(EN, document) == "Prescription for medicines"
    assert labels.lab_test_of(EN, lab) == "Creatinine (kidney work)"
    assert labels.profession_of(EN, appointment) == "Family doctor"
    assert labels.appointment_kind_of(EN, appointment) == "Check-up"
