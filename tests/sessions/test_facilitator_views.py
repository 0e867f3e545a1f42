"""The facilitator's pages: my workshops, a new one from a program file, the run of the show."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sessions.models import BuzzRound, Workshop

pytestmark = pytest.mark.django_db


@pytest.fixture
def kari(client, facilitator):
    client.force_login(facilitator)
    return client


def test_my_workshops_lists_only_mine_with_their_join_codes(
    kari, workshop, other_facilitator, demo_program
):
    from sessions.services import workshop_create

    theirs = workshop_create(owner=other_facilitator, program=demo_program, title="Ikke min")
    page = kari.get("/w/").content.decode()
    assert workshop.join_code in page
    assert theirs.join_code not in page


def test_a_program_file_uploaded_on_the_page_becomes_a_workshop(kari, facilitator):
    program = "Kurs\n1. Velkommen\n- Hvem er vi\n2. Arbeid\nSummegrupper\n"
    response = kari.post(
        "/w/new/",
        {
            "program": SimpleUploadedFile("kurs.txt", program.encode()),
            "title": "",
            "language": "nb",
        },
    )
    workshop = Workshop.objects.get(owner=facilitator)
    assert response.status_code == 302
    assert response["Location"] == f"/w/{workshop.join_code}/"
    assert workshop.title == "Kurs"
    assert workshop.items.count() == 2


def test_a_bad_program_file_names_the_line_and_creates_nothing(kari):
    program = "Kurs\n1. Velkommen\n3. Hoppet over\n"
    response = kari.post(
        "/w/new/",
        {"program": SimpleUploadedFile("kurs.txt", program.encode()), "language": "nb"},
    )
    assert response.status_code == 400
    message = response.content.decode().split("message--error")[1].split("</")[0]
    assert re.search(r"\b3\b", message), message  # the line with the jump in numbering
    assert Workshop.objects.count() == 0


def test_the_console_and_the_wall_open_for_the_owner(kari, workshop):
    for path in (
        f"/w/{workshop.join_code}/",
        f"/w/{workshop.join_code}/wall/",
        f"/w/{workshop.join_code}/cards/",
        f"/w/{workshop.join_code}/groups/",
    ):
        assert kari.get(path).status_code == 200, path


def test_the_console_shows_a_qr_code_for_the_join_url(kari, workshop):
    page = kari.get(f"/w/{workshop.join_code}/").content.decode()
    assert "<svg" in page and f"/j/{workshop.join_code}/" in page


def test_table_cards_carry_one_qr_code_per_group(kari, workshop):
    page = kari.get(f"/w/{workshop.join_code}/cards/").content.decode()
    assert page.count('class="table-card"') == workshop.group_count
    assert f"/j/{workshop.join_code}/4/" in page


def test_strangers_are_sent_to_the_login_and_other_facilitators_get_404(
    client, workshop, other_facilitator
):
    paths = [
        f"/w/{workshop.join_code}/",
        f"/w/{workshop.join_code}/wall/",
        f"/w/{workshop.join_code}/cards/",
    ]
    for path in paths:
        assert client.get(path)["Location"] == f"/accounts/login/?next={path}"
    client.force_login(other_facilitator)
    for path in paths:
        assert client.get(path).status_code == 404


def test_the_show_moves_with_plain_posts_and_htmx_posts(kari, workshop, first_round):
    assert kari.post(f"/w/{workshop.join_code}/show/start/").status_code == 302
    assert (
        kari.post(f"/w/{workshop.join_code}/show/next/", HTTP_HX_REQUEST="true").status_code == 204
    )
    workshop.refresh_from_db()
    assert workshop.current_item.number == 2
    kari.post(f"/w/{workshop.join_code}/rounds/{first_round.pk}/open/", {"minutes": "7"})
    first_round.refresh_from_db()
    assert first_round.state == BuzzRound.State.OPEN and first_round.duration_minutes == 7


def test_a_refused_show_action_says_why(kari, workshop):
    kari.post(f"/w/{workshop.join_code}/show/start/")
    response = kari.post(f"/w/{workshop.join_code}/show/back/", HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "first" in response.content.decode() or "første" in response.content.decode()


def test_bad_minutes_are_refused_with_a_message(kari, workshop, first_round):
    response = kari.post(
        f"/w/{workshop.join_code}/rounds/{first_round.pk}/open/",
        {"minutes": "ti"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    first_round.refresh_from_db()
    assert first_round.state == BuzzRound.State.READY


def test_show_actions_need_post(kari, workshop):
    assert kari.get(f"/w/{workshop.join_code}/show/next/").status_code == 405


def test_the_facilitator_plans_minutes_for_an_item_and_sees_the_drift(kari, workshop):
    from datetime import timedelta

    from django.utils import timezone

    assert kari.post(f"/w/{workshop.join_code}/items/1/plan/", {"minutes": "5"}).status_code == 302
    assert workshop.items.get(number=1).planned_minutes == 5
    kari.post(f"/w/{workshop.join_code}/show/start/")
    Workshop.objects.filter(pk=workshop.pk).update(
        item_started_at=timezone.now() - timedelta(minutes=8)
    )
    page = kari.get(f"/w/{workshop.join_code}/").content.decode()
    assert "5 / 8" in page
    assert 'class="drift"' in page


def test_a_plan_out_of_range_is_refused(kari, workshop):
    response = kari.post(
        f"/w/{workshop.join_code}/items/1/plan/", {"minutes": "0"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert workshop.items.get(number=1).planned_minutes is None
