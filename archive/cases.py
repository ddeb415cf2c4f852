"""The case register: registering a petition, and reading cases back as permitted.

A case (信访件) has a public face — channel, category, importance, dates, state,
the handling unit — kept in the clear so that deadlines and reminders work
without keys, and a private one: the petitioners, the people reported on and
the summary, sealed under the case's own random key, which is wrapped by the
key of the case's level exactly like a record key.  Whoever cannot open that
key — or may not see the case by :mod:`archive.need_to_know` (role, 回避) —
cannot see the case at all, and is told the same as for a case that does not
exist.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from . import crypto
from .accounts import Session, find_account
from .audit import now_utc
from .case_tags import SUMMARY, account_tags, bigrams, repeat_tags, store_tags, tag_matches, tagged_cases, tags_digest
from .days import days_left
from .deadlines import DeadlineRules, load_rules
from .errors import InvalidInput, NotFound, PermissionDenied
from .folder import Archive
from .identity_numbers import id_number_checks_out
from .keyring import LevelKey, level_key_for
from .levels import Level
from .need_to_know import CASE_READERS, case_reader, is_recused
from .numbering import allocate_number
from .roles import Role, require_role
from .text import check_text
from .vocabulary import CATEGORIES, CHANNELS, DISCIPLINES, IMPORTANCE, choose

__all__ = [
    "CASE_READERS",
    "CaseFile",
    "CaseRegistration",
    "Petitioner",
    "Registered",
    "ReportedPerson",
    "case_digests",
    "case_opener",
    "case_visibility",
    "deadline_rules",
    "erase_case_parties",
    "list_cases",
    "open_case",
    "open_stored_case",
    "register_case",
    "open_case_text",
    "rewrap_case_key",
    "read_case",
    "seal_case_text",
    "visible_case_ids",
]

REGISTRARS = frozenset({Role.SECRETARY, Role.LEADER})
MAX_SUMMARY = 20_000
MAJOR_INCIDENT_PEOPLE = 15
MAJOR_INCIDENT_PEOPLE_TO_BEIJING = 10


@dataclass(frozen=True)
class Petitioner:
    """A petitioner or reporter, as the register holds them (sealed)."""

    name: str
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    work_unit: str | None = None


@dataclass(frozen=True)
class ReportedPerson:
    """A person reported on (被反映人)."""

    name: str
    unit: str | None = None
    post: str | None = None
    rank: str | None = None
    party_member: bool = False


@dataclass(frozen=True)
class CaseRegistration:
    """Everything a registrar types for a new case; checked by :func:`register_case`."""

    channel: str
    received: date
    category: str
    importance: str
    classification: Level
    summary: str
    real_name: bool
    petitioners: Sequence[Petitioner] = ()
    reported: Sequence[ReportedPerson] = ()
    witnesses: Sequence[Petitioner] = ()
    disciplines: Sequence[str] = ()
    people: int | None = None
    representatives: int | None = None
    beijing_intent: bool = False
    first_receiver: str | None = None
    above_number: str | None = None
    above_deadline: date | None = None
    repeat_of: str | None = None


@dataclass(frozen=True)
class Registered:
    """The outcome of a registration: the new id, warnings to show, and likely repeats."""

    case_id: str
    deadline: date
    warnings: list[str] = field(default_factory=list)
    major_incident: bool = False
    likely_repeats: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class CaseFile:
    """A case opened for a permitted user: the row, the sealed parties and the case key."""

    case_id: str
    row: dict[str, Any]
    parties: dict[str, Any]
    key: bytes
    events: list[dict[str, Any]]

    @property
    def state(self) -> str:
        """The current state of the handling cycle."""
        return str(self.row["state"])

    @property
    def level(self) -> Level:
        """The case's classification."""
        return Level(self.row["level"])

    def to_json(self, today: date, *, with_parties: bool = True) -> dict[str, Any]:
        """The case shape of the command-line contract."""
        deadline = date.fromisoformat(self.row["deadline"])
        shape: dict[str, Any] = {
            "case_id": self.case_id,
            "channel": self.row["channel"],
            "category": self.row["category"],
            "importance": self.row["importance"],
            "received": self.row["received"],
            "deadline": self.row["deadline"],
            "days_left": days_left(deadline, today),
            "state": self.state,
            "real_name": bool(self.row["real_name"]),
            "classification": self.level.label,
        }
        if with_parties:
            shape["petitioners"] = self.parties["petitioners"]
            shape["reported"] = self.parties["reported"]
            shape["summary"] = self.parties["summary"]
        return shape


