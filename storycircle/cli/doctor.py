"""The ``doctor`` verb: open the data folder without changing it, unlock, examine, report."""

from __future__ import annotations

import argparse

from storycircle.cli.session import unlock_member
from storycircle.cli.terminal import PassphraseSource, say_line, warn
from storycircle.doctor.examine import check_database, examine
from storycircle.doctor.report import Checkup
from storycircle.paths import DATABASE_NAME, data_dir
from storycircle.session.config import load_config
from storycircle.session.installation import Installation, has_data, no_data_error
from storycircle.store import Store
from storycircle.wording import counted, plural


def run_doctor(args: argparse.Namespace) -> int:
    """Check (and with ``--repair``, repair) the installation; 1 when damage remains."""
    folder = data_dir()
    if not has_data(folder):
        raise no_data_error(folder)
    path = folder / DATABASE_NAME
    # Without --repair the file is opened read-only: no migration, no pragma
    # that writes, not even a change of file mode.
    store = Store.open(path) if args.repair else Store.open_read_only(path)
    try:
        installation = Installation(folder, store, load_config(folder))
        if not store.members():
            findings = check_database(store)
            for finding in findings:
                say_line(f"{finding.item}: {finding.problem}")
            say_line("Nobody has an account here yet: only the database was checked.")
            return 1 if findings else 0
        member = unlock_member(
            installation, args, PassphraseSource(args.passphrase_fd), upgrade=False
        )
        report = examine(Checkup(store, member, folder), repair=args.repair)
    finally:
        store.close()
    for finding in report.findings:
        hint = f" (--repair {finding.remedy})" if finding.repair and not args.repair else ""
        say_line(f"{finding.item}: {finding.problem}{hint}")
    for line in report.repaired:
        say_line(f"repaired {line}")
    checked = ", ".join(counted(count, kind) for kind, count in report.checked.items())
    say_line(f"Checked the database, {checked}.")
    if report.remaining:
        remain = plural(report.remaining, "remains", "remain")
        warn(f"{counted(report.remaining, 'damaged item')} {remain}; nothing else was changed")
        return 1
    say_line("Everything opens." if not report.findings else "Everything was repaired.")
    return 0
