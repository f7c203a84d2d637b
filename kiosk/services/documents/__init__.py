"""Document contents turned into something to show or read aloud: PDF pages, images (no Kivy here)."""
