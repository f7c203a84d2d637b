"""The demo data carries codes the kiosk has words for, and no abbreviation in what it generates."""

import re

from kiosk.core import labels
from kiosk.services.backend.demo import load_demo_data


def test_every_code_in_the_demo_data_has_kiosk_words():
    """So that an English screen never shows the demo's French labels."""
    data = load_demo_data()
    unknown = set()
    for pro in data.professionals:
        if labels.profession_key(pro.profession_code) is None:
            unknown.add(("profession", pro.profession_code, pro.profession))
    for record in data.records:
        for d in record.documents:
            if d.type_code and labels.document_type_key(d.type_code) is None or not d.type_code and d.type != "Document":
                unknown.add(("document type", d.type_code, d.type))
            unknown |= {("lab test", v.code, v.name) for v in d.lab_results if labels.lab_test_key(v.code) is None}
        for a in record.appointments:
            if labels.profession_key(a.profession_code) is None or labels.appointment_kind_key(a.kind_code) is None:
                unknown.add(("appointment", a.profession_code, a.kind_code))
        unknown |= {("access", e.profession_code, e.profession) for e in record.access_events
                    if labels.profession_key(e.profession_code) is None}
    assert unknown == set()


def test_generated_demo_text_has_no_abbreviation():
    """Names like "Docteure Anne Martin" are data; the generator itself writes words out in full."""
    data = load_demo_data()
    large = max(data.records, key=lambda r: len(r.documents))
    texts = [d.title for d in large.documents] + [p for c in large.contents.values() if c.is_text for p in c.pages]
    texts += [p.name for p in data.professionals]
    found = {m.group(0) for t in texts for m in re.finditer(r"\bn°|\bDr\b\.?|\bDre\b|\bPr\b", t)}
    assert found == set()
