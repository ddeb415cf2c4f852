"""催办函 at scale: drafting one for every case due a reminder, then issuing them, next to raw docxtpl.

Goal (the benchmarks issue, 2-core machine): 1,000 催办函 drafts at no less than
0.8x the rate of raw docxtpl rendering the same template, measured in the same run.

- ours, drafting: :func:`generators.issuing.draft_reminders`, what ``xinfang generate
  reminders --as-of`` calls: the cases due on :data:`AS_OF` found, and for each its
  facts gathered, the fields resolved, the letter rendered, the leak gate passed, the
  draft sealed into the archive and its file written.
- ours, issuing (reported, no goal): :func:`generators.issuing.issue_drafts` of every
  draft file in one call, as ``xinfang issue 催办/NG-*.docx --signer 吴领导`` does,
  signed off in the leader's own session, without PDF (``bench_pdf`` measures
  conversion).  Issuing renders each letter three times (the leak gate's check, the
  original, the 定稿) and once more for its 份号 when the case is 秘密 or 机密; the
  CLI's indexing of the filed records afterwards is not included.
- peer: raw docxtpl — ``DocxTemplate(templates/letter.docx)``, ``render(context,
  autoescape=True)``, ``save`` to a file — once per draft, with exactly the contexts
  the drafts were rendered from (the first one is checked byte for byte).

The cases come from ``petition_corpus`` of ``bench_search`` (seeded), one per case,
received in March to September 2026 and 交办 (纪群字) with an acknowledgement 3 to 20
days later, so every one is due on :data:`AS_OF`.  Each run starts from a fresh copy
of the same archive.

Usage: python -m benchmarks.bench_generation [--drafts N] [--runs R] [--out DIR]
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate

from archive import Archive, KdfParams, Level, Role, Session, login
from archive.cases import register_case
from archive.handling import assign_case, instruct_case, propose_route
from generators.issuing import DraftResult, SignOff, document_series, draft_reminders, issue_drafts
from generators.kinds import find_kind
from generators.layout import STATE_SECRET_LEVELS, classification_mark, format_document_number
from generators.rendering import Office, Stamp, template_context
from generators.templates import TEMPLATE_FILES

from ._harness import PASSPHRASE, Timing, office_archive, profiled, write_result
from .bench_search import petition_corpus

__all__ = ["AS_OF", "REMINDER", "SECRETARY", "build_archive", "run"]

AS_OF = date(2026, 11, 28)
SECRETARY, LEADER = "王文秘", "吴领导"
REMINDER = find_kind("reminder")
UNITS = ("阿勒腾席热镇纪委", "札萨克镇纪委", "纳林陶亥镇纪委", "红庆河镇纪委", "伊金霍洛镇纪委", "苏布尔嘎镇纪委",
         "乌兰木伦镇纪委", "旗财政局纪检监察组", "旗民政局纪检监察组", "旗农牧局纪检监察组")
"""The 承办单位 cases are 交办 to."""


# -- the archive ------------------------------------------------------------------------


def build_archive(folder: Path, cases: int, *, seed: int = 20261128) -> dict[str, Level]:
    """An archive of ``cases`` cases, each 交办 under 纪群字 and due a 催办 on :data:`AS_OF`; case id -> level.

    The secretary registers, proposes and assigns; the leader instructs.  Both
    have clearance 机密 and the test-only KDF, so logging in costs nothing.
    """
    rng = random.Random(seed)
    weak = KdfParams.insecure_for_tests()
    with office_archive(folder, {SECRETARY: (Role.SECRETARY, weak), LEADER: (Role.LEADER, weak)}) as archive:
        secretary, leader = login(archive, SECRETARY, PASSPHRASE), login(archive, LEADER, PASSPHRASE)
        levels = {}
        for case in petition_corpus(cases, seed=seed, per_case=1):
            received = date(2026, 3, 2) + timedelta(days=rng.randrange(213))
            registration = replace(case.registration, received=received)
            case_id = register_case(archive, secretary, registration, today=AS_OF).case_id
            unit, acknowledged = rng.choice(UNITS), received + timedelta(days=rng.randrange(3, 21))
            propose_route(archive, secretary, case_id, route="交办", unit=unit, opinion="建议交办并按期报结",
                          on=received + timedelta(days=1))
            instruct_case(archive, leader, case_id, text="同意", on=received + timedelta(days=2))
            assign_case(archive, secretary, case_id, unit=unit, series="纪群字", acknowledged=acknowledged,
                        on=received + timedelta(days=3))
            levels[case_id] = registration.classification
    return levels


@dataclass
class Desk:
    """A fresh copy of the built archive, open, with the secretary and the leader logged in."""

    archive: Archive
    secretary: Session
    leader: Session
    out: Path


def open_desk(built: Path, scratch: Path) -> Desk:
    """Copy the built archive to ``scratch`` (replacing any earlier copy) and log both users in."""
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(built, scratch / "archive")
    archive = Archive.open(scratch / "archive")
    return Desk(archive, login(archive, SECRETARY, PASSPHRASE), login(archive, LEADER, PASSPHRASE), scratch / "out")


# -- ours and the peer ------------------------------------------------------------------


def draft_all(desk: Desk) -> list[DraftResult]:
    """``generate reminders``: a 催办函 draft for every case due on :data:`AS_OF`, none failing."""
    done = draft_reminders(desk.archive, desk.secretary, AS_OF, desk.out / "催办")
    assert not done.failed and not done.waiting, (done.failed[:3], done.waiting[:3])
    assert not any(result.warnings for result in done.drafted), [r.warnings for r in done.drafted if r.warnings][:3]
    return done.drafted


def issue_all(desk: Desk, drafts: list[DraftResult]) -> None:
    """``issue 催办/NG-*.docx``: every draft file signed off in the leader's own session, numbered and filed."""
    issued = issue_drafts(desk.archive, desk.secretary, [str(result.path) for result in drafts],
                          SignOff(LEADER, date.today(), desk.leader), desk.out / "发文")
    assert len(issued) == len(drafts) and not any(result.warnings for result in issued)


