"""Blocks keep together what belongs together, the pages fill, and the page checker sees when not.

The widgets are real kit widgets measured by Kivy in the test app's window; the page checker
(kiosk.ui.page_check) is run on them as `kiosk shots --check` runs it on the screens.
"""

from __future__ import annotations

import pytest

from kiosk.ui.blocks import Block, ChoiceBlock, QrBlock
from kiosk.ui.page_check import check_pages
from kiosk.ui.qr import QrCode
from kiosk.ui.screen import mark_leads
from kiosk.ui.widgets import Button, Gap, PagedList, Stack, Text

pytestmark = pytest.mark.ui

LONG = ("Ce code permet à un professionnel de voir votre dossier pendant le temps que vous choisissez. "
        "Vous pouvez l'arrêter quand vous voulez, depuis cette borne ou votre espace santé.")


def paged(app, items, *, width=1800, height=420, spacing_mm=3) -> PagedList:
    """A paged list of `items` in a frame of its own, laid out at the current text size."""
    frame = Stack(size_hint=(None, None), size=(width, height))
    paged_list = PagedList(spacing_mm=spacing_mm, size_hint=(None, None), size=(width, height))
    frame.add_widget(paged_list)
    mark_leads(items)
    paged_list.set_items(items)
    return paged_list


def question() -> ChoiceBlock:
    return ChoiceBlock(Text(raw="Pour combien de temps ?", style="heading"),
                       [Button(raw=words, icon="clock", main=True) for words in ("1 jour", "7 jours", "30 jours")])


def page_of(paged_list: PagedList, widget) -> int:
    return next(n for n, items in enumerate(paged_list.pages)
                if any(widget is item or widget in list(item.walk(restrict=True)) for item in items))


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_a_question_and_all_its_answers_share_a_page_at_every_size(pilot, size):
    pilot.app.set_prefs(text_size=size)
    block = question()
    paged_list = paged(pilot.app, [Text(raw=LONG), block, Text(raw=LONG)], height=400)
    assert block.fits, f"size {size}: no arrangement fits"
    assert block.wanted_height(paged_list.width) <= paged_list.height
    home = page_of(paged_list, block)
    assert all(page_of(paged_list, part) == home for part in block.parts)
    assert [p for p in check_pages([paged_list]) if p.rule.startswith("block.")] == []


def test_answers_go_side_by_side_then_words_are_capped_when_the_room_is_short(pilot):
    pilot.app.set_prefs(text_size=1)
    roomy = question()
    paged(pilot.app, [roomy], height=900)
    assert (roomy.arrangement, roomy.cap) == (0, None)  # one column, the words as chosen
    pilot.app.set_prefs(text_size=4)
    tight = question()
    paged(pilot.app, [tight], height=300)
    assert tight.fits and (tight.arrangement > 0 or tight.cap is not None)


def test_a_qr_code_goes_beside_its_words_then_smaller_but_never_from_them(pilot):
    pilot.app.set_prefs(text_size=1)
    qr = QrCode("KIOSQUE-TEST-1234")
    block = QrBlock([Text(raw="Donnez ce code au professionnel.", style="strong"), Text(raw="AB12C  D34EF", style="huge")], qr)
    paged_list = paged(pilot.app, [block, Text(raw=LONG)], height=420)
    assert block.fits
    assert qr.parent is not None and any(node is block for node in _ancestors(qr))
    assert qr.side_mm() >= 50.0


def test_an_instruction_goes_to_the_next_page_with_its_object(pilot):
    pilot.app.set_prefs(text_size=1)
    filler = Gap(40)  # 40 mm of something above
    instruction = Text(raw="Touchez votre choix.", style="strong")
    choice = Button(raw="Oui", icon="check")
    paged_list = paged(pilot.app, [filler, instruction, choice], height=320)
    assert page_of(paged_list, instruction) == page_of(paged_list, choice)


def test_the_checker_sees_a_lonely_instruction_a_cut_block_and_a_page_left_empty(pilot):
    pilot.app.set_prefs(text_size=1)
    # an instruction whose object can never be on its page: it is alone
    instruction = Text(raw="Visez ce code.", style="strong")
    huge = Block(Gap(200), role="qr")  # 200 mm: taller than any page
    paged_list = paged(pilot.app, [instruction, huge], height=400)
    rules = {p.rule for p in check_pages([paged_list])}
    assert "page.lonely" in rules
    # a page that leaves room for the next page's first item
    a, b = Text(raw="Première ligne."), Text(raw="Deuxième ligne.")
    loose = paged(pilot.app, [a, b, Text(raw=LONG * 3)], height=300)
    loose._row_pages = [[[a]], [[b]]]
    loose.pages = [[a], [b]]
    assert "page.not_filled" in {p.rule for p in check_pages([loose])}
    # and a block taller than its page is reported, not cut silently
    loose.parent.add_widget(huge_block := Block(Gap(120)))
    huge_block.fits = False
    assert "block.too_tall" in {p.rule for p in check_pages([loose.parent])}


def test_a_new_text_size_keeps_the_first_item_shown(pilot):
    pilot.app.set_prefs(text_size=1)
    items = [Button(raw=f"Document {n}", icon="document", row=True) for n in range(20)]
    paged_list = paged(pilot.app, items, height=500)
    paged_list.next_page()
    paged_list.next_page()
    first = paged_list.pages[paged_list.page][0]
    pilot.app.set_prefs(text_size=3)
    paged_list.refresh()
    assert paged_list.pages[paged_list.page][0] is first or first in paged_list.pages[paged_list.page]


def _ancestors(widget):
    node = widget.parent
    while node is not None and node.parent is not node:
        yield node
        node = node.parent


def test_the_end_screen_waits_for_the_patient_to_see_the_helper_sessions_qr_code(pilot):
    from kiosk.ui.screen import SHOTS
    from kiosk.ui.shots import shot_names

    shot_names()  # the pictures' set-ups: the same presses as a helper and a patient
    pilot.reset(pump=False)
    pilot.app.set_prefs(text_size=4)  # very large text: the code is on a later page
    SHOTS["assisted.end"].setup(pilot.app)
    pilot.settle()
    end = pilot.app.nav.current
    assert end.name == "end" and end.qr is not None
    assert not end._qr_on_page()
    pilot.advance(150)  # longer than the end screen's own time (and the 90 s for a QR code)
    assert pilot.app.nav.current is end
    while not end._qr_on_page():
        pilot.tap("pager.next")
    pilot.advance(95)  # seen: the usual time, then the next person
    assert pilot.app.nav.current.name == "welcome"


def test_the_end_screen_never_waits_longer_than_its_limit(pilot):
    from kiosk.ui.screen import SHOTS
    from kiosk.ui.screens.end import QR_HOLD_MAX_S
    from kiosk.ui.shots import shot_names

    shot_names()  # the pictures' set-ups: the same presses as a helper and a patient
    pilot.reset(pump=False)
    pilot.app.set_prefs(text_size=4)
    SHOTS["assisted.end"].setup(pilot.app)
    pilot.settle()
    pilot.advance(QR_HOLD_MAX_S + 95)  # nobody paged: the list is not left on screen for nobody
    assert pilot.app.nav.current.name == "welcome"
