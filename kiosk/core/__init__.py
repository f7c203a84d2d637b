"""Pure-Python core: domain, ports, flows, session, consent, audit actions, i18n. No Kivy, no adapters."""
