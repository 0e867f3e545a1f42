"""WebSockets of the wall, the console and the phones.

Thin: each consumer finds out who is on the other end, joins the channel groups
that person may hear, forwards frames, and hands every action to a service.
A bad frame gets an error frame and the socket stays open.
"""

import asyncio
import json
import logging

from asgiref.sync import sync_to_async
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from buzzgroups import actions, layer_watch, presence
from buzzgroups.actions import ActionError
from buzzgroups.socket_limits import SocketLimits
from sessions import broadcast

log = logging.getLogger("summa.sockets")

MAX_FRAME_BYTES = 64 * 1024
# A message is one JSON object of plain values: no lists or objects inside.
SCALARS = (str, int, float, bool, type(None))

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


_renewer: asyncio.Task | None = None


def keep_presence_renewed() -> None:
    """One task per process renews its phones' presence in Redis (see presence.py)."""
    global _renewer
    loop = asyncio.get_running_loop()
    if _renewer is None or _renewer.done() or _renewer.get_loop() is not loop:
        _renewer = loop.create_task(_renew_presence_forever())


async def _renew_presence_forever() -> None:
    while True:
        await asyncio.sleep(presence.RENEW_SECONDS)
        await sync_to_async(presence.renew, thread_sensitive=False)()


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
    user_id: int | None = None  # the facilitator of a wall or a console
    language = "nb"

    async def connect(self):
        self.limits = SocketLimits()
        # Live frames that arrive while a catch-up is being sent wait for it to end.
        self.held: list[str] = []
        try:
            groups = await self.authorise()
        except (Http404, ObjectDoesNotExist, PermissionError):
            await self.close(code=4404)
            return
        self.channel_groups = groups
        for name in groups:
            await self.channel_layer.group_add(name, self.channel_name)
        await self.accept()
        layer_watch.watch(self)
        await self.on_open()

    async def disconnect(self, code):
        layer_watch.unwatch(self)
        if hasattr(self, "limits"):
            self.limits.close()
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
        text = texts.get(self.language) or next(iter(texts.values()))
        if message.get("close_user") is not None and message["close_user"] == self.user_id:
            # This screen's role in the workshop was taken away: it hears no more.
            await self.send(text_data=text)
            await self.close(code=4403)
            return
        if self.limits.busy:
            self.held.append(text)
            return
        await self.send(text_data=text)

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
        except RecursionError:
            # Thousands of nested brackets: too deep for the parser, and never a message.
            raise ActionError(_("The message is nested too deeply."), "bad_shape") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise ActionError(_('A message is a JSON object with a "type".'), "bad_shape")
        if not all(isinstance(value, SCALARS) for value in message.values()):
            raise ActionError(_("A message holds no lists or objects inside."), "bad_shape")
        return message

    def spend(self) -> None:
        """Count one expensive frame against this socket's rate."""
        if not self.limits.allow():
            raise ActionError(_("Too many requests at once; wait a moment."), "too_fast")

    async def handle(self, message: dict):
        kind = message["type"]
        if kind == "resume":
            await self.resume(message.get("after"))
        elif kind == "ping":
            await self.send(text_data=json.dumps({"type": "pong", "seq": None}))
        elif kind == "timer.expired":
            self.spend()
            await database_sync_to_async(actions.close_overdue)(self.workshop_id)
        else:
            await self.handle_action(kind, message)

    async def handle_action(self, kind: str, message: dict):
        raise ActionError(_("Unknown message type."), "unknown_type")

    async def resume(self, after, *, now: int | None = None):
        if isinstance(after, bool) or not isinstance(after, int) or after < 0:
            raise ActionError(_('"after" must be a whole number.'), "bad_shape")
        if self.limits.busy:
            raise ActionError(_("A catch-up is already on its way to this screen."), "busy")
        self.spend()
        self.limits.start(self.catch_up(after, now))

    def catch_up_unasked(self) -> None:
        """Redis was away (layer_watch): frames may be lost without a gap to show it."""
        if not self.limits.busy:
            self.limits.start(self.rejoin_and_catch_up())

    async def rejoin_and_catch_up(self):
        # The classic layer kept the groups' members in Redis, which may have forgotten them.
        try:
            for name in self.channel_groups:
                await self.channel_layer.group_add(name, self.channel_name)
        except Exception:
            log.warning("could not join the channel groups again", exc_info=True)
        await self.catch_up(0)

    async def catch_up(self, after: int, now: int | None = None):
        """Send what the screen missed, then the live frames that came meanwhile."""
        with translation.override(self.language):
            try:
                frames, now = await database_sync_to_async(broadcast.catch_up)(
                    self.workshop_id,
                    after,
                    self.role,
                    now=now,
                    group_id=self.group_id,
                    participant_id=getattr(self, "participant_id", None),
                    language=self.language,
                )
                for text in frames:
                    await self.send(text_data=text)
                await self.send(
                    text_data=json.dumps(
                        {"type": "resumed", "seq": None, "count": len(frames), "upto": now}
                    )
                )
            except asyncio.CancelledError:
                self.held.clear()
                raise
            except Exception:
                log.exception("catch-up failed for %s", self.scope.get("path"))
                await self.send_error(_("Something went wrong; try again."), "server_error")
            while self.held:
                await self.send(text_data=self.held.pop(0))


