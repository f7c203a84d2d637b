"""Sub-commands of the `kiosk` command line.

Each module here defines `register(subparsers)`; `kiosk.cli` discovers them,
so a new command is a new file and nothing else changes.
"""
