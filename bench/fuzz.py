"""Long fuzz run: mutated shipped inputs through assess_input and POST /v1/assess, and
mutated CDS Hooks calls through both hook routes.

    python bench/fuzz.py [--count 100000] [--cds 10000] [--seed 0] [--no-http]
                         [--jobs 1] [--progress 5000]

Prints the inputs tried, the crashes by exception type and place, and one example input of
each (the aim, issue 16: 0 crashes in 100,000). Exit status 1 when anything crashed.
``--jobs J`` splits ``--count`` (and ``--cds``) over J processes with seeds seed..seed+J-1
(the same inputs as J runs of count/J); ``--progress N`` prints the running totals of
each job every N inputs, so a run stopped early still says what it tried.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzz.harness import Report, cds_bodies, run

from dystonia_cds import load_knowledge


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cds", type=int, default=10_000, help="CDS Hooks calls (0: none)")
    parser.add_argument("--no-http", action="store_true", help="library only (faster)")
    parser.add_argument("--jobs", type=int, default=1, help="processes")
    parser.add_argument("--progress", type=int, default=0, help="print totals every N")
    args = parser.parse_args()
    if args.jobs > 1:
        return _parallel(args)
    return _job(args)


def _parallel(args: argparse.Namespace) -> int:
    """Run ``--jobs`` copies of this script with their share and their own seed, and add
    up what they print."""
    import re
    import subprocess

    procs = []
    for k in range(args.jobs):
        cmd = [sys.executable, __file__, "--count", str(args.count // args.jobs + (
            k < args.count % args.jobs)), "--cds", str(args.cds // args.jobs),
            "--seed", str(args.seed + k), "--progress", str(args.progress)]
        if args.no_http:
            cmd.append("--no-http")
        procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True))
    import threading

    outs: list[list[str]] = [[] for _ in procs]

    def relay(k: int) -> None:  # each job's lines as they come (progress included)
        assert procs[k].stdout is not None
        for line in procs[k].stdout:
            outs[k].append(line)
            print(f"[job {k}, seed {args.seed + k}] {line}", end="", flush=True)

    relays = [threading.Thread(target=relay, args=(k,)) for k in range(len(procs))]
    for t in relays:
        t.start()
    for t, proc in zip(relays, procs, strict=True):
        t.join()
        proc.wait()
    tried = crashes = 0
    for k, proc in enumerate(procs):
        out = "".join(outs[k])
        m = re.search(r"^inputs tried: (\d+)  crashes: (\d+)", out, re.M)
        if m is None:
            print(f"[job {k}] ended without a total (status {proc.returncode})")
            crashes += 1
            continue
        tried += int(m.group(1))
        crashes += int(m.group(2))
    print(f"all {args.jobs} jobs: inputs tried: {tried}  crashes: {crashes}")
    return 1 if crashes else 0


def _job(args: argparse.Namespace) -> int:
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

    def progress(report: Report) -> None:
        print(f"progress: {report.tried} tried, {sum(report.crashes.values())} crashes, "
              f"{time.perf_counter() - start:.0f} s", flush=True)

    report = run(kb, args.count, seed=args.seed, http=http,
                 progress=progress if args.progress else None, every=args.progress or 1000)
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
