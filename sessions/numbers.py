"""Numbers from outside (a form field, a socket frame, a URL), checked where they enter.

The console's buttons post form fields and its socket sends JSON; both go
through ``whole_number``, so the two paths refuse the same things with the
same words, and nothing out of range reaches the database.
"""

import re

from django.utils.translation import gettext as _

# Ids are positive 64-bit integers; anything longer is no id of ours.
MAX_ID = 2**63 - 1
# Plain ASCII digits with an optional minus: no "１２", no "1e3", no 400-digit strings.
WHOLE = re.compile(r"-?[0-9]{1,19}")


class NumberError(ValueError):
    """A number from outside that is not a whole number in the range it must be in."""


def whole_number(value, *, low: int, high: int, what: str) -> int:
    """``value`` (text from a form, or an int from JSON) as an int from ``low`` to ``high``."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str):
        value = int(value) if WHOLE.fullmatch(value.strip()) else None
    if not isinstance(value, int):
        raise NumberError(_("%(what)s must be a whole number.") % {"what": what})
    if not low <= value <= high:
        raise NumberError(
            _("%(what)s must be from %(low)s to %(high)s.")
            % {"what": what, "low": low, "high": high}
        )
    return value


class IdConverter:
    """A URL id: 1 to 18 digits, so a 20-digit id is a plain 404, never an overflow."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)
