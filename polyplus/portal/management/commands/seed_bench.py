import dataclasses
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from polyplus.bench.world import BENCH_PASSWORD, SCALES, seed


class Command(BaseCommand):
    help = ("Empty this database and build the benchmark's world with COPY (polyplus/bench/world.py); "
            "only for a database of its own, such as the one `make bench` uses.")

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--out", type=Path, help="Write the logins, sessions and timings here as JSON.")
        parser.add_argument("--force", action="store_true",
                            help="Empty the database even though its name does not say it is a bench database.")

    def handle(self, *args, scale: str, out: Path | None, force: bool, **options):
        database = connection.settings_dict["NAME"]
        if "bench" not in database and not force:
            raise CommandError(f"seed_bench empties {database} first; run it on a bench database "
                               "(make bench makes its own) or pass --force.")
        size = SCALES[scale]
        self.stdout.write(f"Seeding the {scale} world: {size.partners} partners, {size.customers:,} customers, "
                          f"{size.sites:,} sites, {size.devices:,} devices, {size.cases:,} cases, "
                          f"{size.comments:,} comments")
        seeded = seed(size, log=self.stdout.write)
        self.stdout.write(f"Seeded the {scale} world in {seeded.seconds:.1f} s. Sign in as {seeded.engineer_email} "
                          f"or {seeded.staff_email} with password {BENCH_PASSWORD}.")
        if out is not None:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(dataclasses.asdict(seeded), indent=2))