def renders_to_issue(levels: dict[str, Level]) -> int:
    """Renders issuing makes with one copy: check, original and 定稿 of each letter, and a 份号 copy of a state secret."""
    return sum(4 if level.label in STATE_SECRET_LEVELS else 3 for level in levels.values())


def draft_contexts(archive: Archive, drafts: list[DraftResult], levels: dict[str, Level]) -> list[dict[str, Any]]:
    """The context each draft was rendered from, rebuilt from its saved values with the public rendering API."""
    office = Office(archive)
    series = document_series(REMINDER, office.settings)
    number = format_document_number(archive.config.org_code, series, AS_OF.year, None)
    contexts = []
    for result in drafts:
        values = result.draft.content["values"]
        mark = classification_mark(levels[result.draft.case_id].label, values.get("secrecy_years"))
        stamp = Stamp(number, f"{AS_OF.year}年  月  日", "草稿", "", mark, values.get("urgency", ""))
        contexts.append(template_context(REMINDER.template, REMINDER.compose(values), office.letterhead, stamp,
                                         values.get("cc", [])))
    return contexts


def raw_docxtpl(template: Path, contexts: list[dict[str, Any]], out: Path) -> None:
    """The peer: docxtpl as its documentation shows it, one fresh template per document, each saved to a file."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for n, context in enumerate(contexts):
        document = DocxTemplate(template)
        document.render(context, autoescape=True)
        document.save(out / f"{n:05d}.docx")


def check_same_document(ours: Path, raw: Path) -> None:
    """The draft and the peer's file hold the same parts with the same bytes: the peer rendered the same letter."""
    with zipfile.ZipFile(ours) as mine, zipfile.ZipFile(raw) as theirs:
        assert mine.namelist() == theirs.namelist(), (mine.namelist(), theirs.namelist())
        different = [name for name in mine.namelist() if mine.read(name) != theirs.read(name)]
    assert not different, f"the peer's letter differs from the draft in {different}"


# -- the profile ------------------------------------------------------------------------

PHASES = {
    "cases_due": ("supervision.py", "cases_due"),
    "open_case": ("cases.py", "open_case"),
    "gather_facts": ("facts.py", "gather_facts"),
    "rendering, render_kind": ("issuing.py", "render_kind"),
    "leak gate, check_document": ("outgoing.py", "check_document"),
    "leak gate: text of the DOCX, outgoing_texts": ("outgoing.py", "outgoing_texts"),
    "leak gate: detection, check_outgoing": ("redaction.py", "check_outgoing"),
    "save_draft": ("dispatch.py", "save_draft"),
}
"""Where drafting's time goes: (file, function) whose cumulative time cProfile reports."""


def profile_drafting(desk: Desk) -> dict[str, Any]:
    """cProfile of one batch of ``draft_reminders``: its phases, and the top ten functions by own time."""
    drafts, profile = profiled(lambda: draft_all(desk), PHASES, 10)
    return {"drafts": len(drafts), **profile}


# -- the run ----------------------------------------------------------------------------


