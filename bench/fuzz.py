"""Long fuzz run: mutated shipped inputs through assess_input and POST /v1/assess, and
mutated CDS Hooks calls through both hook routes.

    python bench/fuzz.py [--count 100000] [--cds 10000] [--seed 0] [--no-http]

Prints the inputs tried, the crashes by exception type and place, and one example input of
each (the aim, issue 16: 0 crashes in 100,000). Exit status 1 when anything crashed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzz.harness import cds_bodies, run

from dystonia_cds import load_knowledge


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cds", type=int, default=10_000, help="CDS Hooks calls (0: none)")
    parser.add_argument("--no-http", action="store_true", help="library only (faster)")
    args = parser.parse_args()
    kb = load_knowledge()
    http = None
    if not args.no_http:
        from fastapi.testclient import TestClient

        from dystonia_cds.api import create_app

        client = TestClient(create_app(kb), raise_server_exceptions=False)

        def http(text: str) -> int:
            media = "application/json" if text.lstrip().startswith("{") else "application/yaml"
            return client.post("/v1/assess", content=text.encode("utf-8", "surrogatepass"),
                               headers={"content-type": media}).status_code

    start = time.perf_counter()
    report = run(kb, args.count, seed=args.seed, http=http)
    if not args.no_http and args.cds:
        import random

        for path, body in cds_bodies(random.Random(args.seed), args.cds):
            report.tried += 1
            status = client.post(path, content=body,
                                 headers={"content-type": "application/json"}).status_code
            if status >= 500:
                report.crashes[f"HTTP {status} {path}"] += 1
                report.examples.setdefault(f"HTTP {status} {path}", body[:300].decode(
                    "utf-8", "backslashreplace"))
    took = time.perf_counter() - start
    crashes = sum(report.crashes.values())
    print(f"inputs tried: {report.tried}  crashes: {crashes}  ({took:.0f} s, "
          f"{1000 * took / max(report.tried, 1):.1f} ms per input)")
    for key, n in report.crashes.most_common():
        print(f"  {n:6d}  {key}\n          e.g. {report.examples[key][:200]!r}")
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
