"""The ``storycircle`` command: its parser, its verbs, and the unlocked session."""
