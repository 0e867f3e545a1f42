"""Helpers for driving Summa's sockets in tests, as a wall, a console or a phone would."""

import json

from channels.testing import WebsocketCommunicator
from django.test import Client

from workshop.asgi import application

ORIGIN = (b"origin", b"http://localhost")


def facilitator_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def phone_cookie(workshop, nickname: str = "") -> tuple[str, Client]:
    """A phone that joined the workshop over HTTP: its session cookie and its client."""
    client = Client()
    response = client.post(f"/j/{workshop.join_code}/", {"nickname": nickname})
    assert response.status_code == 302, response.content
    return client.cookies["sessionid"].value, client


async def connect(path: str, cookie: str | None = None, origin=ORIGIN) -> WebsocketCommunicator:
    headers = [origin] if origin else []
    if cookie:
        headers.append((b"cookie", f"sessionid={cookie}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _code = await communicator.connect()
    assert connected, f"socket {path} was refused"
    return communicator


async def frames(
    communicator, *, until_type: str | None = None, timeout: float = 1.0
) -> list[dict]:
    """Frames received until nothing more arrives (or until one of ``until_type``)."""
    received = []
    while True:
        # receive_nothing peeks; a receive that times out would cancel the consumer.
        if await communicator.receive_nothing(timeout=timeout):
            return received
        frame = json.loads(await communicator.receive_from(timeout=timeout))
        received.append(frame)
        if until_type and frame["type"] == until_type:
            return received


async def send(communicator, message) -> None:
    await communicator.send_to(text_data=json.dumps(message))
