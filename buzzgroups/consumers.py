"""WebSockets of the wall, the console and the phones.

Thin: each consumer finds out who is on the other end, joins the channel groups
that person may hear, forwards frames, and hands every action to a service.
A bad frame gets an error frame and the socket stays open.
"""

import asyncio
import json
import logging

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from buzzgroups import actions
from buzzgroups.actions import ActionError
from sessions import broadcast

log = logging.getLogger("summa.sockets")

MAX_FRAME_BYTES = 64 * 1024

# A room of phones arriving at once makes one "phones online" announcement a
# moment later, not one per phone (per process: each counts from the database).
PRESENCE_DELAY = 0.3
_presence_due: set[int] = set()
_presence_tasks: set[asyncio.Task] = set()


def announce_presence_soon(workshop_id: int) -> None:
    if workshop_id in _presence_due:
        return
    _presence_due.add(workshop_id)
    task = asyncio.get_running_loop().create_task(_announce_presence(workshop_id))
    _presence_tasks.add(task)
    task.add_done_callback(_presence_tasks.discard)


async def _announce_presence(workshop_id: int) -> None:
    try:
        await asyncio.sleep(PRESENCE_DELAY)
    finally:
        _presence_due.discard(workshop_id)
    try:
        await database_sync_to_async(actions.presence_announce)(workshop_id)
    except Exception:
        log.warning("could not announce the phones online", exc_info=True)


class LiveConsumer(AsyncWebsocketConsumer):
    """What every screen shares: language, frames, resume, errors."""

    role: str = ""
    workshop_id: int | None = None
    group_id: int | None = None
    language = "nb"

    async def connect(self):
        try:
            groups = await self.authorise()
        except (Http404, ObjectDoesNotExist, PermissionError):
            await self.close(code=4404)
            return
        self.channel_groups = groups
        for name in groups:
            await self.channel_layer.group_add(name, self.channel_name)
        await self.accept()
        await self.on_open()

    async def disconnect(self, code):
        for name in getattr(self, "channel_groups", []):
            await self.channel_layer.group_discard(name, self.channel_name)
        if getattr(self, "channel_groups", None):
            await self.on_close()

    async def authorise(self) -> list[str]:
        raise NotImplementedError

    async def on_open(self):
        pass

    async def on_close(self):
        pass

    async def dispatch(self, message):
        # Channels 4.3 hops to a worker thread before every handler, to close old
        # database connections. Our handlers reach the database only through
        # database_sync_to_async, which does that itself, so the hop is pure cost:
        # with 1,000 phones the hops queued up behind each other.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def summa_frame(self, message):
        texts = message["texts"]
        await self.send(text_data=texts.get(self.language) or next(iter(texts.values())))

    async def send_error(self, text: str, code: str = "invalid"):
        await self.send(
            text_data=json.dumps(
                {
                    "type": "error",
                    "seq": None,
                    "code": code,
                    "error": text,
                    "html": "",
                    "data": {},
                    "cards": [],
                },
                ensure_ascii=False,
            )
        )

    async def receive(self, text_data=None, bytes_data=None):
        with translation.override(self.language):
            try:
                message = self.parse(text_data, bytes_data)
                await self.handle(message)
            except ActionError as error:
                await self.send_error(str(error), error.code)
            except (Http404, ObjectDoesNotExist):
                await self.send_error(_("Not found."), "not_found")
            except ValueError as error:
                await self.send_error(str(error), "refused")
            except Exception:
                log.exception("socket handler failed for %s", self.scope.get("path"))
                await self.send_error(_("Something went wrong; try again."), "server_error")

    def parse(self, text_data, bytes_data) -> dict:
        if bytes_data is not None:
            raise ActionError(_("Send text frames, not binary ones."), "binary")
        if text_data is None or len(text_data.encode("utf-8", "surrogatepass")) > MAX_FRAME_BYTES:
            raise ActionError(_("The message is too large."), "too_large")
        try:
            message = json.loads(text_data)
        except ValueError:
            raise ActionError(_("The message is not valid JSON."), "bad_json") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise ActionError(_('A message is a JSON object with a "type".'), "bad_shape")
        return message

    async def handle(self, message: dict):
        kind = message["type"]
        if kind == "resume":
            await self.resume(message.get("after"))
        elif kind == "ping":
            await self.send(text_data=json.dumps({"type": "pong", "seq": None}))
        elif kind == "timer.expired":
            await database_sync_to_async(actions.close_overdue)(self.workshop_id)
        else:
            await self.handle_action(kind, message)

    async def handle_action(self, kind: str, message: dict):
        raise ActionError(_("Unknown message type."), "unknown_type")

    async def resume(self, after):
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            raise ActionError(_('"after" must be a whole number.'), "bad_shape")
        frames = await database_sync_to_async(broadcast.frames_since)(
            self.workshop_id, after, self.role, self.group_id, self.language
        )
        for text in frames:
            await self.send(text_data=text)
        await self.send(
            text_data=json.dumps({"type": "resumed", "seq": None, "count": len(frames)})
        )


class WallConsumer(LiveConsumer):
    role = broadcast.WALL

    async def authorise(self):
        workshop = await database_sync_to_async(actions.facilitator_workshop)(
            self.scope, self.scope["url_route"]["kwargs"]["code"]
        )
        self.workshop_id = workshop.pk
        self.language = workshop.language
        return [broadcast.wall_group(workshop.pk)]


class ConsoleConsumer(LiveConsumer):
    role = broadcast.CONSOLE

    async def authorise(self):
        workshop = await database_sync_to_async(actions.facilitator_workshop)(
            self.scope, self.scope["url_route"]["kwargs"]["code"]
        )
        self.workshop_id = workshop.pk
        self.language = actions.ui_language(self.scope, default="nb")
        return [broadcast.console_group(workshop.pk)]

    async def handle_action(self, kind, message):
        # Logging out in another tab ends this socket's powers.
        if not await database_sync_to_async(actions.session_still_valid)(self.scope):
            await self.send_error(_("You are logged out."), "logged_out")
            await self.close(code=4401)
            return
        await database_sync_to_async(actions.console_may)(self.scope, self.workshop_id, kind)
        await database_sync_to_async(actions.console_action)(self.workshop_id, kind, message)
        await self.send(text_data=json.dumps({"type": "done", "seq": None, "action": kind}))


class PhoneConsumer(LiveConsumer):
    role = broadcast.PHONE

    async def authorise(self):
        participant = await database_sync_to_async(actions.session_participant)(
            self.scope, self.scope["url_route"]["kwargs"]["code"]
        )
        self.participant_id = participant.pk
        self.workshop_id = participant.workshop_id
        self.group_id = participant.group_id
        self.language = actions.ui_language(self.scope, default=participant.workshop.language)
        groups = [broadcast.phones_group(self.workshop_id)]
        if self.group_id:
            groups.append(broadcast.buzz_group(self.workshop_id, self.group_id))
        return groups

    async def on_open(self):
        await database_sync_to_async(actions.phone_presence)(self.participant_id, +1)
        announce_presence_soon(self.workshop_id)

    async def on_close(self):
        await database_sync_to_async(actions.phone_presence)(self.participant_id, -1)
        announce_presence_soon(self.workshop_id)

    async def handle_action(self, kind, message):
        raise ActionError(_("Only the facilitator can do that."), "forbidden")
