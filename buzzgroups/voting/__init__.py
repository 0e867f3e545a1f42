"""Dot-voting: the facilitator opens a vote, the room places dots, the ranking stays.

``reading``: the options of a vote (an item's topics, a round's notes or its
themes) with their counts, the ranking, what a phone sees; the phone, the wall,
the console and the export count alike. ``writing``: opening, dots, closing,
every limit checked on the server while the vote's row is held.
"""

from buzzgroups.voting.reading import (
    MAX_DOTS,
    Ballot,
    Board,
    Option,
    VoteError,
    VoteSetup,
    ballot,
    counts,
    current_vote,
    options_of,
    ranking,
    vote_title,
)
from buzzgroups.voting.writing import dots_set, vote_close, vote_open, vote_reveal

__all__ = [
    "MAX_DOTS",
    "Ballot",
    "Board",
    "Option",
    "VoteError",
    "VoteSetup",
    "ballot",
    "counts",
    "current_vote",
    "dots_set",
    "options_of",
    "ranking",
    "vote_close",
    "vote_open",
    "vote_reveal",
    "vote_title",
]
