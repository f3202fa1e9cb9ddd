"""``python -m bench.gen_load --reports N``: synthetic field reports at city or province scale.

A development tool, not a management command: the product (``src/opencity``, its settings'
``INSTALLED_APPS``) does not carry the load generator or numpy. This entry point sets Django up
the way ``manage.py`` does (``src`` on the path, ``opencity.settings`` unless
``DJANGO_SETTINGS_MODULE`` says otherwise, the same ``OPENCITY_*`` environment), then calls
``bench.loadgen.gen_load``. Run it from the repository's root (``bench/run.py`` does).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent


def parser() -> argparse.ArgumentParser:
    from bench.loadgen import CHUNK_SIZE

    p = argparse.ArgumentParser(
        prog="python -m bench.gen_load",
        description=(
            "Generate N realistic field reports (wards, categories, states, timelines, ratings, "
            "follows) over the last years, fast (COPY on PostgreSQL). Loads the demo pack's "
            "reference data first if there is none. Deterministic for a given seed."
        ),
    )
    p.add_argument("--reports", type=int, required=True, help="how many reports")
    p.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    p.add_argument("--citizens", type=int, default=None,
                   help="generated citizens who report and follow (default: reports/10, at least 200)")
    p.add_argument("--years", type=float, default=3.0, help="spread over this many years (default 3)")
    p.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help=f"rows per chunk (default {CHUNK_SIZE})")
    p.add_argument("--defer-indexes", choices=("auto", "yes", "no"), default="auto",
                   help="PostgreSQL: drop and rebuild the indexes and foreign keys around the load "
                        "(default: for 100,000 reports or more)")
    p.add_argument("--no-rollups", action="store_true", help="do not rebuild the KPI roll-ups")
    return p


def main(argv: Sequence[str] | None = None, *, stdout: TextIO | None = None) -> int:
    """Parse ``argv``, generate, and write the summary that ``bench/run.py`` reads (its wording
    is parsed there: keep the two in step). Django must be set up already (``run()`` does it)."""
    from bench.loadgen import gen_load

    out = stdout or sys.stdout
    args = parser().parse_args(argv)
    if args.reports < 1:
        parser().error("--reports must be at least 1")
    defer = {"auto": None, "yes": True, "no": False}[args.defer_indexes]
    s = gen_load(
        reports=args.reports, seed=args.seed, citizens=args.citizens, years=args.years,
        chunk_size=args.chunk_size, defer_indexes=defer, rollups=not args.no_rollups,
        log=lambda line: print(f"  {line}", file=out, flush=True),
    )
    print(
        f"{s.reports:,} reports, {s.events:,} timeline events, {s.follows:,} follows in "
        f"{s.seconds_total:.1f} s on {s.backend}: {s.rate:,.0f} reports/s "
        f"(rows streamed in {s.seconds_generate:.1f} s, indexes rebuilt in {s.seconds_indexes:.1f} s"
        + (f", KPI roll-ups in {s.seconds_rollups:.1f} s after that" if s.seconds_rollups is not None else "")
        + ").",
        file=out,
    )
    print("Reports by status: " + ", ".join(f"{k} {v:,}" for k, v in sorted(s.statuses.items())), file=out)
    return 0


def run() -> int:
    """The command line: Django set up as ``manage.py`` sets it up, then ``main()``."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencity.settings")
    import django

    django.setup()
    return main()


if __name__ == "__main__":
    sys.exit(run())
