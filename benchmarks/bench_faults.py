"""The fault suite (tests/test_faults.py) at a larger size: two reminder sweeps started
together over 600 people who want immediate e-mail, a sender killed after the server took a
message with 30 e-mails queued, and the rest as in CI; prints how long each fault took.

Needs PostgreSQL (and redis-server for the Redis fault), like the suite in CI:

    DATABASE_URL=postgres://root@127.0.0.1:5432/cascade_bench \\
        .venv/bin/python benchmarks/bench_faults.py --scale 10

Not a CI step: it takes a few minutes. Every test still asserts the exact set (nothing sent
twice, nothing missing), so a run that prints figures also passed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=10, help="size multiplier (CI runs 1)")
    arguments = parser.parse_args()
    if arguments.scale < 1:
        parser.error(f"--scale must be 1 or more, not {arguments.scale}")
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        parser.error("set DATABASE_URL to a PostgreSQL database (the faults need processes)")
    env = {**os.environ, "FAULT_SCALE": str(arguments.scale)}
    started = time.monotonic()
    run = subprocess.run(  # noqa: S603 (our own interpreter and test file)
        [
            *(sys.executable, "-m", "pytest", "tests/test_faults.py"),
            *("-p", "no:cacheprovider", "--durations=0", "-q", "-rs"),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    total = time.monotonic() - started
    print(f"fault suite at scale {arguments.scale}: {total:.1f} s, exit {run.returncode}")
    for line in run.stdout.splitlines():
        found = re.match(r"\s*([\d.]+)s call\s+tests/test_faults.py::(\S+)", line)
        if found:
            print(f"{float(found.group(1)):8.1f} s  {found.group(2)}")
        elif "passed" in line or "failed" in line or "SKIPPED" in line:
            print(line)
    if run.returncode:
        print(run.stdout[-5000:], run.stderr[-3000:], sep="\n")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