def run(drafts: int, runs: int, out: Path | None) -> dict[str, Any]:
    """Build an archive of ``drafts`` due cases, then per run: draft them all, the peer, issue them all."""
    with tempfile.TemporaryDirectory(prefix="xinfang-bench-") as scratch_name:
        scratch = Path(scratch_name)
        start = time.perf_counter()
        levels = build_archive(scratch / "built", drafts)
        build_s = time.perf_counter() - start
        drafting, raw, issuing = [], [], []
        for _ in range(runs):
            desk = open_desk(scratch / "built", scratch / "run")
            with desk.archive:
                start = time.perf_counter()
                made = draft_all(desk)
                drafting.append(time.perf_counter() - start)
                assert len(made) == drafts, f"{len(made)} cases due, {drafts} expected"
                contexts = draft_contexts(desk.archive, made, levels)
                template = Office(desk.archive).templates / TEMPLATE_FILES[REMINDER.template]
                start = time.perf_counter()
                raw_docxtpl(template, contexts, scratch / "raw")
                raw.append(time.perf_counter() - start)
                check_same_document(made[0].path, scratch / "raw" / "00000.docx")
                start = time.perf_counter()
                issue_all(desk, made)
                issuing.append(time.perf_counter() - start)
        ours, peer = Timing(drafting), Timing(raw)
        met = ours.median <= peer.median / 0.8  # drafts/s at least 0.8x raw's
        profile = None
        if not met:
            desk = open_desk(scratch / "built", scratch / "run")
            with desk.archive:
                profile = profile_drafting(desk)
    result = _result(drafts, levels, build_s, ours, peer, Timing(issuing), profile)
    path = write_result("generation", result, out)
    _print_table(result, path)
    return result


def _result(drafts: int, levels: dict[str, Level], build_s: float, ours: Timing, peer: Timing, issuing: Timing,
            profile: dict[str, Any] | None) -> dict[str, Any]:
    renders = renders_to_issue(levels)
    return {
        "area": "generation",
        "drafts": drafts,
        "classified": sum(level.label in STATE_SECRET_LEVELS for level in levels.values()),
        "as_of": AS_OF.isoformat(),
        "template": TEMPLATE_FILES[REMINDER.template],
        "setup_s": build_s,
        "draft_reminders": ours.to_json() | {"drafts_per_s": drafts / ours.median},
        "peer_raw_docxtpl": peer.to_json() | {"documents_per_s": drafts / peer.median},
        "ratio_to_peer": peer.median / ours.median,  # drafts/s over the peer's documents/s
        "issue_drafts": issuing.to_json() | {
            "pdf": False, "documents_per_s": drafts / issuing.median, "renders": renders,
            "renders_per_s": renders / issuing.median,
        },
        "issue_ratio_to_peer": peer.median / issuing.median,
        "goal": "drafts/s >= 0.8x raw docxtpl on the same template and contexts",
        "goals": {"drafts_0_8x_raw_docxtpl": ours.median <= peer.median / 0.8},
        "profile": profile,
    }


def _print_table(result: dict[str, Any], path: Path) -> None:
    drafting, peer, issuing = result["draft_reminders"], result["peer_raw_docxtpl"], result["issue_drafts"]

    def row(measure: str, timing: dict[str, Any], per_s: float) -> None:
        spread = timing["max_s"] - timing["min_s"]
        print(f"{measure:<40}{timing['median_s']:>10.3f}{spread:>10.3f}{per_s:>10.1f}")

    print(f"{'measure':<40}{'median s':>10}{'spread s':>10}{'per s':>10}")
    row("draft_reminders", drafting, drafting["drafts_per_s"])
    row("peer: raw docxtpl, same template", peer, peer["documents_per_s"])
    row("issue_drafts (no PDF)", issuing, issuing["documents_per_s"])
    print(f"{result['drafts']} 催办函 ({result['classified']} classified); setup {result['setup_s']:.1f} s; "
          f"drafts {result['ratio_to_peer']:.2f}x raw (goal >= 0.8x); issuing {result['issue_ratio_to_peer']:.2f}x raw, "
          f"{issuing['renders']} renders, {issuing['renders_per_s']:.1f} renders/s")
    profile = result["profile"]
    if profile is not None:
        phases = ", ".join(f"{name} {seconds:.2f}" for name, seconds in profile["phases_s"].items())
        print(f"profile of one batch, {profile['total_s']:.2f} s under cProfile; phases (s): {phases}")
        print("top by own time:")
        for hot in profile["top_by_own_time"]:
            print(f"  {hot['own_s'] * 1000:9.1f} ms {hot['calls']:>8} calls  {hot['function']}")
    print(f"goals: {result['goals']}; results in {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drafts", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    run(args.drafts, args.runs, args.out)


if __name__ == "__main__":
    main()