def _case_key_associated(case_id: str, level: Level, version: int) -> bytes:
    return f"xinfang case key|{case_id}|{level.value}|{version}".encode()


def _wrap_case_key(level_key: LevelKey, case_id: str, case_key: bytes) -> bytes:
    return crypto.seal(level_key.key, case_key, _case_key_associated(case_id, level_key.level, level_key.version))


def unwrap_case_key(level_key: LevelKey, case_id: str, wrapped: bytes) -> bytes:
    """Open a case key with the level key (of the version) it was wrapped under."""
    return crypto.open_sealed(
        level_key.key, wrapped, _case_key_associated(case_id, level_key.level, level_key.version),
        f"信访件 {case_id} 的密钥",
    )


def rewrap_case_key(conn: sqlite3.Connection, case_id: str, level_key: LevelKey) -> dict[str, dict[str, str]]:
    """Wrap a case's key under ``level_key``, a rotation's new version carrying the old; caller's transaction.

    The case key itself does not change, so its parties, step texts, drafts and
    the audit details sealed under it stay as they are.  Returns the digests
    the log is to keep of the case now.
    """
    version, wrapped = conn.execute(
        "SELECT key_version, wrapped_key FROM cases WHERE case_id = ?", (case_id,)
    ).fetchone()
    case_key = unwrap_case_key(level_key.older(version), case_id, wrapped)
    conn.execute(
        "UPDATE cases SET wrapped_key = ?, key_version = ? WHERE case_id = ?",
        (_wrap_case_key(level_key, case_id, case_key), level_key.version, case_id),
    )
    (sealed,) = conn.execute("SELECT sealed_parties FROM cases WHERE case_id = ?", (case_id,)).fetchone()
    store_tags(conn, case_id, level_key, open_case_text(case_key, case_id, "parties", sealed))
    return {case_id: case_digests(conn, case_id)}


def seal_case_text(key: bytes, case_id: str, what: str, value: Any) -> bytes:
    """Seal JSON-able ``value`` under the case key, bound to the case and to ``what`` it is."""
    plain = json.dumps(value, ensure_ascii=False).encode()
    return crypto.seal(crypto.derive_subkey(key, "case text"), plain, f"xinfang case {what}|{case_id}".encode())


def open_case_text(key: bytes, case_id: str, what: str, sealed: bytes) -> Any:
    """Reverse :func:`seal_case_text`."""
    plain = crypto.open_sealed(
        crypto.derive_subkey(key, "case text"), sealed, f"xinfang case {what}|{case_id}".encode(), f"信访件 {case_id}"
    )
    return json.loads(plain)


def _validate(archive: Archive, session: Session, reg: CaseRegistration, today: date) -> tuple[list[str], bool]:
    """Check a registration; returns warnings and whether it is a major incident."""
    choose(reg.channel, CHANNELS, "来源渠道")
    choose(reg.category, CATEGORIES, "问题类别")
    choose(reg.importance, IMPORTANCE, "重要程度")
    for discipline in reg.disciplines:
        choose(discipline, DISCIPLINES, "违纪类别")
    check_text(reg.summary, "内容摘要", max_length=MAX_SUMMARY)
    if reg.received > today:
        raise InvalidInput(f"收信/来访日期 {reg.received.isoformat()} 晚于今天")
    if reg.real_name and not reg.petitioners:
        raise InvalidInput("署实名的信访件须至少登记一名信访人（--petitioner）")
    if not reg.real_name and reg.petitioners:
        raise InvalidInput("匿名信访件不登记信访人；如为署实名请使用 --real-name")
    warnings: list[str] = []
    for person in reg.petitioners:
        check_text(person.name, "信访人姓名", max_length=64)
        if person.id_number and not id_number_checks_out(person.id_number):
            warnings.append(f"信访人 {person.name} 的身份证号码校验位不符，请核对（已照录）")
    for person in reg.reported:
        check_text(person.name, "被反映人姓名", max_length=64)
    for person in reg.witnesses:
        check_text(person.name, "证人姓名", max_length=64)
    if reg.people is not None and reg.people < 1:
        raise InvalidInput("来访人数须为正整数")
    if reg.representatives is not None:
        if reg.representatives < 1:
            raise InvalidInput("代表人数须为正整数")
        if not 3 <= reg.representatives <= 5:
            warnings.append(f"集体访应推选 3–5 名代表，本次登记 {reg.representatives} 名")
    if (reg.people or 0) >= 5 and reg.channel == "来访" and reg.representatives is None:
        warnings.append("5 人以上的集体访应登记推选的代表人数（--representatives）")
    major = (reg.people or 0) >= MAJOR_INCIDENT_PEOPLE or (
        reg.beijing_intent and (reg.people or 0) >= MAJOR_INCIDENT_PEOPLE_TO_BEIJING
    )
    if reg.above_deadline and reg.above_number is None:
        raise InvalidInput("上级交办件须同时给出上级发文字号（--above-number）")
    if reg.first_receiver is not None and find_account(archive.conn, reg.first_receiver) is None:
        raise InvalidInput(f"首问责任人“{reg.first_receiver}”不是本档案库的用户")
    if reg.repeat_of is not None:
        open_case(archive, session, reg.repeat_of)
    return warnings, major


