"""One base class for mistakes a user can fix: every CLI prints them as one line and exits 2.

Library bugs are *not* ``UserError``s: their tracebacks go through, so they get reported.
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake in the user's input (file, flag, recipe, data): the message says what and how to fix it."""
