"""Helpers for the hardening tests: phones and facilitators as a browser would be,
and sockets opened the way the pages open them."""

import json
import uuid

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from buzzgroups.models import BuzzGroup, Note, Participant
from sessions.models import AgendaItem, BuzzRound, Event, Membership, Prompt, Topic, Workshop

ORIGIN = (b"origin", b"http://localhost")


def join(workshop, nickname: str = "", client: Client | None = None) -> Client:
    """A phone that joined through the join page (so its session is a real one)."""
    client = client or Client()
    response = client.post(f"/j/{workshop.join_code}/", {"nickname": nickname})
    assert response.status_code == 302, response.content[:500]
    return client


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def session_cookie(client: Client) -> str:
    return client.cookies["sessionid"].value


def post_note(client: Client, workshop, text: str, prompt, *, client_id=None, as_json=True):
    headers = {"Accept": "application/json"} if as_json else {}
    return client.post(
        f"/p/{workshop.join_code}/notes/new/",
        {"text": text, "prompt": prompt.pk, "client_id": str(client_id or uuid.uuid4())},
        headers=headers,
    )


def communicator(path: str, cookie: str | None = None, origin: bytes | None = b"http://localhost"):
    from workshop.asgi import application

    headers = []
    if origin is not None:
        headers.append((b"origin", origin))
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def receive(comm, timeout: float = 3) -> dict:
    return json.loads(await comm.receive_from(timeout=timeout))


async def receive_until(comm, kind: str, timeout: float = 3) -> dict:
    """Frames until one of this type (presence and other hints pass by)."""
    while True:
        frame = await receive(comm, timeout)
        if frame["type"] == kind:
            return frame


def fingerprint(workshop) -> dict:
    """Everything a stranger must not be able to change, as plain values."""
    return {
        "workshops": list(Workshop.objects.values().order_by("pk")),
        "rounds": list(BuzzRound.objects.values().order_by("pk")),
        "groups": list(BuzzGroup.objects.values().order_by("pk")),
        "participants": list(
            Participant.objects.values("pk", "workshop_id", "group_id", "nickname").order_by("pk")
        ),
        "notes": list(Note.objects.values().order_by("pk")),
        "events": Event.objects.count(),
        "items": list(AgendaItem.objects.values().order_by("pk")),
        "topics": list(Topic.objects.values().order_by("pk")),
        "prompts": list(Prompt.objects.values().order_by("pk")),
        "memberships": list(Membership.objects.values().order_by("pk")),
    }


@pytest.fixture
def prompt(open_first_round):
    return open_first_round.prompts.first()
