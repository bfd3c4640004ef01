"""Errors raised by specbias.

Every public function validates its inputs at the boundary and raises
:class:`InvalidArgument` with a message that names the bad value and says what
to use instead (in the manner of Hypothesis' ``internal/validation.py``).
"""

from __future__ import annotations


class InvalidArgument(ValueError):
    """A user-supplied value is out of range, malformed, or unsupported.

    The message names the offending value and the fix, so that the CLI can
    print it as a single line.
    """


def require(condition: bool, message: str) -> None:
    """Raise :class:`InvalidArgument` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise InvalidArgument(message)
