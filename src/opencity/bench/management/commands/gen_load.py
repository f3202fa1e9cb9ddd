"""`manage.py gen_load`: synthetic field reports at city or province scale. Thin: the work is in
``opencity.bench.loadgen``."""

from django.core.management.base import BaseCommand, CommandError

from opencity.bench.loadgen import CHUNK_SIZE, gen_load


class Command(BaseCommand):
    help = (
        "Generate N realistic field reports (wards, categories, states, timelines, ratings, "
        "follows) over the last years, fast (COPY on PostgreSQL). Loads the demo pack's reference "
        "data first if there is none. Deterministic for a given seed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reports", type=int, required=True, help="how many reports")
        parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
        parser.add_argument("--citizens", type=int, default=None,
                            help="generated citizens who report and follow (default: reports/10, "
                                 "at least 200)")
        parser.add_argument("--years", type=float, default=3.0, help="spread over this many years (default 3)")
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help=f"rows per chunk (default {CHUNK_SIZE})")
        parser.add_argument("--defer-indexes", choices=("auto", "yes", "no"), default="auto",
                            help="PostgreSQL: drop and rebuild the indexes and foreign keys around "
                                 "the load (default: for 100,000 reports or more)")
        parser.add_argument("--no-rollups", action="store_true", help="do not rebuild the KPI roll-ups")

    def handle(self, *args, **options):
        if options["reports"] < 1:
            raise CommandError("--reports must be at least 1")
        defer = {"auto": None, "yes": True, "no": False}[options["defer_indexes"]]
        s = gen_load(
            reports=options["reports"], seed=options["seed"], citizens=options["citizens"],
            years=options["years"], chunk_size=options["chunk_size"], defer_indexes=defer,
            rollups=not options["no_rollups"], log=lambda line: self.stdout.write(f"  {line}"),
        )
        self.stdout.write(self.style.SUCCESS(
            f"{s.reports:,} reports, {s.events:,} timeline events, {s.follows:,} follows in "
            f"{s.seconds_total:.1f} s on {s.backend}: {s.rate:,.0f} reports/s "
            f"(rows streamed in {s.seconds_generate:.1f} s, indexes rebuilt in {s.seconds_indexes:.1f} s"
            + (f", KPI roll-ups in {s.seconds_rollups:.1f} s after that" if s.seconds_rollups is not None else "")
            + ")."
        ))
        self.stdout.write("Reports by status: " + ", ".join(f"{k} {v:,}" for k, v in sorted(s.statuses.items())))
