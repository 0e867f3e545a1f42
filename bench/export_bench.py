"""How the summary export holds up with 10,000 notes.

    .venv/bin/python bench/export_bench.py [--notes 10000] [--skip-pdf]

Builds a throwaway workshop in a temporary SQLite database, then writes each
format of the summary to a sink that only counts bytes, measuring wall time
and the peak of Python's memory (tracemalloc) for each. A baseline run in the
same go, a plain loop over the same notes with values_list writing CSV, gives
the ratios: how much the summary costs over the least one could do.

Prints a table (as in docs/export.md) and writes bench/results/export.json.
Time and memory are measured in separate runs, since tracemalloc slows Python
down. tracemalloc does not see what WeasyPrint's C libraries (Pango, HarfBuzz)
allocate, so the table also shows the process's resident high-water mark.
"""

import argparse
import csv
import gc
import json
import os
import platform
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "export.json"
PROGRAM = ROOT / "sessions" / "programs" / "sosiale-medier-bank-finans.txt"

WORDS = [
    "kunder",
    "nettbank",
    "forsikring",
    "rådgiver",
    "tillit",
    "svar",
    "helg",
    "app",
    "chat",
    "video",
    "blogg",
    "rekruttering",
    "læring",
    "ansatte",
    "ledelse",
    "åpenhet",
    "personvern",
    "arkivering",
    "regler",
    "samtale",
    "verdi",
    "dialog",
    "tempo",
    "kanal",
    "innhold",
    "målgruppe",
    "ærlig",
    "øyeblikk",
    "språk",
]
EXTRAS = ("æøå", "ÆØÅ", "👩‍👩‍👧", "✅", "مرحبا", "שלום", "é", "«sitat»", "=SUM(A1)", "<b>")


class Sink:
    """Writes nowhere; counts the UTF-8 bytes it was given, as a response would send."""

    def __init__(self):
        self.bytes = 0

    def write(self, data) -> None:
        self.bytes += len(data) if isinstance(data, bytes) else len(data.encode("utf-8"))


def setup_django(data_dir: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "workshop.settings"
    os.environ["SUMMA_DATA_DIR"] = data_dir
    # Production-like: no query log kept in memory.
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def note_text(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.choice((4, 8, 12, 20, 40, 70)))
    if rng.random() < 0.3:
        words.insert(rng.randrange(len(words) + 1), rng.choice(EXTRAS))
    text = " ".join(words).capitalize()
    return text[:500]


def build_workshop(notes: int):
    """A workshop of the demo program: 24 phones in 6 groups, notes in two buzz rounds."""
    from django.contrib.auth import get_user_model

    from buzzgroups.models import Note
    from buzzgroups.services import groups_set_count, participant_join
    from sessions.models import Topic
    from sessions.program import decode_program, parse_program
    from sessions.services import round_open, workshop_create

    rng = random.Random(5)
    owner = get_user_model().objects.create_user("bench", password="bench-only-123")
    program = parse_program(decode_program(PROGRAM.read_bytes()))
    workshop = workshop_create(owner=owner, program=program, language="nb")
    groups_set_count(workshop=workshop, count=6)
    phones = [participant_join(workshop=workshop) for _ in range(24)]
    topics = list(Topic.objects.filter(item__workshop=workshop))
    rounds = [item.buzz_rounds.get() for item in workshop.items.filter(buzz_rounds__isnull=False)]
    per_round = notes // len(rounds)
    for index, buzz_round in enumerate(rounds):
        round_open(buzz_round=buzz_round, minutes=30)
        prompts = list(buzz_round.prompts.all())
        count = per_round if index < len(rounds) - 1 else notes - per_round * index
        # Straight into the table: the services would broadcast each note to
        # screens nobody watches, and the export only reads what is stored.
        batch = []
        for i in range(count):
            phone = rng.choice(phones)
            batch.append(
                Note(
                    workshop=workshop,
                    round=buzz_round,
                    prompt=rng.choice(prompts),
                    topic=rng.choice(topics) if topics and rng.random() < 0.3 else None,
                    group_id=phone.group_id,
                    author=phone,
                    text=note_text(rng),
                    client_id=uuid.UUID(int=rng.getrandbits(128)),
                    hidden=i % 50 == 0,
                    highlighted=i % 40 == 0,
                )
            )
            if len(batch) == 1000:
                Note.objects.bulk_create(batch)
                batch = []
        Note.objects.bulk_create(batch)
    return workshop


def baseline(workshop, sink: Sink) -> None:
    """The least an export can do: the notes' columns, straight into a CSV writer."""
    from buzzgroups.models import Note

    writer = csv.writer(sink)
    rows = (
        Note.objects.filter(workshop=workshop, hidden=False)
        .values_list(
            "id",
            "group__name",
            "round__item__number",
            "prompt__title",
            "topic__name",
            "text",
            "hidden",
            "highlighted",
            "created_at",
        )
        .iterator(chunk_size=500)
    )
    for row in rows:
        writer.writerow(row)


def export(workshop, fmt: str, sink: Sink) -> None:
    from buzzgroups import summary

    data = summary.build_summary(workshop)
    if fmt == "pdf":
        sink.write(summary.pdf_bytes(data))
        return
    for chunk in summary.text_chunks(data, fmt):
        sink.write(chunk)


def measure(run) -> dict:
    gc.collect()
    sink = Sink()
    started = time.perf_counter()
    run(sink)
    seconds = time.perf_counter() - started
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    gc.collect()
    tracemalloc.start()
    run(Sink())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "seconds": round(seconds, 3),
        "peak_mib": round(peak / 2**20, 2),
        "bytes": sink.bytes,
        "rss_high_water_mib": round(rss_mb, 1),
    }


