"""Mutation testing of the rule modules with cosmic-ray: do their tests notice a wrong rule?

    python mutation/run.py [--resume | --survivors | --report] [MODULE ...]   (`make mutation`)

MODULE is coverage, rules or sla (all three by default).

Each mutant is one small change to one rule module (a comparison flipped, a number moved, an
`and` made `or`, a condition negated, ...). The module's own test files run against it with
`pytest -x`; a mutant that no test notices survives. The work happens in build/mutation/,
in a copy of this checkout per module, so a mutant on disk never reaches anyone else's test
run, and it ends in build/mutation/report.md: each module's score and every survivor with
its diff (`--report` writes it again from the last runs, running nothing).

A survivor is either killed by a new test or, when no behaviour can tell it apart from the
original, explained in docs/mutation.md ("Equivalent mutants"), which this script reads: a
survivor listed there counts as equivalent, any other one fails the run.

The database is the one `make test` uses (DATABASE_URL, or the embedded server), with a test
database per module (test_<name>_mutation_<module>) that is kept between mutants, so each
mutant costs one pytest start and its tests, not a migration. `--resume` goes on with the mutants an
interrupted run left; `--survivors` runs again only the mutants that survived the last run of
each module (after adding tests). Both need the module itself unchanged since that run.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "mutation"
EQUIVALENTS = ROOT / "docs" / "mutation.md"
TIMEOUT_SECONDS = 180
DOUBTFUL_KILL_RETRIES = 2


@dataclasses.dataclass(frozen=True)
class Module:
    path: str
    tests: tuple[str, ...]


# Each rule module and the few test files that exercise it (kept small: they run once per mutant;
# the quickest first, as -x stops at the first failure).
MODULES = {
    "coverage": Module("installbase/coverage.py", (
        "tests/installbase/test_coverage_rules.py",
        "tests/installbase/test_coverage.py",
        "tests/installbase/test_coverage_boundaries.py",
    )),
    "rules": Module("contracts/rules.py", (
        "tests/contracts/test_rule_functions.py",
        "tests/contracts/test_rules.py",
    )),
    "sla": Module("tickets/sla.py", (
        "tests/tickets/test_sla_rules.py",
        "tests/tickets/test_sla.py",
    )),
}


@dataclasses.dataclass(frozen=True)
class Mutant:
    module: str
    line: int
    column: int
    operator: str
    outcome: str  # killed, survived, or skipped (in a type annotation, or not Python)
    diff: str
    code: str  # the line it changes, as it was


def tool(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def tree_of(name: str) -> Path:
    """Each module is mutated in a copy of its own, so modules can run side by side."""
    return WORK / f"{name}-tree"


def copy_checkout(tree: Path) -> None:
    """Tracked and new (not ignored) files of this checkout, as they are on disk now."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    shutil.rmtree(tree, ignore_errors=True)
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tree / name)


def prepare_database() -> list[object]:
    """The development stack's database and Redis, as `make test` uses them."""
    sys.path.insert(0, str(ROOT))
    from polyplus import devstack

    held = devstack.prepare_environment()
    for key, value in (("DJANGO_DEBUG", "0"), ("DJANGO_SECRET_KEY", "test-only-secret-key"),
                       ("DJANGO_SECURE_COOKIES", "0")):
        os.environ.setdefault(key, value)
    return held


def test_command(module: Module, reuse_db: bool = True) -> list[str]:
    # Plugins these tests do not use cost seconds at every start (hypothesis, schemathesis, faker).
    unused = ("cacheprovider", "hypothesispytest", "schemathesis", "faker", "anyio")
    return [sys.executable, "-m", "pytest", "-x", "-q", *(arg for name in unused for arg in ("-p", f"no:{name}")),
            *(["--reuse-db"] if reuse_db else []), *module.tests]


def write_config(name: str, module: Module) -> Path:
    config = WORK / f"{name}.toml"
    config.write_text(
        "[cosmic-ray]\n"
        f'module-path = "{module.path}"\n'
        f"timeout = {TIMEOUT_SECONDS}.0\n"
        "excluded-modules = []\n"
        f"test-command = {shlex.join(test_command(module))!r}\n"
        "\n[cosmic-ray.distributor]\n"
        'name = "local"\n'
    )
    return config


