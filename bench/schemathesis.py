"""The long schemathesis run: tests/api/test_schemathesis.py with many more examples.

Same app, same checks (all of them, stateful included), in-process; only the number of
generated examples per operation changes (CI: 25). Prints pytest's summary; exit status is
pytest's.

    nice -n 10 python bench/schemathesis.py [--examples 1000]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--examples", type=int, default=1000, help="examples per operation")
    args = p.parse_args()
    env = {**os.environ, "DYSTONIA_SCHEMATHESIS_EXAMPLES": str(args.examples)}
    start = time.perf_counter()
    code = subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly",
                            "tests/api/test_schemathesis.py"], cwd=REPO, env=env)
    print(f"schemathesis, every check, {args.examples} examples per operation: "
          f"{'passed' if code == 0 else 'FAILED'} in {time.perf_counter() - start:.0f} s")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
