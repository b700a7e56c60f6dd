"""Engine benchmark: assessments per second and start-up, each beside a same-run baseline.

Prints figures, not pass/fail. The machine is shared and noisy, so every figure is CPU time
(``time.process_time``; a busy neighbour slows the wall clock far more than the CPU count)
and every figure has a baseline measured in the same run:

- single assessment without next questions, single with them, and the batch path
  (``assess_many``), each beside a bare ``Case.model_validate`` of the same cases (the
  input boundary every assessment pays);
- start-up (import + knowledge load, in a new process; and the command line's
  ``dystonia-cds assess FILE -f json``) beside ``python -c pass``.

The cases are the examples and the published-case corpus. With ``--repeat N`` each figure is
measured N times (interleaved) and the median is shown. The goals of issue 13 are printed
beside the figures.

    python bench/engine.py [--seconds 2] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]
GOALS = {"single": 10_000, "batch": 20_000, "startup": 0.2}
BYTECODE = ", with bytecode cache"


def _child_cpu(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one child process, from its rusage."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=HERE, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def startup(runs: int) -> dict[str, tuple[float, float]]:
    py = sys.executable
    cli = str(Path(py).parent / "dystonia-cds")
    cmds = {
        "python -c pass": [py, "-c", "pass"],
        "import + knowledge load": [
            py, "-c", "import dystonia_cds; dystonia_cds.default_knowledge()"],
        "dystonia-cds assess FILE -f json": [
            cli, "assess", str(HERE / "examples" / "whiplash-neck.yaml"), "-f", "json"],
    }
    _child_cpu(cmds["import + knowledge load"][:])  # fills the knowledge cache, if empty
    # With PYTHONDONTWRITEBYTECODE set (as on this machine) every start compiles the whole
    # package from source; an installed package has its bytecode. Both are measured: the
    # second with a bytecode cache of its own (PYTHONPYCACHEPREFIX), filled by a first run.
    cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cached["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="bench-pycache-")
    for cmd in cmds.values():
        _child_cpu(cmd, cached)
    out: dict[str, list[tuple[float, float]]] = {
        k + suffix: [] for k in cmds for suffix in ("", BYTECODE)}
    for _ in range(runs):
        for name, cmd in cmds.items():
            out[name].append(_child_cpu(cmd))
            out[name + BYTECODE].append(_child_cpu(cmd, cached))
    return {k: (statistics.median(c for c, _ in v), statistics.median(w for _, w in v))
            for k, v in out.items() if v}


def rate(fn: Callable[[Any], Any], items: list[Any], seconds: float) -> float:
    """Items per CPU second, looping over ``items`` for about ``seconds`` of CPU."""
    done = 0
    t0 = time.process_time()
    end = t0 + seconds
    while time.process_time() < end:
        for item in items:
            fn(item)
        done += len(items)
    return done / (time.process_time() - t0)


def batch_rate(fn: Callable[[list[Any]], Any], items: list[Any], seconds: float) -> float:
    done = 0
    t0 = time.process_time()
    end = t0 + seconds
    while time.process_time() < end:
        fn(items)
        done += len(items)
    return done / (time.process_time() - t0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--startup-runs", type=int, default=5)
    p.add_argument("--startup-only", action="store_true", help="only the start-up figures")
    args = p.parse_args()
    if args.startup_only:
        return print_startup(args.startup_runs)
    import yaml

    from dystonia_cds import Case, assess, assess_many, load_case, load_knowledge
    from dystonia_cds._case_io import case_from_mapping

    kb = load_knowledge()
    cases = [load_case(path, kb) for path in sorted((HERE / "examples").glob("*.yaml"))]
    for path in sorted((HERE / "tests" / "cases").glob("*.yaml")):
        cases.append(case_from_mapping(dict(yaml.safe_load(path.read_text())["case"]), kb))
    dumped = [c.model_dump(by_alias=True) for c in cases]
    big = cases * max(1, 2000 // len(cases))
    from dystonia_cds.engine import batch as batch_module
    from dystonia_cds.engine._rule_columns import stale
    from dystonia_cds.engine.etiology import ALL_RULES

    def rule_by_rule(cs: list[Any]) -> Any:
        """The batch path with the rules run case by case (its path without numpy)."""
        plan = batch_module._plan(kb)
        rows = [batch_module._evaluate(c, kb, plan) for c in cs]
        scores = batch_module._scores(rows, plan)
        return [batch_module._screened(c, r, s, plan, kb)
                for c, r, s in zip(cs, rows, scores, strict=True)]

    import dystonia_cds.engine as engine_module

    def without_deciding(c: Any) -> Any:
        """The single path with the deciding question left out (a what-if for its share of
        the time; the undetermined summaries then name no question, so outputs differ)."""
        name = "deciding_question"  # the name engine.assess_case calls
        real = getattr(engine_module, name)
        setattr(engine_module, name, lambda *a: None)
        try:
            return assess(c, kb, questions=False)
        finally:
            setattr(engine_module, name, real)

    undetermined = sum(assess(c, kb, questions=False).etiology.summary == "undetermined"
                       for c in cases)
    runs: dict[str, list[float]] = {
        k: [] for k in ("base", "single", "nodeciding", "questions", "batch", "rowwise")}
    for _ in range(args.repeat):
        runs["base"].append(rate(Case.model_validate, dumped, args.seconds))
        runs["single"].append(rate(lambda c: assess(c, kb, questions=False), cases,
                                   args.seconds))
        runs["nodeciding"].append(rate(without_deciding, cases, args.seconds))
        runs["questions"].append(rate(lambda c: assess(c, kb), cases, args.seconds))
        runs["batch"].append(batch_rate(lambda cs: assess_many(cs, kb), big, args.seconds))
        runs["rowwise"].append(batch_rate(rule_by_rule, big, args.seconds))
    med = {k: statistics.median(v) for k, v in runs.items()}
    print(f"{len(cases)} cases (examples + published corpus); cases per CPU second, median "
          f"of {args.repeat} run(s) of {args.seconds:g} s")
    print(f"{'':44} {'per CPU s':>10} {'× baseline':>11} {'goal':>8}")
    print(f"{'baseline: Case.model_validate only':44} {med['base']:10.0f} {1:11.2f}")
    for key, name, goal in (
            ("single", "assess(case, questions=False)", GOALS["single"]),
            ("questions", "assess(case) — with next questions", None),
            ("batch", "assess_many(cases) — batch path", GOALS["batch"])):
        g = f"{goal:8,}" if goal else f"{'':8}"
        print(f"{name:44} {med[key]:10.0f} {med[key] / med['base']:11.3f} {g}"
              + (f"  ({med[key] / goal:.0%} of the goal)" if goal else ""))
    share = 1 - med["single"] / med["nodeciding"]
    print(f"{'  what-if: no deciding question':44} {med['nodeciding']:10.0f} "
          f"{med['nodeciding'] / med['base']:11.3f}  (the {undetermined} undetermined of "
          f"{len(cases)} look for it: {share:.0%} of the single path's time)")
    print(f"{'assess_many, rules case by case (no numpy)':44} {med['rowwise']:10.0f} "
          f"{med['rowwise'] / med['base']:11.3f}")
    slow = stale(ALL_RULES)
    print(f"batch over columns: {med['batch'] / med['rowwise']:.1f}× the case-by-case batch; "
          f"{len(slow)} rule function(s) without a current column form run case by case"
          + (f" ({', '.join(k.rsplit('.', 1)[-1] for k in slow)})" if slow else ""))
    # Per case, time with questions = time without + the search's own time; so the search
    # alone costs (with / without − 1) single assessments.
    print(f"the next-question search on its own costs "
          f"{med['single'] / med['questions'] - 1:.2f}× a single assessment without it "
          f"(with questions: {med['single'] / med['questions']:.2f}× the time)")
    print_startup(args.startup_runs)


def print_startup(runs: int) -> None:
    s = startup(runs)
    print(f"\nstart-up, median of {runs} new processes: CPU s (wall s)"
          + ("; PYTHONDONTWRITEBYTECODE is set here" if os.environ.get(
              "PYTHONDONTWRITEBYTECODE") else ""))
    for name, (cpu, wall) in sorted(s.items(), key=lambda kv: kv[0].endswith(BYTECODE)):
        base_cpu = s["python -c pass" + (BYTECODE if name.endswith(BYTECODE) else "")][0]
        extra = ""
        if not name.startswith("python -c pass"):
            extra = f"  +{cpu - base_cpu:.3f} s CPU over python -c pass"
        if name.startswith("import + knowledge load"):
            extra += (f"; goal ≤ {GOALS['startup']} s: "
                      f"{'met' if cpu <= GOALS['startup'] else 'missed'}")
        print(f"{name:56} {cpu:7.3f} ({wall:.3f}){extra}")


if __name__ == "__main__":
    main()