def annotation_spans(path: Path) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where the type annotations of a module are, when it never evaluates them (PEP 563)."""
    source = path.read_text(encoding="utf-8")
    if "from __future__ import annotations" not in source:
        return []
    annotations = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = node.args
            every = (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg)
            annotations += [argument.annotation for argument in every if argument is not None]
            annotations.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
    return [((a.lineno, a.col_offset), (a.end_lineno, a.end_col_offset)) for a in annotations if a is not None]


def is_python(source: str) -> bool:
    try:
        compile(source, "<mutant>", "exec")
    except SyntaxError:
        return False
    return True


def skip_mutants_that_change_nothing(session: Path, module: Module, tree: Path) -> int:
    """Mark skipped, unrun, the mutants that cannot change behaviour: one inside a type annotation
    that is never evaluated, and one that is not Python at all (cosmic-ray reads the `*` that
    starts keyword-only parameters as a multiplication and swaps it)."""
    from cosmic_ray.mutating import mutate_code
    from cosmic_ray.plugins import get_operator
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    source = (tree / module.path).read_text(encoding="utf-8")
    spans = annotation_spans(tree / module.path)
    skipped = 0
    with use_db(str(session), WorkDB.Mode.open) as db:
        for item in db.work_items:
            (mutation,) = item.mutations
            in_annotation = any(start <= tuple(mutation.start_pos) < end for start, end in spans)
            operator = get_operator(mutation.operator_name)(**(mutation.operator_args or {}))
            mutated = mutate_code(source, operator, mutation.occurrence)
            if in_annotation or (mutated is not None and not is_python(mutated)):
                db.set_result(item.job_id, WorkResult(worker_outcome=WorkerOutcome.SKIPPED))
                skipped += 1
    return skipped


def forget_doubtful_kills(session: Path) -> int:
    """Drop kills whose first failure was an error while setting a test up, not a failing test:
    a database hiccup looks like that. A mutant that really breaks the set-up fails again."""
    import sqlite3

    with sqlite3.connect(session) as db:
        return db.execute(
            "DELETE FROM work_results WHERE upper(test_outcome) = 'KILLED' AND output LIKE '%ERROR at setup of%'"
        ).rowcount


def forget_survivors(session: Path) -> int:
    """Drop the results of surviving mutants, so that `cosmic-ray exec` runs them again."""
    import sqlite3

    with sqlite3.connect(session) as db:
        return db.execute("DELETE FROM work_results WHERE upper(test_outcome) = 'SURVIVED'").rowcount


def use_test_database_of(name: str) -> None:
    """A kept test database per module: runs of two modules side by side never migrate under each other."""
    database = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")
    os.environ["TEST_DATABASE_NAME"] = f"test_{database}_mutation_{name}"


def run_module(name: str, module: Module, again: str | None) -> float:
    config, session, tree = write_config(name, module), WORK / f"{name}.sqlite", tree_of(name)
    copy_checkout(tree)
    use_test_database_of(name)
    started = time.monotonic()
    started_before = session.exists() and session.stat().st_size > 0
    if again == "--survivors" and started_before:
        print(f"{name}: {forget_survivors(session)} survivors of the last run, again", flush=True)
    elif again == "--resume" and started_before:
        print(f"{name}: going on with the mutants not run yet", flush=True)
    else:
        session.unlink(missing_ok=True)
        subprocess.run([tool("cosmic-ray"), "init", str(config), str(session)], cwd=tree, check=True)
        # The unmutated module must pass; this run also creates (or migrates) the kept test database.
        passes = any(subprocess.run(test_command(module), cwd=tree).returncode == 0 for _ in range(2))
        if not passes:
            sys.exit(f"{name}: the tests fail without any mutant; fix them first.")
    skipped = skip_mutants_that_change_nothing(session, module, tree)
    print(f"{name}: {skipped} mutants in type annotations or not Python, not run", flush=True)
    subprocess.run([tool("cosmic-ray"), "exec", str(config), str(session)], cwd=tree, check=True)
    for _ in range(DOUBTFUL_KILL_RETRIES):
        doubtful = forget_doubtful_kills(session)
        if not doubtful:
            break
        print(f"{name}: {doubtful} mutants killed by an error in a test's set-up, again", flush=True)
        subprocess.run([tool("cosmic-ray"), "exec", str(config), str(session)], cwd=tree, check=True)
    return time.monotonic() - started


def read_session(name: str) -> list[Mutant]:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    lines = (tree_of(name) / MODULES[name].path).read_text(encoding="utf-8").splitlines()
    mutants = []
    with use_db(str(WORK / f"{name}.sqlite"), WorkDB.Mode.open) as db:
        for item, result in db.completed_work_items:
            (mutation,) = item.mutations
            mutants.append(Mutant(
                module=str(mutation.module_path), line=mutation.start_pos[0], column=mutation.start_pos[1],
                operator=mutation.operator_name.removeprefix("core/"),
                outcome="skipped" if result.worker_outcome == WorkerOutcome.SKIPPED
                else "survived" if result.test_outcome == TestOutcome.SURVIVED else "killed",
                diff=result.diff or "", code=lines[mutation.start_pos[0] - 1],
            ))
    return sorted(mutants, key=lambda mutant: (mutant.module, mutant.line, mutant.column, mutant.operator))


def equivalent_mutants() -> list[tuple[str, str, str]]:
    """Rows of docs/mutation.md's table: | module | `code on the mutated line` | operator | why |"""
    row = re.compile(r"^\|\s*`?([\w/]+\.py)`?\s*\|\s*`([^`]+)`\s*\|\s*`?(\w+)`?\s*\|")
    text = EQUIVALENTS.read_text(encoding="utf-8") if EQUIVALENTS.exists() else ""
    return [match.groups() for line in text.splitlines() if (match := row.match(line))]


