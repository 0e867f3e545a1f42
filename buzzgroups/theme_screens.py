"""What the console's synthesis page and the wall's theme layout show of a round's themes.

Read by the pages and by the live frames alike, so both always agree.
"""

from dataclasses import dataclass, field

from buzzgroups import duplicates, similar
from buzzgroups.models import Note, Theme
from sessions.models import BuzzRound, Workshop


@dataclass
class ThemeCard:
    theme: Theme
    position: int  # 1 is the first theme
    notes: list[Note] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Notes the room sees (a hidden note is on the console only)."""
        return sum(not note.hidden for note in self.notes)

    @property
    def groups(self) -> int:
        return len({note.group_id for note in self.notes if not note.hidden})


@dataclass
class Suggestion:
    """Two notes that look like one note posted twice (or, with a model plugged in,
    alike): merge them into one theme?"""

    first: Note
    second: Note
    duplicate: bool = True


@dataclass
class ThemeBoard:
    round: BuzzRound
    themes: list[ThemeCard]
    unthemed: list[Note]
    step: int | None = None  # the theme the wall shows large
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.themes)

    @property
    def shown(self) -> ThemeCard | None:
        if self.step is None or not 1 <= self.step <= len(self.themes):
            return None
        return self.themes[self.step - 1]


def theme_board(
    buzz_round: BuzzRound, *, include_hidden: bool = False, suggest: bool = False
) -> ThemeBoard:
    """The round's themes in order with their notes, and the notes in no theme."""
    themes = list(Theme.objects.filter(round=buzz_round).order_by("order", "id"))
    cards = {theme.pk: ThemeCard(theme=theme, position=i) for i, theme in enumerate(themes, 1)}
    notes = Note.objects.filter(round=buzz_round).select_related(
        "group", "author", "prompt", "topic"
    )
    if not include_hidden:
        notes = notes.filter(hidden=False)
    unthemed = []
    for note in notes.order_by("created_at", "id"):
        if note.theme_id in cards:
            cards[note.theme_id].notes.append(note)
        else:
            unthemed.append(note)
    board = ThemeBoard(round=buzz_round, themes=list(cards.values()), unthemed=unthemed)
    if suggest:
        board.suggestions = _suggestions(board)
    return board


def _suggestions(board: ThemeBoard) -> list[Suggestion]:
    """Duplicates the room can see that are not yet in one theme together."""
    visible = [note for note in board.unthemed if not note.hidden]
    for card in board.themes:
        visible.extend(note for note in card.notes if not note.hidden)
    by_id = {note.pk: note for note in visible}
    found = []
    seen = set()
    pairs = [
        (pair.first, pair.second, True)
        for pair in duplicates.duplicate_pairs((note.pk, note.text) for note in visible)
    ]
    pairs += [
        (first, second, False)
        for first, second in similar.similar_pairs([(note.pk, note.text) for note in visible])
    ]
    for first_id, second_id, duplicate in pairs:
        first, second = by_id[first_id], by_id[second_id]
        if (first_id, second_id) in seen or (
            first.theme_id is not None and first.theme_id == second.theme_id
        ):
            continue
        seen.add((first_id, second_id))
        found.append(Suggestion(first=first, second=second, duplicate=duplicate))
    return found


def wall_board(workshop: Workshop, buzz_round: BuzzRound | None) -> ThemeBoard | None:
    """The wall's theme layout, when the wall shows it; else nothing is read."""
    if buzz_round is None or workshop.wall_layout != Workshop.WallLayout.THEMES:
        return None
    board = theme_board(buzz_round)
    board.step = workshop.wall_theme_step
    return board
