import json
from pathlib import Path

from django.core.management.base import BaseCommand

from polyplus.bench.probe import probe


class Command(BaseCommand):
    help = ("For the benchmark: the SQL statements each measured request runs and the case lists' plans, "
            "read from and written to JSON (polyplus/bench/probe.py).")

    def add_arguments(self, parser):
        parser.add_argument("seeded", type=Path, help="The JSON seed_bench wrote.")
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, seeded: Path, out: Path, **options):
        found = probe(json.loads(seeded.read_text()))
        out.write_text(json.dumps(found, indent=2))
        for key, result in found["endpoints"].items():
            self.stdout.write(f"  {key:<16} HTTP {result['status']}  {result['statements']:>3} SQL statements")