def is_listed_equivalent(mutant: Mutant, equivalent: list[tuple[str, str, str]]) -> bool:
    """Listed by the code it changes (not its line number), so rows survive edits elsewhere in the module."""
    return any(mutant.module == module and mutant.operator == operator and code in mutant.code
               for module, code, operator in equivalent)


def report(names: list[str], seconds: dict[str, float]) -> bool:
    equivalent = equivalent_mutants()
    lines = ["# Mutation run", "",
             "| module | mutants | not run | killed | equivalent | unexplained | score | time |",
             "|---|---|---|---|---|---|---|---|"]
    unexplained: list[Mutant] = []
    for name in names:
        if not (WORK / f"{name}.sqlite").exists():
            lines.append(f"| {MODULES[name].path} | not run yet | | | | | | |")
            continue
        mutants = read_session(name)
        skipped = sum(mutant.outcome == "skipped" for mutant in mutants)
        killed = sum(mutant.outcome == "killed" for mutant in mutants)
        survivors = [mutant for mutant in mutants if mutant.outcome == "survived"]
        open_ones = [mutant for mutant in survivors if not is_listed_equivalent(mutant, equivalent)]
        unexplained += open_ones
        score = 100 * killed / (killed + len(open_ones)) if killed + len(open_ones) else 100.0
        taken = f"{seconds[name] / 60:.0f} min" if name in seconds else "-"
        lines.append(f"| {MODULES[name].path} | {len(mutants)} | {skipped} | {killed} "
                     f"| {len(survivors) - len(open_ones)} | {len(open_ones)} | {score:.1f}% | {taken} |")
    for mutant in unexplained:
        lines += ["", f"## {mutant.module}:{mutant.line}:{mutant.column} {mutant.operator}", "", "```diff",
                  mutant.diff.strip(), "```"]
    text = "\n".join(lines) + "\n"
    (WORK / "report.md").write_text(text, encoding="utf-8")
    print(text)
    return not unexplained


def main(argv: list[str]) -> int:
    flags = [arg for arg in argv if arg.startswith("--")]
    if set(flags) - {"--resume", "--survivors", "--report"} or len(flags) > 1:
        sys.exit(__doc__)
    again = flags[0] if flags else None
    names = [arg for arg in argv if not arg.startswith("--")] or list(MODULES)
    unknown = set(names) - set(MODULES)
    if unknown:
        sys.exit(f"unknown module {', '.join(sorted(unknown))}; choose from {', '.join(MODULES)}")
    WORK.mkdir(parents=True, exist_ok=True)
    if again == "--report":
        return 0 if report(names, {}) else 1
    held = prepare_database()
    try:
        seconds = {name: run_module(name, MODULES[name], again) for name in names}
    finally:
        from polyplus import devstack

        devstack.stop_services(held)
    return 0 if report(names, seconds) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
