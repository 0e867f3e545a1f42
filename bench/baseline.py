"""The bare baseline: a plain `websockets` server doing Summa's fan-out and nothing else.

    python bench/baseline.py PORT

No database, no templates, no channel layer: what the same deliveries cost at
the least. Paths mirror Summa's sockets:

- ``/ws/p/<group>/``  a phone in a group; gets its group's notes and every show frame
- ``/ws/w/``          a wall; gets every note and show frame
- ``/ws/c/``          the console; gets the same as a wall, and sends:
  ``{"type": "note", "id", "group", "pad"}`` -> a note frame of ``pad`` bytes to the
  walls, the console and that group's phones, then ``{"type": "ack", "id"}``;
  ``{"type": "show", "pad"}`` -> a show frame to every phone, wall and console.

Any socket: ``{"type": "ping"}`` -> pong.
"""

import asyncio
import json
import sys
from collections import defaultdict

from websockets.asyncio.server import broadcast, serve

screens: set = set()
phones: set = set()
groups: dict[str, set] = defaultdict(set)
seq = 0


def frame(kind: str, pad: int, data: dict) -> str:
    global seq
    seq += 1
    return json.dumps(
        {"type": kind, "seq": seq, "html": "x" * max(0, pad), "data": data, "cards": []}
    )


async def handler(socket):
    path = socket.request.path
    group = None
    if path.startswith("/ws/p/"):
        group = path.split("/")[3]
        phones.add(socket)
        groups[group].add(socket)
    elif path in ("/ws/w/", "/ws/c/"):
        screens.add(socket)
    else:
        await socket.close(code=4404)
        return
    try:
        async for text in socket:
            message = json.loads(text)
            kind = message.get("type")
            if kind == "ping":
                await socket.send('{"type": "pong", "seq": null}')
            elif kind == "note" and path == "/ws/c/":
                note = {"note": {"client_id": message["id"], "group_id": message["group"]}}
                text = frame("note.added", message.get("pad", 0), note)
                broadcast(screens, text)
                broadcast(groups[str(message["group"])], text)
                await socket.send(json.dumps({"type": "ack", "id": message["id"]}))
            elif kind == "show" and path == "/ws/c/":
                text = frame("show.changed", message.get("pad", 0), {})
                broadcast(screens, text)
                broadcast(phones, text)
                await socket.send('{"type": "done", "seq": null}')
    except Exception:  # noqa: BLE001 - a broken client must not stop the server
        pass
    finally:
        screens.discard(socket)
        phones.discard(socket)
        if group is not None:
            groups[group].discard(socket)


async def main(port: int):
    async with serve(handler, "127.0.0.1", port, max_size=2**20, ping_interval=20, backlog=2048):
        await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
