"""Co-facilitators and moderators: the owner shares a workshop, they find it in their list."""

import pytest
from django.test import Client

from buzzgroups.models import Note
from sessions.models import Membership, Workshop
from sessions.services import PeopleError, membership_add, round_open
from tests.hardening.conftest import join, post_note


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_owner_adds_a_co_facilitator_and_a_moderator_by_user_name(
    workshop, facilitator, cofacilitator, moderator
):
    owner = logged_in(facilitator)
    code = workshop.join_code
    owner.post(f"/w/{code}/people/add/", {"username": "siri", "role": "cofacilitator"})
    owner.post(f"/w/{code}/people/add/", {"username": " mona ", "role": "moderator"})
    roles = dict(workshop.memberships.values_list("user__username", "role"))
    assert roles == {"siri": "cofacilitator", "mona": "moderator"}
    page = owner.get(f"/w/{code}/people/").content.decode()
    assert "siri" in page and "mona" in page


@pytest.mark.django_db
def test_adding_someone_again_changes_their_role(workshop, cofacilitator):
    membership_add(workshop=workshop, username="siri", role="moderator")
    membership_add(workshop=workshop, username="siri", role="cofacilitator")
    assert workshop.memberships.get().role == "cofacilitator"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "role"),
    [("nobody", "moderator"), ("kari", "moderator"), ("siri", "owner"), ("siri", "")],
)
def test_adding_a_stranger_the_owner_or_an_unknown_role_is_refused(
    workshop, cofacilitator, username, role
):
    with pytest.raises(PeopleError):
        membership_add(workshop=workshop, username=username, role=role)
    assert not Membership.objects.exists()


@pytest.mark.django_db
def test_a_refusal_is_shown_on_the_people_page(workshop, facilitator):
    owner = logged_in(facilitator)
    response = owner.post(
        f"/w/{workshop.join_code}/people/add/",
        {"username": "nobody", "role": "moderator"},
        follow=True,
    )
    assert "nobody" in response.content.decode()
    assert not Membership.objects.exists()


@pytest.mark.django_db
def test_helpers_find_the_shared_workshop_in_their_list_with_their_role(
    workshop, cofacilitator, moderator
):
    membership_add(workshop=workshop, username="siri", role="cofacilitator")
    membership_add(workshop=workshop, username="mona", role="moderator")
    siri_list = logged_in(cofacilitator).get("/w/").content.decode()
    assert workshop.join_code in siri_list
    assert f"/w/{workshop.join_code}/groups/" in siri_list
    assert f"/w/{workshop.join_code}/people/" not in siri_list
    mona_list = logged_in(moderator).get("/w/").content.decode()
    assert workshop.join_code in mona_list
    assert f"/w/{workshop.join_code}/groups/" not in mona_list


@pytest.mark.django_db
def test_a_moderators_console_shows_moderation_and_hides_the_run_of_the_show(
    workshop, moderator, open_first_round
):
    membership_add(workshop=workshop, username="mona", role="moderator")
    phone = join(workshop, nickname="Ada")
    post_note(phone, workshop, "En lapp", open_first_round.prompts.first())
    page = logged_in(moderator).get(f"/w/{workshop.join_code}/").content.decode()
    assert "role-moderator" in page
    note = Note.objects.get()
    assert f"/w/{workshop.join_code}/notes/{note.pk}/hide/" in page
    assert 'id="vote-console"' not in page
    assert "/summary." not in page
    assert f"/w/{workshop.join_code}/people/" not in page


@pytest.mark.django_db
def test_the_owner_deletes_a_run_workshop_after_typing_its_code(workshop, facilitator, first_round):
    round_open(buzz_round=first_round, minutes=5)
    phone = join(workshop, nickname="Ada")
    post_note(phone, workshop, "En lapp", first_round.prompts.first())
    owner = logged_in(facilitator)
    owner.post(f"/w/{workshop.join_code}/delete/", {"confirm": "feil"})
    assert Workshop.objects.filter(pk=workshop.pk).exists()
    response = owner.post(f"/w/{workshop.join_code}/delete/", {"confirm": workshop.join_code})
    assert response["Location"] == "/w/"
    assert not Workshop.objects.filter(pk=workshop.pk).exists()
    assert not Note.objects.exists()


@pytest.mark.django_db
def test_the_role_check_before_each_console_action_costs_few_queries(
    workshop, moderator, django_assert_max_num_queries
):
    from buzzgroups.actions import ActionError, console_may

    membership_add(workshop=workshop, username="mona", role="moderator")
    scope = {"user": moderator}
    with django_assert_max_num_queries(3):
        console_may(scope, workshop.pk, "note.hide")
    with django_assert_max_num_queries(3), pytest.raises(ActionError):
        console_may(scope, workshop.pk, "workshop.end")