def table(results: dict, notes: int) -> str:
    base = results["baseline"]
    lines = [
        f"Export of {notes:,} notes ({results['baseline']['visible_notes']:,} visible), "
        "streamed to a sink that counts bytes.",
        "",
        "| format | time (s) | × baseline | peak Python memory (MiB) | × baseline "
        "| output (MiB) | process RSS high-water (MiB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in results.items():
        lines.append(
            f"| {name} | {row['seconds']:.2f} | {row['seconds'] / base['seconds']:.1f} "
            f"| {row['peak_mib']:.1f} | {row['peak_mib'] / base['peak_mib']:.1f} "
            f"| {row['bytes'] / 2**20:.1f} | {row['rss_high_water_mib']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--skip-pdf", action="store_true", help="leave out the slowest format")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="summa-bench-")
    try:
        setup_django(data_dir)
        started = time.perf_counter()
        workshop = build_workshop(args.notes)
        print(f"built {args.notes:,} notes in {time.perf_counter() - started:.1f} s", flush=True)
        from buzzgroups.models import Note

        visible = Note.objects.filter(workshop=workshop, hidden=False).count()
        load_before = os.getloadavg()
        results = {"baseline": measure(lambda sink: baseline(workshop, sink))}
        results["baseline"]["visible_notes"] = visible
        formats = ["md", "csv", "json", "html"] + ([] if args.skip_pdf else ["pdf"])
        for fmt in formats:
            results[fmt] = measure(lambda sink, fmt=fmt: export(workshop, fmt, sink))
            print(f"{fmt}: {results[fmt]}", flush=True)
        load_after = os.getloadavg()
        print()
        print(table(results, args.notes))
        print(f"\nload average (1 min) before {load_before[0]:.1f}, after {load_after[0]:.1f}")
        import django
        import weasyprint

        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            json.dumps(
                {
                    "notes": args.notes,
                    "visible_notes": visible,
                    "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "python": platform.python_version(),
                    "django": django.get_version(),
                    "weasyprint": weasyprint.__version__,
                    "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
                    # Other work on the machine slows the runs down: the 1-minute
                    # load average before and after them.
                    "load_average": [round(load_before[0], 2), round(load_after[0], 2)],
                    "results": results,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
