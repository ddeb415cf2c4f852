"""The filed items of a case, as the archival lists print them."""

from __future__ import annotations

from dataclasses import dataclass

from archive import RecordInfo, list_records
from archive.dispatch import dispatches_of_case
from archive.errors import Refused

from ..report import ReportInput

__all__ = ["Item", "filed_items"]


@dataclass(frozen=True)
class Item:
    """One 件 of the box: its record and the 发文字号 it was issued under, if any."""

    record: RecordInfo
    number: str


def filed_items(given: ReportInput) -> list[Item]:
    """The case's records with 档号, in 档号 order; refused when the case is not filed yet."""
    case = given.case
    assert case is not None
    records = [r for r in list_records(given.archive, given.session, case.case_id) if r.archival_code]
    if not records:
        raise Refused(f"信访件 {case.case_id} 尚未归档（没有档号），请先 xinfang archive file")
    numbers = {record_id: d.document_number for d in dispatches_of_case(given.archive, given.session, case)
               for record_id in d.records}
    return [Item(r, numbers.get(r.record_id, "")) for r in sorted(records, key=lambda r: r.archival_code or "")]
