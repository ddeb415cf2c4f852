"""PDF conversion at scale: our one LibreOffice run for many letters, next to one ``soffice`` per letter.

Goal (the benchmarks issue, 2-core machine): 100 documents converted at least 5x
faster than with one ``soffice --convert-to`` per document, measured in the same run.

- ours: :func:`generators.conversion.convert_to_pdf` of all the documents with the
  office's font map, as ``xinfang issue --pdf`` calls it: one ``soffice`` call with a
  fresh private profile, then the metadata cleared from each PDF.
- peer: ``soffice --headless --norestore --convert-to pdf --outdir DIR FILE`` once per
  document, one after the other, with a profile folder of its own
  (``-env:UserInstallation``) that each run's first conversion creates and the others
  reuse, as a user converting the letters one by one would.  It converts exactly the
  copies LibreOffice gets in ours (faces mapped, character grid dropped), already on
  disk, so both lay out the same pages; the page counts must agree.

The documents are the 催办函 drafts of ``bench_generation``'s seeded archive, one per
case, rendered by ``draft_reminders``.  ``--peer-sample K`` times the peer on the first
K documents only and scales its times by N/K; the output and the JSON say so
(``peer_soffice_per_document.extrapolated``).

Usage: python -m benchmarks.bench_pdf [--documents N] [--runs R] [--peer-sample K] [--out DIR]
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from archive import Archive, login
from generators.conversion import convert_to_pdf, drop_character_grid, find_soffice, substitute_faces
from generators.issuing import draft_reminders
from generators.rendering import Office

from ._harness import PASSPHRASE, Timing, write_result
from .bench_generation import AS_OF, SECRETARY, build_archive

__all__ = ["letters", "one_soffice_per_document", "run"]

GOAL_DOCUMENTS = 100
SPEEDUP_GOAL = 5.0


def letters(folder: Path, count: int) -> tuple[list[bytes], dict[str, str]]:
    """``count`` 催办函 drafts as DOCX bytes, and the office's font map they are converted with."""
    build_archive(folder / "archive", count)
    with Archive.open(folder / "archive") as archive:
        done = draft_reminders(archive, login(archive, SECRETARY, PASSPHRASE), AS_OF, folder / "催办")
        assert len(done.drafted) == count and not done.failed, (len(done.drafted), done.failed[:3])
        return [result.path.read_bytes() for result in done.drafted], Office(archive).faces


def one_soffice_per_document(soffice: str, sources: list[Path], folder: Path) -> list[bytes]:
    """The peer: each DOCX converted by its own ``soffice`` run, sharing one profile made by the first run."""
    shutil.rmtree(folder, ignore_errors=True)
    profile = (folder / "profile").as_uri()
    pdfs = []
    for source in sources:
        subprocess.run(
            [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf",
             "--outdir", str(folder / "pdf"), str(source)],
            capture_output=True, check=True, timeout=120,
        )
        pdfs.append((folder / "pdf" / f"{source.stem}.pdf").read_bytes())
    return pdfs


def pages(pdf: bytes) -> int:
    """Pages of a PDF: the two conversions must lay every letter out alike."""
    return len(PdfReader(io.BytesIO(pdf)).pages)


def run(documents: int, runs: int, out: Path | None, *, peer_sample: int | None = None) -> dict[str, Any]:
    """Render ``documents`` letters, then per run: ``convert_to_pdf`` of all, and the peer on all (or a sample)."""
    soffice = find_soffice()
    sample = documents if peer_sample is None else max(1, min(peer_sample, documents))
    with tempfile.TemporaryDirectory(prefix="xinfang-bench-") as scratch_name:
        scratch = Path(scratch_name)
        docx, faces = letters(scratch, documents)
        (scratch / "peer-in").mkdir()
        sources = [scratch / "peer-in" / f"{n:05d}.docx" for n in range(sample)]
        for source, data in zip(sources, docx, strict=False):  # the copies convert_to_pdf hands LibreOffice
            source.write_bytes(drop_character_grid(substitute_faces(data, faces)))
        ours_s, peer_s = [], []
        for _ in range(runs):
            start = time.perf_counter()
            converted = convert_to_pdf(docx, faces)
            ours_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            theirs = one_soffice_per_document(soffice, sources, scratch / "peer")
            peer_s.append(time.perf_counter() - start)
            assert [pages(pdf) for pdf in converted[:sample]] == [pages(pdf) for pdf in theirs]
        total_pages = sum(pages(pdf) for pdf in converted)
    version = subprocess.run([soffice, "--version"], capture_output=True, text=True, check=False).stdout.strip()
    result = _result(documents, total_pages, version, sample, Timing(ours_s), Timing(peer_s))
    path = write_result("pdf", result, out)
    _print_table(result, path)
    return result


def _result(documents: int, total_pages: int, version: str, sample: int, ours: Timing, measured: Timing
            ) -> dict[str, Any]:
    extrapolated = sample < documents
    peer = Timing([seconds * documents / sample for seconds in measured.seconds])
    speedup = peer.median / ours.median
    return {
        "area": "pdf",
        "documents": documents,
        "pages": total_pages,
        "letters": "催办函 drafts (templates/letter.docx), one per case",
        "soffice": version,
        "convert_to_pdf": ours.to_json() | {"documents_per_s": documents / ours.median},
        "peer_soffice_per_document": peer.to_json() | {
            "documents_per_s": documents / peer.median,
            "sampled": sample,
            "extrapolated": extrapolated,
            "measured": measured.to_json() if extrapolated else None,
        },
        "speedup": speedup,
        "goal": f"convert_to_pdf of {GOAL_DOCUMENTS} documents >= {SPEEDUP_GOAL:g}x faster than one soffice each",
        "goals": {"pdf_5x_soffice_per_document": speedup >= SPEEDUP_GOAL},
    }


def _print_table(result: dict[str, Any], path: Path) -> None:
    ours, peer = result["convert_to_pdf"], result["peer_soffice_per_document"]

    def row(measure: str, timing: dict[str, Any]) -> None:
        spread = timing["max_s"] - timing["min_s"]
        print(f"{measure:<46}{timing['median_s']:>10.2f}{spread:>10.2f}{timing['documents_per_s']:>10.2f}")

    print(f"{'measure':<46}{'median s':>10}{'spread s':>10}{'docs/s':>10}")
    row("convert_to_pdf, one soffice call", ours)
    row("peer: one soffice per document", peer)
    if peer["extrapolated"]:
        measured = peer["measured"]
        print(f"peer EXTRAPOLATED: timed on {peer['sampled']} of {result['documents']} documents "
              f"(median {measured['median_s']:.2f} s, spread {measured['max_s'] - measured['min_s']:.2f} s), "
              f"scaled by {result['documents']}/{peer['sampled']}")
    print(f"{result['documents']} documents, {result['pages']} pages; {result['soffice']}; "
          f"ours {result['speedup']:.1f}x faster (goal >= {SPEEDUP_GOAL:g}x)")
    print(f"goals: {result['goals']}; results in {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=GOAL_DOCUMENTS)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--peer-sample", type=int, help="time the peer on this many documents and scale linearly")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    run(args.documents, args.runs, args.out, peer_sample=args.peer_sample)


if __name__ == "__main__":
    main()
