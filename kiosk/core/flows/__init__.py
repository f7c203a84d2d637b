"""The journeys as GUI-free state machines (see base.py for the rules every flow follows).

One module per journey: sign_in, documents, messages, agenda, access ("Qui voit mes
données"), access_code, closure; summary builds the end-of-session list.
"""
