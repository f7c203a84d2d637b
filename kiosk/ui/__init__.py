"""Kivy user interface: the only package that imports kivy."""
