"""Adapters behind the core's ports: backends, storage, speech, QR, printing. Never imports Kivy."""
