"""Kiosque Santé: an assisted-access touch-screen kiosk for Mon espace santé."""

__version__ = "0.1.0"