def register_case(
    archive: Archive, session: Session, registration: CaseRegistration, *, today: date | None = None
) -> Registered:
    """Register a new case: a fresh key, sealed parties, the deadline, and likely repeats among visible cases."""
    require_role(session.roles, REGISTRARS, "登记信访件")
    level_key = session.level_keys.get(registration.classification)
    if level_key is None:
        raise PermissionDenied(f"您的密级授权不含{registration.classification.label}，不能登记该密级的信访件")
    today = today or date.today()
    warnings, major = _validate(archive, session, registration, today)
    rules = load_rules(archive.config.sections)
    deadline = rules.handling_deadline(registration.received, registration.importance)
    warnings.extend(deadline.warnings)
    due = deadline.due
    if registration.above_deadline is not None and registration.above_deadline < due:
        due = registration.above_deadline
    parties = {
        "petitioners": [asdict(p) for p in registration.petitioners],
        "reported": [asdict(p) for p in registration.reported],
        "witnesses": [asdict(p) for p in registration.witnesses],
        "summary": registration.summary.strip(),
        "beijing_intent": registration.beijing_intent,
    }
    _tag_untagged(archive, session)
    repeats = _likely_repeats(archive, session, parties)
    if major:
        warnings.append("集体访人数达到重大信访事项标准：须立即报告（重大信访事项实时报告）")
    with archive.act(session) as act:
        case_id = f"XF-{today.year}-{allocate_number(archive.conn, 'case', today.year):04d}"
        case_key = crypto.random_key()
        wrapped = _wrap_case_key(level_key, case_id, case_key)
        archive.conn.execute(
            "INSERT INTO cases (case_id, channel, category, importance, received, level, key_version, wrapped_key, "
            "sealed_parties, real_name, disciplines, people, representatives, first_receiver, above_number, "
            "above_deadline, repeat_of, major_incident, state, deadline, deadline_nominal, registered_at, "
            "registered_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'registered', ?, ?, ?, ?)",
            (
                case_id, registration.channel.strip(), registration.category.strip(),
                registration.importance.strip(), registration.received.isoformat(), level_key.level.value,
                level_key.version, wrapped, seal_case_text(case_key, case_id, "parties", parties),
                int(registration.real_name), ",".join(registration.disciplines), registration.people,
                registration.representatives, registration.first_receiver or session.account.name,
                registration.above_number,
                registration.above_deadline.isoformat() if registration.above_deadline else None,
                registration.repeat_of, int(major), due.isoformat(), deadline.nominal.isoformat(), now_utc(),
                session.account.name,
            ),
        )
        store_tags(archive.conn, case_id, level_key, parties)
        act.log(
            "case.register",
            [case_id],
            digests={case_id: case_digests(archive.conn, case_id)},
            info={"channel": registration.channel, "classification": level_key.level.label, "major": major},
        )
    return Registered(case_id, due, warnings, major, repeats)


