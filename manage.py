#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    if "DATABASE_URL" not in os.environ:
        # A developer's machine: run on the same embedded (or provisioned) stack as `make run`.
        # A deployment always sets DATABASE_URL, so it never comes here.
        from polyplus.devstack import main

        sys.exit(main(["manage", *sys.argv[1:]]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "polyplus.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
