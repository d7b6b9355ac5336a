"""Benchmark: load the scale data set (the target: 100,000 accounts x 24 months in under 3 minutes).

Usage (PostgreSQL; the database is emptied first, so point it at a scratch one):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench_seed .venv/bin/python bench/seed.py \
        --accounts 100000 --months 24

Prints accounts/s, financial rows/s, total seconds and the peak memory of the seeding process.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a scratch PostgreSQL database: the benchmark empties it.")

    python = sys.executable
    manage = [python, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], check=True)
    subprocess.run([*manage, "flush", "--no-input"], check=True)

    started = time.monotonic()
    subprocess.run(
        [*manage, "seed_demo", "--accounts", str(args.accounts), "--months", str(args.months), "-v0"],
        check=True,
    )
    seconds = time.monotonic() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows = args.accounts * args.months
    print(f"accounts:            {args.accounts:>12,}")
    print(f"financial rows:      {rows:>12,}")
    print(f"seconds:             {seconds:>12.1f}   (target < 180)")
    print(f"accounts/s:          {args.accounts / seconds:>12,.0f}")
    print(f"financial rows/s:    {rows / seconds:>12,.0f}")
    print(f"peak memory (MB):    {peak_mb:>12.0f}")


if __name__ == "__main__":
    main()