def _tag_untagged(archive: Archive, session: Session) -> None:
    """Tag the cases of the registrar's levels that have no tags under their key version (registered before tags)."""
    untagged = []
    for row in archive.conn.execute(
        f"SELECT {_CASE_COLUMNS} FROM cases WHERE tag_version IS NOT key_version AND length(wrapped_key) > 0"
    ).fetchall():
        values = _values(row)
        level_key = level_key_for(session.level_keys, Level(values["level"]), values["key_version"])
        if level_key is not None:
            untagged.append((values, level_key))
    if not untagged:
        return
    with archive.act(session) as act:
        digests = {}
        for values, level_key in untagged:
            case_id = values["case_id"]
            key = unwrap_case_key(level_key, case_id, values["wrapped_key"])
            store_tags(archive.conn, case_id, level_key, open_case_text(key, case_id, "parties", values["sealed_parties"]))
            digests[case_id] = case_digests(archive.conn, case_id)
        act.log("case.tag", sorted(digests), digests=digests)


def _held_keys(session: Session) -> list[LevelKey]:
    return [version for level_key in session.level_keys.values() for version in level_key.versions]


def _recused(archive: Archive, session: Session) -> set[str]:
    """The tagged cases that name this session's user or unit as reported (回避)."""
    account = session.account
    return tagged_cases(archive.conn, (tag for key in _held_keys(session)
                                       for tag in account_tags(key, account.name, account.unit)))


_REPEAT_REASONS = {"petitioner": "同一信访人", "reported": "同一被反映人", SUMMARY: "内容相似"}


def _likely_repeats(archive: Archive, session: Session, parties: dict[str, Any]) -> list[tuple[str, str]]:
    """Cases the registrar may see that share a person or much of the summary; a closed one is said so.

    Found through the blind tags (:mod:`archive.case_tags`), after every case of
    the registrar's levels was tagged: a shared name tag is a shared person; a
    shared summary band is only a candidate, whose summary is opened and compared.
    """
    kinds = {tag: kind for key in _held_keys(session) for tag, kind in repeat_tags(key, parties).items()}
    summary = bigrams(parties["summary"])
    readable, recused = _reader(archive, session), _recused(archive, session)
    matches = tag_matches(archive.conn, kinds)
    found = []
    for values in _rows(archive, sorted(matches)):
        case_id, tags = values["case_id"], matches[values["case_id"]]
        if not values["wrapped_key"] or case_id in recused or not readable(case_id):
            continue
        shared = {kinds[tag] for tag in tags}
        if SUMMARY in shared:
            opened = _decrypt_parties(session.level_keys, values)
            other = bigrams(opened[1]["summary"]) if opened is not None else set()
            if not (summary and other and len(summary & other) / len(summary | other) >= 0.5):
                shared.discard(SUMMARY)
        reasons = [_REPEAT_REASONS[kind] for kind in _REPEAT_REASONS if kind in shared]
        if reasons:
            closed = ["已办结事项的重复信访"] if values["state"] == "closed" else []
            found.append((case_id, "、".join(closed + reasons)))
    return found


_CASE_COLUMNS = (
    "case_id, channel, category, importance, received, level, key_version, wrapped_key, sealed_parties, real_name, "
    "disciplines, people, representatives, first_receiver, above_number, above_deadline, repeat_of, major_incident, "
    "state, deadline, deadline_nominal, registered_at, registered_by"
)
_CASE_COLUMN_NAMES = tuple(_CASE_COLUMNS.split(", "))


def _event_rows(conn: sqlite3.Connection, case_id: str) -> list[tuple[Any, ...]]:
    """A case's handling events in order, as stored."""
    return conn.execute(
        "SELECT event_id, kind, on_date, recorded_at, actor, data, sealed_text FROM case_events "
        "WHERE case_id = ? ORDER BY event_id",
        (case_id,),
    ).fetchall()


def case_digests(conn: sqlite3.Connection, case_id: str) -> dict[str, str]:
    """Digests of a case's row and of its whole event history, for the audit log."""
    row = conn.execute(f"SELECT {_CASE_COLUMNS} FROM cases WHERE case_id = ?", (case_id,)).fetchone()
    events = _event_rows(conn, case_id)

    def encode(values: Sequence[Any]) -> list[Any]:
        return [value.hex() if isinstance(value, bytes) else value for value in values]

    digests = {
        "meta": crypto.sha256_hex(json.dumps(encode(row), ensure_ascii=False).encode()),
        "events": crypto.sha256_hex(json.dumps([encode(e) for e in events], ensure_ascii=False).encode()),
    }
    tags = tags_digest(conn, case_id)
    if tags is not None:  # (a case registered before tags existed and not tagged since: its old digests hold)
        digests["tags"] = tags
    return digests


