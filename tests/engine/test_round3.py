"""etiology.round3 is round(x, 3): the same float for every value (its fast path is exact
by IEEE division; near-ties fall back to round)."""

from __future__ import annotations

import math
import random
import struct

from dystonia_cds.engine.etiology import round3


def _same(a: float, b: float) -> bool:
    return struct.pack("<d", a) == struct.pack("<d", b)


def test_round3_is_round_to_three_digits() -> None:
    rnd = random.Random(13)
    values = [rnd.random() for _ in range(200_000)]
    values += [rnd.random() * 10 ** rnd.randint(-8, 8) for _ in range(100_000)]
    values += [rnd.uniform(-1, 1) for _ in range(20_000)]
    values += [(k + 0.5) / 1000 for k in range(0, 20_000)]  # ties, as near as floats get
    values += [math.nextafter((k + 0.5) / 1000, d) for k in range(0, 5_000) for d in (0, 2)]
    values += [k / 1000 for k in range(0, 20_000)]
    values += [0.0, -0.0, 1e-300, -1e-300, 5e-4, 4.9999999e-4, 1e9, 1e12, 1e300,
               math.inf, -math.inf]
    bad = [v for v in values if not _same(round3(v), round(v, 3))]
    assert bad == []
    assert math.isnan(round3(math.nan))


def test_round1_is_round_to_one_digit() -> None:
    from dystonia_cds.engine._hypotheses import round1

    rnd = random.Random(11)
    values = [rnd.random() * 100 for _ in range(200_000)]
    values += [rnd.random() * 10 ** rnd.randint(-8, 8) for _ in range(100_000)]
    values += [rnd.uniform(-100, 100) for _ in range(20_000)]
    values += [(k + 0.5) / 10 for k in range(0, 20_000)]
    values += [math.nextafter((k + 0.5) / 10, d) for k in range(0, 5_000) for d in (0, 200)]
    values += [k / 10 for k in range(0, 20_000)] + [k / 365.25 for k in range(0, 40_000)]
    values += [0.0, -0.0, 1e-300, 0.05, 0.04999999, 1e8, 1e9, 1e300, math.inf, -math.inf]
    bad = [v for v in values if not _same(round1(v), round(v, 1))]
    assert bad == []
    assert math.isnan(round1(math.nan))


def test_percent_is_the_percent_format() -> None:
    from dystonia_cds.engine.etiology import percent

    rnd = random.Random(7)
    values = [rnd.random() for _ in range(200_000)]
    values += [(k + 0.5) / 100 for k in range(0, 1_000)]
    values += [math.nextafter((k + 0.5) / 100, d) for k in range(0, 1_000) for d in (0, 2)]
    values += [k / 100 for k in range(0, 1_000)] + [0.0, -0.0, 0.004, 0.005, 0.995, 1.0]
    assert [v for v in values if percent(v) != f"{v:.0%}"] == []
