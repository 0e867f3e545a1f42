"""manage.py rehearse against a real Daphne in a child process, with its own data folder."""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from buzzgroups.rehearsal import percentile

ROOT = Path(__file__).resolve().parents[2]
MANAGE = [sys.executable, str(ROOT / "manage.py")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Daphne serving a fresh database with the demo workshop: (url, join code, environment)."""
    data = tmp_path_factory.mktemp("summa-data")
    env = {**os.environ, "SUMMA_DATA_DIR": str(data), "SUMMA_PASSWORD": "rehearsal-secret-42"}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    subprocess.run([*MANAGE, "migrate", "-v0", "--no-input"], env=env, check=True, cwd=ROOT)
    demo = subprocess.run(
        [*MANAGE, "demo_workshop"], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    code = re.search(r"/j/([A-Z0-9]+)/", demo.stdout).group(1)
    port = free_port()
    daphne = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-p", str(port), "workshop.asgi:application"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or daphne.poll() is not None:
                daphne.kill()
                pytest.fail("Daphne did not start")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}", code, env
    daphne.terminate()
    daphne.wait(timeout=10)


def rehearse(server, *extra: str) -> subprocess.CompletedProcess:
    url, code, env = server
    return subprocess.run(
        [*MANAGE, "rehearse", code, "--url", url, *extra],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_shows_every_note_on_the_wall(server, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Kundene stoler på oss\n\nVi svarer raskere i chat\n", encoding="utf-8")
    result = rehearse(
        server,
        *("--phones", "10", "--rate", "10", "--duration", "2", "--notes-from", str(notes)),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Phones: 10 of 10 connected." in result.stdout
    assert "20 sent, 20 acknowledged, 20 seen on the wall." in result.stdout
    assert "Every note reached the wall." in result.stdout
    assert re.search(r"p50 \d+ ms, p95 \d+ ms, p99 \d+ ms", result.stdout)


def test_it_opens_a_round_and_closes_it_again(server):
    # The first rehearsal closed the round it opened: this one has to open one too.
    first = rehearse(server, "--phones", "2", "--rate", "5", "--duration", "1")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "5 sent, 5 acknowledged, 5 seen on the wall." in first.stdout
    assert "opened the next one, and closed it at the end" in first.stdout


def test_it_leaves_the_workshop_as_it_found_it(server):
    url, code, env = server

    def state() -> str:
        # What the workshop holds, read from the server's own database.
        script = (
            "from sessions.models import Workshop, BuzzRound;"
            f"w = Workshop.objects.get(join_code='{code}');"
            "print(w.participants.count(), w.notes.count(), w.state, w.current_item_id,"
            " sorted(BuzzRound.objects.filter(item__workshop=w).values_list('pk', 'state')))"
        )
        shell = [*MANAGE, "shell", "-c", script]
        return subprocess.run(shell, env=env, cwd=ROOT, capture_output=True, text=True).stdout

    before = state()
    result = rehearse(server, "--phones", "3", "--rate", "5", "--duration", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "removed the rehearsal's 3 phones and 5 notes" in result.stdout
    assert state() == before


def test_it_says_when_the_password_is_wrong(server):
    result = rehearse(server, "--phones", "1", "--duration", "1", "--password", "wrong-one")
    assert result.returncode != 0
    assert "Could not log in" in result.stderr


def test_it_refuses_an_unbounded_run(server):
    result = rehearse(server, "--phones", "0")
    assert result.returncode != 0
    assert "--phones must be from 1" in result.stderr


def test_percentiles_are_nearest_rank():
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 0.50) == 50
    assert percentile(values, 0.99) == 99
    assert percentile([], 0.5) is None
