"""Redaction (脱敏) and the leak gate: what leaves the office carries no reporter's identity.

:class:`Redactor` replaces what :mod:`archive.detection` finds, in one of three
styles, and keeps a report of categories, counts and places — never values:

* ``label`` — 【身份证号】, 【手机号】, 【举报人】;
* ``mask`` — one ■ per character;
* ``surname`` — 张某; two different people sharing a surname become 张某甲 and
  张某乙; a given name met without its surname becomes 某甲, 某乙.

:func:`check_outgoing` is the gate every outgoing document passes: it looks at
every piece of text a document carries (all XML parts of a DOCX, the text and
metadata of a PDF) for the case's identity values and validated ID and phone
patterns, and refuses it naming category and place.  The audience matters: a
notice to the petitioner may carry the petitioner's own name and address, and
nobody else's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .cases import CaseFile
from .detection import Finding, IdentityDetector, KnownIdentity, split_name
from .errors import InvalidInput, Refused

__all__ = [
    "STYLES",
    "LeakBlocked",
    "RedactionReport",
    "Redactor",
    "check_outgoing",
    "detector_for_case",
    "identities_of_case",
]

STYLES = ("label", "mask", "surname")
_ORDINALS = "甲乙丙丁戊己庚辛壬癸"
_GATE_CATEGORIES = frozenset({"身份证号", "手机号", "固定电话"})  # patterns the gate refuses without the case


class LeakBlocked(Refused):
    """Raised when an outgoing document still carries an identity."""


def _petitioner_role(case: CaseFile) -> str:
    """How a label names a petitioner: 举报人 for reports and complaints, else 信访人."""
    return "举报人" if case.row["category"] in ("检举", "控告") else "信访人"


def identities_of_case(case: CaseFile) -> list[KnownIdentity]:
    """The identities a case holds of the people who must stay unknown: petitioners and witnesses."""
    role = _petitioner_role(case)
    identities = []
    people = [(f"{role}{n}", role, person) for n, person in enumerate(case.parties["petitioners"], 1)]
    people += [(f"证人{n}", "证人", person) for n, person in enumerate(case.parties.get("witnesses", []), 1)]
    for key, label, person in people:
        for category, field_name in (("姓名", "name"), ("身份证号", "id_number"), ("手机号", "phone"),
                                     ("住址", "address"), ("工作单位", "work_unit")):
            value = person.get(field_name)
            if value:
                if category == "手机号" and str(value).startswith("0"):
                    category = "固定电话"
                identities.append(KnownIdentity(category, str(value), key, label))
    return identities


def detector_for_case(case: CaseFile, office_contacts: Iterable[str] = (), *, addressee: int | None = None
                      ) -> IdentityDetector:
    """A detector for documents about ``case``.

    ``addressee`` is the index of the petitioner a notice is addressed to: that
    person's own name and address may appear, nothing else of anyone.
    """
    identities = identities_of_case(case)
    if addressee is not None:
        if not 0 <= addressee < len(case.parties["petitioners"]):
            raise InvalidInput(f"信访件 {case.case_id} 没有第 {addressee + 1} 名信访人")
        own = f"{_petitioner_role(case)}{addressee + 1}"
        identities = [i for i in identities if not (i.person == own and i.category in ("姓名", "住址"))]
    reported = [person["name"] for person in case.parties["reported"]]
    return IdentityDetector(identities, office_contacts, reported)


@dataclass
class RedactionReport:
    """Categories, counts and places of what was redacted — never the values."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, category: str, place: str) -> None:
        entry = self.entries.setdefault(category, {"count": 0, "places": []})
        entry["count"] += 1
        if place not in entry["places"]:
            entry["places"].append(place)

    @property
    def total(self) -> int:
        """How many replacements were made."""
        return sum(entry["count"] for entry in self.entries.values())

    def to_json(self) -> dict[str, Any]:
        """The report as written by ``redact --report``."""
        return {"total": self.total, "categories": [{"category": c, **e} for c, e in self.entries.items()]}


class Redactor:
    """Replaces identities in text, one style, and reports what it did."""

    def __init__(self, detector: IdentityDetector, style: str = "label") -> None:
        if style not in STYLES:
            raise InvalidInput(f"未知的脱敏方式“{style}”，可选：{'、'.join(STYLES)}")
        self.detector = detector
        self.style = style
        self.report = RedactionReport()
        self._given: dict[str, str] = {}  # person key → 某甲, for a given name met alone
        self._pseudonyms: dict[str, str] = {}  # person key → 张某, or 张某甲 when a surname is shared
        by_surname: dict[str, list[str]] = {}
        for identity in detector.identities:
            if identity.category == "姓名":
                people = by_surname.setdefault(split_name(identity.value)[0], [])
                if identity.person not in people:
                    people.append(identity.person)
        for surname, people in by_surname.items():
            for index, person in enumerate(people):
                self._pseudonyms[person] = f"{surname}某" + (_ORDINALS[index % 10] if len(people) > 1 else "")

    def redact(self, text: str, place: str) -> str:
        """``text`` with every identity replaced; ``place`` goes into the report."""
        findings = self.detector.find(text)
        if not findings:
            return text
        pieces, last = [], 0
        for finding in findings:
            pieces.append(text[last : finding.start])
            pieces.append(self._replacement(finding, text[finding.start : finding.end]))
            self.report.add(finding.category, place)
            last = finding.end
        pieces.append(text[last:])
        return "".join(pieces)

    def _replacement(self, finding: Finding, original: str) -> str:
        if self.style == "mask":
            return "■" * len(original)
        if self.style == "surname" and finding.category == "姓名":
            return self._pseudonym(finding)
        if finding.category == "姓名" and finding.role:
            return f"【{finding.role}】"
        return f"【{finding.category}】"

    def _pseudonym(self, finding: Finding) -> str:
        person = finding.person or "?"
        if finding.given_only:
            if person not in self._given:
                self._given[person] = f"某{_ORDINALS[len(self._given) % 10]}"
            return self._given[person]
        return self._pseudonyms.get(person, f"{finding.surname or ''}某")


def check_outgoing(texts: Sequence[tuple[str, str]], detector: IdentityDetector) -> None:
    """The leak gate: raise :class:`LeakBlocked` if any piece of an outgoing document carries an identity."""
    hits: dict[tuple[str, str], int] = {}
    blocking: dict[str, list[str]] = {}  # a DOCX repeats the same few hundred strings thousands of times
    for place, text in texts:
        if text not in blocking:
            blocking[text] = [finding.category for finding in detector.find(text) if finding.source == "case"
                              or (finding.category in _GATE_CATEGORIES and finding.confident)]
        for category in blocking[text]:
            key = (category, place)
            hits[key] = hits.get(key, 0) + 1
    if hits:
        listed = "；".join(f"{category}（{place}，{n} 处）" for (category, place), n in list(hits.items())[:10])
        more = f"；另有 {len(hits) - 10} 处" if len(hits) > 10 else ""
        raise LeakBlocked(f"文件仍含有身份信息，禁止发出：{listed}{more}。请先脱敏（xinfang redact）")