class WallConsumer(LiveConsumer):
    role = broadcast.WALL

    async def authorise(self):
        workshop = await database_sync_to_async(actions.facilitator_workshop)(
            self.scope, self.scope["url_route"]["kwargs"]["code"]
        )
        self.workshop_id = workshop.pk
        self.user_id = self.scope["user"].pk  # loaded by the role check above
        self.language = actions.ui_language(self.scope, default=workshop.language)
        return [broadcast.wall_group(workshop.pk)]


class ConsoleConsumer(LiveConsumer):
    role = broadcast.CONSOLE

    async def authorise(self):
        workshop = await database_sync_to_async(actions.facilitator_workshop)(
            self.scope, self.scope["url_route"]["kwargs"]["code"]
        )
        self.workshop_id = workshop.pk
        self.user_id = self.scope["user"].pk  # loaded by the role check above
        self.language = actions.ui_language(self.scope, default="nb")
        return [broadcast.console_group(workshop.pk)]

    async def handle_action(self, kind, message):
        self.spend()
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
        seat = await database_sync_to_async(actions.phone_seat)(
            self.scope, self.scope["url_route"]["kwargs"]["code"]
        )
        self.participant_id = seat.participant_id
        self.workshop_id = seat.workshop_id
        self.group_id = seat.group_id
        self.language = actions.ui_language(self.scope, default=seat.language)
        groups = [
            broadcast.phones_group(self.workshop_id),
            broadcast.participant_group(self.workshop_id, self.participant_id),
        ]
        if self.group_id:
            groups.append(broadcast.buzz_group(self.workshop_id, self.group_id))
        return groups

    async def on_open(self):
        await sync_to_async(presence.arrive, thread_sensitive=False)(
            self.workshop_id, self.participant_id, self.channel_name
        )
        if presence.shared():
            keep_presence_renewed()
        announce_presence_soon(self.workshop_id)

    async def on_close(self):
        await sync_to_async(presence.leave, thread_sensitive=False)(
            self.workshop_id, self.participant_id, self.channel_name
        )
        announce_presence_soon(self.workshop_id)

    async def summa_regroup(self, message):
        """The facilitator moved this phone to another group (or regrouped the room)."""
        await self.follow_group(message["group_id"])

    async def follow_group(self, group_id: int | None):
        # Told even when this socket listens to that group already: it may have come
        # back with the group its session remembered, and its page shows another
        # (phone.js fetches only when the group is not the page's).
        if group_id != self.group_id:
            await self.listen_to_group(group_id)
        # The phone fetches its new group's notes and heading (phone.js).
        await self.send(
            text_data=json.dumps({"type": "regrouped", "seq": None, "data": {"group_id": group_id}})
        )

    async def listen_to_group(self, group_id: int | None):
        if self.group_id:
            old = broadcast.buzz_group(self.workshop_id, self.group_id)
            await self.channel_layer.group_discard(old, self.channel_name)
            self.channel_groups.remove(old)
        if group_id:
            new = broadcast.buzz_group(self.workshop_id, group_id)
            await self.channel_layer.group_add(new, self.channel_name)
            self.channel_groups.append(new)
        self.group_id = group_id

    async def resume(self, after, *, now: int | None = None):
        # The database is the truth: a phone that missed its move finds its group here,
        # and one taken out of the workshop is let go.
        try:
            group_id, now = await database_sync_to_async(actions.phone_position)(
                self.participant_id
            )
        except ObjectDoesNotExist:
            await self.close(code=4404)
            return
        if group_id != self.group_id:
            await self.follow_group(group_id)
            # Read after it listens to its new group, so no frame falls between the two.
            now = None
        await super().resume(after, now=now)

    async def handle_action(self, kind, message):
        raise ActionError(_("Only the facilitator can do that."), "forbidden")
