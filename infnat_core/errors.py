"""User-facing errors: anything the user can fix (bad file, bad option) is raised as an ``InfnatError``.

The CLI prints its message as one line and exits non-zero; the GUI shows it in a dialog.
"""


class InfnatError(Exception):
    """A problem with the user's input or environment, with a message that says what to do."""
