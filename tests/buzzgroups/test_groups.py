"""Buzz groups: phones spread evenly, the facilitator sets, renames and moves."""

import uuid

import pytest

from buzzgroups import services
from buzzgroups.models import BuzzGroup, Participant

pytestmark = pytest.mark.django_db


def test_arriving_phones_are_spread_evenly_over_the_groups(workshop):
    for _ in range(10):
        services.participant_join(workshop=workshop)
    sizes = sorted(g.participants.count() for g in workshop.buzz_groups.all())
    assert len(sizes) == workshop.group_count == 4
    assert sizes == [2, 2, 3, 3]


def test_a_table_card_puts_a_phone_in_its_own_group(workshop):
    group = services.groups_ensure(workshop)[2]
    participant = services.participant_join(workshop=workshop, group=group)
    assert participant.group == group


def test_a_group_of_another_workshop_is_refused(workshop, facilitator, demo_program):
    from sessions.services import workshop_create

    other = workshop_create(owner=facilitator, program=demo_program)
    foreign = services.groups_ensure(other)[0]
    with pytest.raises(services.GroupError):
        services.participant_join(workshop=workshop, group=foreign)


def test_the_facilitator_sets_the_number_of_groups_and_people_are_spread_again(workshop, phones):
    services.groups_set_count(workshop=workshop, count=2)
    assert workshop.buzz_groups.count() == 2
    assert Participant.objects.filter(workshop=workshop, group__isnull=True).count() == 0
    assert sorted(g.participants.count() for g in workshop.buzz_groups.all()) == [2, 2]
    services.groups_set_count(workshop=workshop, count=5)
    assert list(workshop.buzz_groups.values_list("number", flat=True)) == [1, 2, 3, 4, 5]


def test_a_group_size_gives_the_number_of_groups(workshop, phones):
    services.groups_set_size(workshop=workshop, size=3)
    assert workshop.buzz_groups.count() == 2


def test_a_group_with_notes_is_not_removed(workshop, phones, open_first_round):
    last = workshop.buzz_groups.get(number=4)
    author = last.participants.first()
    services.note_create(
        author=author,
        text="hei",
        prompt_id=open_first_round.prompts.first().pk,
        client_id=uuid.uuid4(),
    )
    with pytest.raises(services.GroupError):
        services.groups_set_count(workshop=workshop, count=2)
    assert BuzzGroup.objects.filter(pk=last.pk).exists()


@pytest.mark.parametrize("count", [0, 101])
def test_the_number_of_groups_is_from_1_to_100(workshop, count):
    with pytest.raises(services.GroupError):
        services.groups_set_count(workshop=workshop, count=count)


def test_groups_can_be_renamed_but_not_to_nothing(workshop):
    group = services.groups_ensure(workshop)[0]
    services.group_rename(group=group, name="  Risiko-gjengen ")
    group.refresh_from_db()
    assert group.name == "Risiko-gjengen"
    with pytest.raises(services.GroupError):
        services.group_rename(group=group, name="   ")


def test_the_facilitator_moves_a_participant(workshop, phones):
    target = workshop.buzz_groups.exclude(pk=phones[0].group_id).first()
    services.participant_move(participant=phones[0], group=target)
    phones[0].refresh_from_db()
    assert phones[0].group == target


def test_a_nickname_is_trimmed_and_at_most_40_characters(workshop):
    assert services.participant_join(workshop=workshop, nickname="  Kari  ").nickname == "Kari"
    with pytest.raises(services.NoteError):
        services.participant_join(workshop=workshop, nickname="x" * 41)
