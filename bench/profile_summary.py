"""Summarise py-spy raw profiles (collapsed stacks) as `bench/run.py --profile` writes them.

    .venv/bin/python bench/profile_summary.py /tmp/profiles/daphne-1000-r1-S1-p0.txt
    .venv/bin/python bench/profile_summary.py FILE [FILE ...] --top 25 --ours

Per file (several files, e.g. both processes of the Redis row, are added up):
the share of samples per thread, then the functions with the largest
cumulative share (the function or anything it called was running) and the
largest self share (the function itself was on top). py-spy samples only
threads that are running, so with `--nonblocking` a share is close to a share
of the process's CPU time. `--ours` keeps Summa's own modules in the
cumulative list (buzzgroups, sessions, workshop), to see which of its paths
cost what.
"""

import argparse
import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<name>.*?) \((?P<file>[^:()]*)(?::(?P<line>\d+))?\)$")
OURS = ("buzzgroups/", "sessions/", "workshop/")


def short(path: str) -> str:
    for marker in ("site-packages/", "lib/python3.11/", "/wt-bench-rows/", "/main/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def function(frame: str) -> str:
    found = FRAME.match(frame.strip())
    if not found:
        return frame.strip()
    return f"{found['name']} ({short(found['file'])})"


def read(paths: list[Path], focus: re.Pattern | None = None):
    threads, cumulative, own = Counter(), Counter(), Counter()
    total = 0
    for path in paths:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            count = int(count)
            frames = stack.split(";")
            thread = "main"
            if frames and frames[0].startswith(("thread ", "process ")):
                thread = frames.pop(0)
                if frames and frames[0].startswith("thread "):
                    thread = frames.pop(0)
            if focus is not None:
                # Only what ran under the first frame matching `focus` (shares stay of all).
                at = next((i for i, frame in enumerate(frames) if focus.search(frame)), None)
                if at is None:
                    total += count
                    continue
                frames = frames[at:]
            total += count
            threads[re.sub(r"0x[0-9A-Fa-f]+", "", thread).strip() or thread] += count
            names = [function(frame) for frame in frames]
            for name in set(names):
                cumulative[name] += count
            if names:
                own[names[-1]] += count
    return total, threads, cumulative, own


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--ours", action="store_true", help="cumulative: Summa's modules only")
    parser.add_argument(
        "--focus", help="only what ran under a frame matching this (e.g. 'send_event')"
    )
    options = parser.parse_args()
    focus = re.compile(options.focus) if options.focus else None
    total, threads, cumulative, own = read(options.files, focus)
    if not total:
        print("no samples")
        return
    print(f"{total} samples in {', '.join(p.name for p in options.files)}")
    print("\nthreads:")
    for thread, count in threads.most_common(6):
        print(f"  {100 * count / total:5.1f} %  {thread}")
    print("\ncumulative:")
    shown = 0
    for name, count in cumulative.most_common():
        if options.ours and not any(f"({mark}" in name for mark in OURS):
            continue
        print(f"  {100 * count / total:5.1f} %  {name}")
        shown += 1
        if shown >= options.top:
            break
    print("\nself:")
    for name, count in own.most_common(options.top):
        print(f"  {100 * count / total:5.1f} %  {name}")


if __name__ == "__main__":
    main()
