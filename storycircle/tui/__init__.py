"""The Textual app and the kiosk app: their shells, the command palette and themes."""