def _decrypt_parties(level_keys: Mapping[Level, LevelKey], values: dict[str, Any]) -> tuple[bytes, dict[str, Any]] | None:
    """The case key and parties, or None when ``level_keys`` lack the case's level (or its key version)."""
    level_key = level_key_for(level_keys, Level(values["level"]), values["key_version"])
    if not values["wrapped_key"] or level_key is None:
        return None  # (an empty wrapped key: the case was erased with its last record)
    case_id = values["case_id"]
    key = unwrap_case_key(level_key, case_id, values["wrapped_key"])
    return key, open_case_text(key, case_id, "parties", values["sealed_parties"])


def _reader(archive: Archive, session: Session) -> Callable[[str], bool]:
    return case_reader(archive.conn, session.account, session.roles, session.now)


def _open_parties(session: Session, values: dict[str, Any], readable: Callable[[str], bool]
                  ) -> tuple[bytes, dict[str, Any]] | None:
    """The case key and parties, or None when clearance or need-to-know (role, grant, 回避) hides the case."""
    if not readable(values["case_id"]):
        return None
    opened = _decrypt_parties(session.level_keys, values)
    if opened is None or is_recused(session.account, opened[1]):
        return None
    return opened


def _load(archive: Archive, session: Session, values: dict[str, Any],
          readable: Callable[[str], bool] | None = None) -> CaseFile | None:
    opened = _open_parties(session, values, readable or _reader(archive, session))
    return _case_file(archive, values, opened) if opened is not None else None


def _case_file(archive: Archive, values: dict[str, Any], opened: tuple[bytes, dict[str, Any]]) -> CaseFile:
    case_id = values["case_id"]
    key, parties = opened
    events = [
        {"event_id": event_id, "kind": kind, "on_date": on_date, "recorded_at": recorded_at, "actor": actor,
         "data": json.loads(data),
         "text": open_case_text(key, case_id, f"event {event_id}", sealed) if sealed is not None else None}
        for event_id, kind, on_date, recorded_at, actor, data, sealed in _event_rows(archive.conn, case_id)
    ]
    return CaseFile(case_id, values, parties, key, events)


def _not_visible(case_id: str) -> NotFound:
    return NotFound(f"信访件 {case_id} 不存在，或您无权查看")


def open_case(archive: Archive, session: Session, case_id: str) -> CaseFile:
    """A case for a user allowed to see it; absent and forbidden answer alike."""
    values = _row(archive, case_id.strip())
    case = _load(archive, session, values) if values is not None else None
    if case is None:
        raise _not_visible(case_id)
    return case


def case_visibility(archive: Archive, session: Session) -> Callable[[str], bool]:
    """A "may this session see case X?" test that remembers its answers, for one call over many records.

    It answers as :func:`open_case` would — clearance, role and 回避 — without
    reading the case's events; an id with no case is not visible.
    """
    answers: dict[str, bool] = {}
    readable = _reader(archive, session)

    def visible(case_id: str) -> bool:
        if case_id not in answers:
            values = _row(archive, case_id)
            answers[case_id] = values is not None and _open_parties(session, values, readable) is not None
        return answers[case_id]

    return visible


def case_opener(archive: Archive, session: Session) -> Callable[[str], CaseFile | None]:
    """"Case X as this session may see it, or None" - remembering its answers, for one call over many rows.

    For listings of rows that belong to cases (register lines, grants, holds):
    each case is opened once, and a hidden one answers None like a missing one.
    """
    answers: dict[str, CaseFile | None] = {}

    def case_of(case_id: str) -> CaseFile | None:
        if case_id not in answers:
            try:
                answers[case_id] = open_case(archive, session, case_id)
            except NotFound:
                answers[case_id] = None
        return answers[case_id]

    return case_of


def visible_case_ids(archive: Archive, session: Session) -> set[str]:
    """The ids of every case this session may see (clearance, role, 回避), without opening the cases.

    For a search's permission filter: what it finds outside these cases must
    not count, rank or show.  回避 is found through the cases' blind tags
    (:mod:`archive.case_tags`); a case not yet tagged is opened and judged on its
    parties.  Nothing is logged; the caller logs its own act.
    """
    readable, recused = _reader(archive, session), _recused(archive, session)
    judged = case_visibility(archive, session)
    visible = set()
    for case_id, level, version, tag_version in archive.conn.execute(
        "SELECT case_id, level, key_version, tag_version FROM cases WHERE length(wrapped_key) > 0"
    ).fetchall():
        if not readable(case_id) or level_key_for(session.level_keys, Level(level), version) is None:
            continue
        if tag_version == version:
            seen = case_id not in recused
        else:  # (not tagged yet: judged on its parties)
            seen = judged(case_id)
        if seen:
            visible.add(case_id)
    return visible


