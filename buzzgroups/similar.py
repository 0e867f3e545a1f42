"""Suggestions from a model the operator plugs in: none by default.

Word overlap does not find notes on the same theme (see ``duplicates``), so
Summa suggests nothing beyond duplicates on its own. An operator who has a
model that does (sentence embeddings, say) names a function in the setting
``SUMMA_THEME_VECTORISER``: it takes a list of texts and returns one vector
(a sequence of numbers) per text. Pairs whose cosine similarity reaches
``SUMMA_THEME_SIMILARITY_PERCENT`` are offered as alike. Nothing is fetched at
run time; a vectoriser that fails or answers in the wrong shape is logged and
ignored, so the synthesis page never breaks because of it.
"""

import logging
import math
from collections.abc import Callable, Sequence

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("summa.similar")

Vectoriser = Callable[[list[str]], Sequence[Sequence[float]]]


def vectoriser() -> Vectoriser | None:
    path = getattr(settings, "SUMMA_THEME_VECTORISER", None)
    if not path:
        return None
    try:
        return import_string(path)
    except ImportError:
        log.exception("SUMMA_THEME_VECTORISER %r cannot be imported", path)
        return None


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def similar_pairs(notes: list[tuple[int, str]]) -> list[tuple[int, int]]:
    """Pairs of note ids the configured model finds alike, the earlier note first."""
    embed = vectoriser()
    if embed is None or len(notes) < 2:
        return []
    try:
        vectors = [list(map(float, vector)) for vector in embed([text for _id, text in notes])]
        if len(vectors) != len(notes) or len({len(v) for v in vectors}) != 1:
            raise ValueError("one vector of one length per text")
    except Exception:  # noqa: BLE001 - an operator's model must not break the page
        log.exception("SUMMA_THEME_VECTORISER failed; no similar notes are suggested")
        return []
    threshold = settings.SUMMA_THEME_SIMILARITY_PERCENT / 100
    pairs = []
    for i in range(len(notes)):
        for j in range(i + 1, len(notes)):
            if _cosine(vectors[i], vectors[j]) >= threshold:
                pairs.append((notes[i][0], notes[j][0]))
    return pairs
