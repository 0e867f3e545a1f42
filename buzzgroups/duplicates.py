"""Which notes of a round are the same note twice: the only grouping Summa suggests.

Short notes on the same theme rarely share words: on a labelled set of 64
Norwegian notes, word and character TF-IDF with a stemmer found same-theme
pairs with a precision of about 0.2, no better than chance. So there is no
"auto-group" here. What is worth a suggestion is the same note posted twice,
differing only in case, spacing, punctuation or a typo or two: after
normalising, the texts are equal or a few edits apart relative to their length.
Two different notes that share most of their words are not duplicates.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# One edit allowed per this many characters of the longer text, at most MAX_EDITS.
CHARS_PER_EDIT = 12
MAX_EDITS = 3
# Texts shorter than this must match exactly once normalised ("ja" is not "nei").
MIN_FUZZY_LENGTH = 8
# A word this short that differs is another word, not a typo.
MIN_TYPO_WORD = 4


def normalise(text: str) -> str:
    """Case, width, accents written two ways, punctuation and spacing folded away."""
    text = unicodedata.normalize("NFKC", text).casefold()
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category[0] in "PS":
            kept.append(" ")
        elif category[0] in "LN" or char.isspace():
            kept.append(char)
    return " ".join("".join(kept).split())


def allowed_edits(length: int) -> int:
    if length < MIN_FUZZY_LENGTH:
        return 0
    return min(MAX_EDITS, max(1, length // CHARS_PER_EDIT))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` as soon as it is known to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if len(a) > len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        # Only cells within ``limit`` of the diagonal can stay within the limit.
        low, high = max(1, i - limit), min(len(b), i + limit)
        if low > 1:
            current[low - 1] = limit + 1
        for j in range(low, high + 1):
            cost = 0 if char_a == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        for j in range(high + 1, len(b) + 1):
            current[j] = limit + 1
        if min(current[low - 1 : high + 1]) > limit:
            return limit + 1
        previous = current
    return min(previous[len(b)], limit + 1)


def is_duplicate(a: str, b: str) -> bool:
    """Whether two notes are the same note, written twice."""
    return _same(normalise(a), normalise(b))


def _same(a: str, b: str) -> bool:
    """``is_duplicate`` on normalised texts."""
    if not a or not b:
        return False
    if a == b:
        return True
    limit = allowed_edits(max(len(a), len(b)))
    if limit == 0 or abs(len(a) - len(b)) > limit:
        return False
    # A typo changes a letter or two inside one word; another word ("lav" for
    # "høy", "eldre" for "unge") changes what the note says. Words first: that
    # is cheap, and rules out nearly every pair before any edit is counted.
    words_a, words_b = a.split(), b.split()
    if len(words_a) != len(words_b):
        return "".join(words_a) == "".join(words_b)  # only a space moved
    changed = [(wa, wb) for wa, wb in zip(words_a, words_b, strict=True) if wa != wb]
    if len(changed) != 1:
        return False
    wa, wb = changed[0]
    if any(char.isdigit() for char in wa + wb) or max(len(wa), len(wb)) < MIN_TYPO_WORD:
        return False  # "bord 3" is not "bord 4", and "i" is not "å"
    word_limit = min(limit, max(1, max(len(wa), len(wb)) // 4))
    return edit_distance(wa, wb, word_limit) <= word_limit


@dataclass(frozen=True)
class Pair:
    first: int  # note ids, the earlier note first
    second: int


def duplicate_pairs(notes: Iterable[tuple[int, str]]) -> list[Pair]:
    """Pairs of duplicate notes among ``(id, text)``, in the order the notes come.

    Notes are compared only with others of about their length, so a round of a
    hundred notes costs a few hundred short comparisons, not five thousand.
    """
    items = [(note_id, text, normalise(text)) for note_id, text in notes]
    by_length = sorted(range(len(items)), key=lambda i: len(items[i][2]))
    pairs = []
    for position, i in enumerate(by_length):
        length = len(items[i][2])
        for j in by_length[position + 1 :]:
            if len(items[j][2]) - length > MAX_EDITS:
                break
            if _same(items[i][2], items[j][2]):
                first, second = sorted((i, j))
                pairs.append((first, second))
    pairs.sort()
    return [Pair(first=items[i][0], second=items[j][0]) for i, j in pairs]