def open_stored_case(archive: Archive, level_keys: Mapping[Level, LevelKey], case_id: str) -> CaseFile | None:
    """A case for a process holding its level key (building the search index), else None.

    No need-to-know is applied and nothing is logged, as for
    :func:`archive.records.open_stored_record`: no person reads the result directly.
    """
    values = _row(archive, case_id)
    if values is None:
        return None
    opened = _decrypt_parties(level_keys, values)
    return _case_file(archive, values, opened) if opened is not None else None


ERASED_PARTIES: dict[str, Any] = {
    "petitioners": [], "reported": [], "witnesses": [], "summary": "（当事人信息与摘要已随档案销毁擦除）",
    "beijing_intent": False,
}


def erase_case_parties(conn: sqlite3.Connection, level_key: LevelKey, case_id: str) -> None:
    """Erase a case's personal data inside the caller's transaction, leaving its public face.

    The case gets a fresh key (wrapped by ``level_key``) with empty parties sealed
    under it, and everything sealed under the old key is cleared: step texts,
    drafts' values, void reasons.  Texts the audit log sealed under the old key
    (registration details, reasons) become unreadable with it.
    """
    key = crypto.random_key()
    conn.execute(
        "UPDATE cases SET wrapped_key = ?, key_version = ?, sealed_parties = ? WHERE case_id = ?",
        (_wrap_case_key(level_key, case_id, key), level_key.version,
         seal_case_text(key, case_id, "parties", ERASED_PARTIES), case_id),
    )
    store_tags(conn, case_id, level_key, ERASED_PARTIES)
    conn.execute("UPDATE case_events SET sealed_text = NULL WHERE case_id = ?", (case_id,))
    conn.execute("UPDATE drafts SET sealed_content = ? WHERE case_id = ?",
                 (seal_case_text(key, case_id, "erased draft", None), case_id))
    conn.execute("UPDATE dispatches SET sealed_void_reason = NULL WHERE case_id = ?", (case_id,))


def read_case(archive: Archive, session: Session, case_id: str) -> CaseFile:
    """:func:`open_case` for a person reading it: the reading is logged."""
    case = open_case(archive, session, case_id)
    with archive.act(session) as act:
        act.log("case.show", [case.case_id])
    return case


def _values(row: Sequence[Any]) -> dict[str, Any]:
    """A row of :data:`_CASE_COLUMNS` as column -> value."""
    return dict(zip(_CASE_COLUMN_NAMES, row, strict=True))


def _row(archive: Archive, case_id: str) -> dict[str, Any] | None:
    """A case's row as column -> value, or None when there is no such case."""
    row = archive.conn.execute(f"SELECT {_CASE_COLUMNS} FROM cases WHERE case_id = ?", (case_id,)).fetchone()
    return _values(row) if row is not None else None


def _rows(archive: Archive, case_ids: Sequence[str]) -> Iterator[dict[str, Any]]:
    """The rows of ``case_ids`` as column -> value, by case id, a few hundred per query."""
    for start in range(0, len(case_ids), 500):
        chunk = case_ids[start:start + 500]
        yield from map(_values, archive.conn.execute(
            f"SELECT {_CASE_COLUMNS} FROM cases WHERE case_id IN ({','.join('?' * len(chunk))}) ORDER BY case_id", chunk))


def _cases(archive: Archive, session: Session) -> list[CaseFile]:
    """The cases this session may see, by case id."""
    readable = _reader(archive, session)
    rows = archive.conn.execute(f"SELECT {_CASE_COLUMNS} FROM cases ORDER BY case_id").fetchall()
    return [case for case in (_load(archive, session, _values(row), readable) for row in rows) if case is not None]


def list_cases(archive: Archive, session: Session, *, state: str | None = None) -> list[CaseFile]:
    """The cases this user may see, optionally in one state, by case id."""
    cases = [c for c in _cases(archive, session) if state is None or c.state == state]
    with archive.act(session) as act:
        act.log("case.list", info={"count": len(cases)})
    return cases


def deadline_rules(archive: Archive) -> DeadlineRules:
    """The deadline rules in force for this archive."""
    return load_rules(archive.config.sections)
