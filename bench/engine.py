"""Engine benchmark: start-up (import + knowledge load) and assessments per second.

Prints figures, not pass/fail. The machine is shared and noisy, so a baseline is measured
in the same run: the cost of only validating the same Cases (pydantic), which every
assessment must pay anyway, and the engine with next-question search switched off.

    python bench/engine.py [--seconds 3] [--repeat 3]

With ``--repeat N`` each engine figure is measured N times (interleaved) and the median run
is shown, which steadies the figures on a busy machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def startup_seconds(runs: int = 5) -> float:
    code = ("import time; t=time.perf_counter(); import dystonia_cds; "
            "dystonia_cds.load_knowledge(); print(time.perf_counter()-t)")
    times = [float(subprocess.check_output([sys.executable, "-c", code], text=True))
             for _ in range(runs)]
    return statistics.median(times)


def measure(fn, items, seconds: float) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    lat: list[float] = []
    end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < end:
        t = time.perf_counter()
        fn(items[i % len(items)])
        lat.append(time.perf_counter() - t)
        i += 1
    lat.sort()
    return len(lat) / sum(lat), lat[len(lat) // 2] * 1e3, lat[int(len(lat) * 0.99)] * 1e3


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--repeat", type=int, default=1)
    args = p.parse_args()
    from dystonia_cds import Case, assess, load_case, load_knowledge
    from dystonia_cds.engine import questions
    from dystonia_cds.engine._facts import derive_facts

    kb = load_knowledge()
    cases = [load_case(path, kb) for path in sorted((HERE / "examples").glob("*.yaml"))]
    dumped = [c.model_dump(by_alias=True) for c in cases]
    print(f"start-up (import + knowledge load, median of 5 processes): "
          f"{startup_seconds():.3f} s (aim ≤ 0.5 s)")
    variants = [len(alts) for c in cases for _, _, alts in questions._fills(derive_facts(c, kb))]
    print(f"next-question search: {len(variants) / len(cases):.1f} unknown fields, "
          f"{sum(variants) / len(cases):.1f} filled-in variants scored per assessment")
    import dystonia_cds.engine as eng

    saved = questions.next_questions
    runs: dict[str, list[tuple[float, float, float]]] = {"base": [], "full": [], "off": []}
    for _ in range(args.repeat):
        runs["base"].append(measure(lambda d: Case.model_validate(d), dumped, args.seconds))
        runs["full"].append(measure(lambda c: assess(c, kb), cases, args.seconds))
        try:
            eng.next_questions = lambda *a, **k: []  # type: ignore[assignment]
            runs["off"].append(measure(lambda c: assess(c, kb), cases, args.seconds))
        finally:
            eng.next_questions = saved  # type: ignore[assignment]
    base, full, questions_off = (sorted(runs[k])[len(runs[k]) // 2]
                                 for k in ("base", "full", "off"))
    rows = [("baseline: Case validation only", base), ("assess, no next questions", questions_off),
            ("assess (full)", full)]
    print(f"{'':34} {'per s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for name, (rate, p50, p99) in rows:
        print(f"{name:34} {rate:9.0f} {p50:8.3f} {p99:8.3f}")
    print(f"full assessment costs {base[0] / full[0]:.1f}× a bare Case validation; "
          f"next-question search is {questions_off[0] / full[0]:.1f}× of the engine's time")
    print(f"aim ≥ 5,000 assessments/s per core: measured {full[0]:.0f}/s "
          f"({full[0] / 5000:.0%} of the aim)")


if __name__ == "__main__":
    main()
