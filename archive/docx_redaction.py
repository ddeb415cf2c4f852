"""Remove a reporter's identities from a whole .docx package before it leaves the office.

A name hides in far more of a .docx than its body: headers and footers, notes,
text boxes (twice, once per branch of ``mc:AlternateContent``), field codes,
hyperlink targets, alt text, comments, tracked changes, properties, custom XML,
thumbnails, pictures.  What an identity is, the :class:`Redactor` decides; this
module walks the package and hands it every text:

* a paragraph at a time, because Word splits a name over runs at will (a bold 张,
  a plain 秀兰); the result is written back so unchanged text keeps its runs;
* what cannot be redacted as text (pictures, OLE objects, thumbnails) or only
  records who did what (comments, people, custom properties and XML, revisions,
  authors, rsids, document variables) is dropped with every relationship,
  content type and element pointing at it, so Word opens the result cleanly;
* every text node and attribute left over, in any part, goes through the
  redactor too, so a part nobody thought of (a chart title) is still covered.

:func:`docx_texts` lists every readable string with where it is, so a leak gate
can check what leaves independently of how it was cleaned.  Input is untrusted:
size, member count, compression ratio, encryption and DTDs are checked first,
each refusal an :class:`~archive.errors.InvalidInput`.  Nothing touches disk.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Protocol
from urllib.parse import unquote

from lxml import etree

from archive.errors import InvalidInput

__all__ = [
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_UNPACKED",
    "NEUTRAL_TIMESTAMP",
    "RATIO_FLOOR",
    "Redactor",
    "docx_paragraphs",
    "docx_texts",
    "redact_docx",
]

MAX_UNPACKED = 200 << 20
"""Largest total unpacked size of a package; a real 公文 is a few MiB."""
MAX_RATIO = 200
"""Largest compression ratio of a member, or of the whole package, bigger than :data:`RATIO_FLOOR` unpacked."""
RATIO_FLOOR = 10 << 20
MAX_MEMBERS = 5000
NEUTRAL_TIMESTAMP = "2000-01-01T00:00:00Z"
"""Written over created/modified: when a letter was typed can point at who typed it."""


class Redactor(Protocol):
    """Decides what an identity is; this module only tells it where text lives."""

    def redact(self, text: str, place: str) -> str:
        """Return text with identities replaced; ``place`` names where it is, never what."""
        ...


_NOT_DOCX = "不是有效的 DOCX 文件"
_TOO_BIG = "DOCX 文件过大或疑似压缩炸弹"
_ENCRYPTED = "DOCX 文件已加密，无法处理"
_DTD = "DOCX 文件含有不允许的 DTD 声明（可能是实体炸弹）"
_DOCTYPE_MARKERS = tuple("<!DOCTYPE".encode(codec) for codec in ("utf-8", "utf-16-le", "utf-16-be"))
_SAFE_PARSING = {"resolve_entities": False, "no_network": True, "huge_tree": False, "load_dtd": False}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTENT_TYPES = "[Content_Types].xml"
_MAIN = "word/document.xml"
_EPOCH = (1980, 1, 1, 0, 0, 0)

_NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "v": "urn:schemas-microsoft-com:vml",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
    "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
    "xml": "http://www.w3.org/XML/1998/namespace",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_PREFIX = {uri: prefix for prefix, uri in _NS.items()}
# Namespaces of Office's own vocabulary; element names from any other are reported as text.
_VOCABULARY = (
    "http://schemas.openxmlformats.org/",
    "http://schemas.microsoft.com/office/",
    "urn:schemas-microsoft-com:",
    "http://purl.org/dc/",
    "http://www.w3.org/",
)


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


def _qs(prefix: str, names: str) -> frozenset[str]:
    return frozenset(_q(f"{prefix}:{local}") for local in names.split())


_W = f"{{{_NS['w']}}}"
_R = f"{{{_NS['r']}}}"
_W_P, _W_R, _W_T, _W_INSTR, _M_T = _q("w:p"), _q("w:r"), _q("w:t"), _q("w:instrText"), _q("m:t")
_XML_SPACE = _q("xml:space")
_RELATIONSHIP, _OVERRIDE = _q("pr:Relationship"), _q("ct:Override")
_HOLDERS = _qs("w", "drawing pict object")
_MC_BRANCHES = _qs("mc", "Choice Fallback")
_MC_FALLBACK = _q("mc:Fallback")
# Tracked changes are accepted: insertions kept, deletions dropped, history gone.
_UNWRAP = _qs("w", "ins moveTo")
_REMOVE = _qs(
    "w",
    "del moveFrom moveFromRangeStart moveFromRangeEnd moveToRangeStart moveToRangeEnd "
    "rPrChange pPrChange sectPrChange tblPrChange tblPrExChange tblGridChange trPrChange "
    "tcPrChange numberingChange cellIns cellDel cellMerge commentRangeStart commentRangeEnd "
    "permStart permEnd dataBinding attachedTemplate docVars rsids rsid",
)
_PERSON_ATTRIBUTES = _qs("w", "author initials")
_EMPTIED = (
    _qs("dc", "creator title subject description identifier")
    | _qs("cp", "lastModifiedBy keywords category contentStatus")
    | _qs("ep", "Company Manager Template HyperlinkBase")
)
_TIMESTAMPS = _qs("dcterms", "created modified")
_STRUCTURAL = {
    _RELATIONSHIP: frozenset({"Id", "Type", "Target", "TargetMode"}),
    _OVERRIDE: frozenset({"PartName", "ContentType"}),
    _q("ct:Default"): frozenset({"Extension", "ContentType"}),
}
# Relationship kinds (last segment of the type URI) whose targets leave with their links.
_DROP_KINDS = frozenset(
    "comments commentsExtended commentsIds commentsExtensible people customXml customXmlProps "
    "custom-properties thumbnail image oleObject package printerSettings attachedTemplate "
    "vbaProject audio video media hdphoto control aFChunk".split()
)
_DROP_NAMES = frozenset("comments.xml commentsextended.xml commentsids.xml commentsextensible.xml people.xml".split())
_DROP_PREFIXES = ("customxml/", "word/media/", "word/embeddings/", "docprops/thumbnail")
_DROP_CONTENT_TYPE = re.compile(r"comments|people|customXml|custom-properties", re.IGNORECASE)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def redact_docx(data: bytes, redactor: Redactor) -> bytes:
    """Return a copy of the .docx ``data`` with every text passed through ``redactor``.

    Comments, tracked-change history, pictures, embedded objects, custom XML and
    personal document properties are removed outright; see the module docstring.
    Raises :class:`InvalidInput` for anything that is not a safe, readable .docx.
    """
    parts, _ = _read_package(data)
    rels = {name: _parse(blob) for name, blob in parts.items() if name.endswith(".rels")}
    types = _parse(parts[_CONTENT_TYPES])
    if types.tag != _q("ct:Types") or any(root.tag != _q("pr:Relationships") for root in rels.values()):
        raise InvalidInput(_NOT_DOCX)
    doomed = _doomed_parts(parts, rels, types)
    kept = {name: blob for name, blob in parts.items() if name not in doomed}
    for name in kept:
        if redactor.redact(name, "包内文件名") != name:
            raise InvalidInput("DOCX 包内文件名含有需要脱敏的内容，无法自动处理")
    dropped: dict[str, set[str]] = {}
    for name in kept:
        if name in rels:
            dropped[_rels_source(name)] = _clean_relationships(name, rels[name], kept, redactor)
    out: dict[str, bytes] = {}
    for name in kept:
        if not _is_xml(name):
            out[name] = kept[name]
            continue
        handled: set[etree._Element] = set()
        if name == _CONTENT_TYPES:
            root = types
            for override in list(root.iter(_OVERRIDE)):
                if _part_name(override.get("PartName", "")) not in kept:
                    root.remove(override)
        elif name in rels:
            root = rels[name]
        else:
            root = _parse(kept[name])
            handled = _clean_part(root, name, dropped.get(name, set()), redactor)
        _sweep(root, name, redactor, handled)
        out[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return _write_package(out)


def docx_texts(data: bytes) -> list[tuple[str, str]]:
    """Every human-readable string in the package as ``(place, text)``, for a leak gate.

    Paragraph texts (joined per paragraph, as a name split over runs would be),
    every text node, comment and attribute value of every XML part, element names
    outside the OOXML vocabulary, part names and zip comments.  Binary parts are
    not read; :func:`redact_docx` drops them (fonts excepted).
    """
    parts, notes = _read_package(data)
    found = [("ZIP 注释", note) for note in notes]
    for name, blob in parts.items():
        found.append(("包内文件名", name))
        if _is_xml(name):
            found.extend(_part_texts(name, blob))
    return found


_SEEN_PARTS: OrderedDict[tuple[str, bytes], tuple[tuple[str, str], ...]] = OrderedDict()
_SEEN_PARTS_KEPT = 256
_SEEN_PART_BYTES = 1 << 20  # a template's parts are far smaller; a bigger one is content, and is not kept


def _part_texts(name: str, blob: bytes) -> tuple[tuple[str, str], ...]:
    """:func:`docx_texts` of one XML part, remembered by its name and content digest.

    Every letter carries its template's styles, theme, settings and fonts byte for
    byte; reading them again was most of what the gate spent on a letter.  The same
    bytes under the same name give the same texts, so nothing escapes the check.
    """
    key = (name, hashlib.sha256(blob).digest())
    texts = _SEEN_PARTS.get(key)
    if texts is not None:
        _SEEN_PARTS.move_to_end(key)
        return texts
    root = _parse(blob, clean=False)
    paragraphs = [(place, "".join(node.text or "" for node in nodes)) for place, nodes in _paragraph_streams(root, name)]
    texts = (*((place, text) for place, text in paragraphs if text), *_node_texts(root, name))
    if len(blob) <= _SEEN_PART_BYTES:
        _SEEN_PARTS[key] = texts
        if len(_SEEN_PARTS) > _SEEN_PARTS_KEPT:
            _SEEN_PARTS.popitem(last=False)
    return texts


_READABLE_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")


def docx_paragraphs(data: bytes) -> list[str]:
    """The text a reader sees, a paragraph at a time: body and tables, then headers, footers and notes.

    Unlike :func:`docx_texts` (everything a leak gate must see, attributes and
    part names included) this is what a search should find words in.  Text boxes
    are read once: their ``mc:Fallback`` copy is skipped.
    """
    parts, _ = _read_package(data)
    names = sorted((name for name in parts if _READABLE_PARTS.fullmatch(name)), key=lambda n: (n != _MAIN, n))
    found = []
    for name in names:
        root = _parse(parts[name])
        for fallback in list(root.iter(_MC_FALLBACK)):
            _detach(fallback)
        for _place, nodes in _paragraph_streams(root, name)[::2]:
            if joined := "".join(node.text or "" for node in nodes):
                found.append(joined)
    return found


def _read_package(data: bytes) -> tuple[dict[str, bytes], list[str]]:
    """Unpack into memory after the checks that keep a hostile file from hurting us."""
    if data.startswith(_OLE_MAGIC):
        raise InvalidInput(_ENCRYPTED)
    if len(data) > MAX_UNPACKED:
        raise InvalidInput(_TOO_BIG)
    # Count entries from the end record before zipfile builds an object per entry.
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if end >= 0 and int.from_bytes(data[end + 10 : end + 12], "little") > MAX_MEMBERS:
        raise InvalidInput(_TOO_BIG)
    parts: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            unpacked = sum(info.file_size for info in infos)
            if len(infos) > MAX_MEMBERS or unpacked > MAX_UNPACKED:
                raise InvalidInput(_TOO_BIG)
            # The ratio of the whole package too: a bomb split into members under RATIO_FLOOR each is still a bomb.
            if unpacked > RATIO_FLOOR and unpacked > MAX_RATIO * max(sum(info.compress_size for info in infos), 1):
                raise InvalidInput(_TOO_BIG)
            for info in infos:
                if info.flag_bits & 0x1:
                    raise InvalidInput(_ENCRYPTED)
                if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise InvalidInput(_TOO_BIG)
                name = info.filename
                if name in parts or name.startswith("/") or "\\" in name or ".." in name.split("/"):
                    raise InvalidInput(_NOT_DOCX)
                with archive.open(info) as member:
                    blob = member.read(info.file_size + 1)
                if len(blob) != info.file_size:
                    raise InvalidInput(_NOT_DOCX)
                parts[name] = blob
            comments = [archive.comment, *(info.comment for info in infos)]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
        raise InvalidInput(_NOT_DOCX) from exc
    if _MAIN not in parts or _CONTENT_TYPES not in parts:
        raise InvalidInput(_NOT_DOCX)
    if _parse(parts[_MAIN]).tag != _q("w:document"):  # Strict OOXML would slip past every tag below
        raise InvalidInput("只支持常规（Transitional）格式的 DOCX 文件")
    return parts, [comment.decode("utf-8", "replace") for comment in comments if comment]


def _parse(blob: bytes, *, clean: bool = True) -> etree._Element:
    """Parse one part without entities, network or DTDs; ``clean`` drops XML comments and PIs."""
    if any(marker in blob for marker in _DOCTYPE_MARKERS):
        raise InvalidInput(_DTD)
    parser = etree.XMLParser(**_SAFE_PARSING, remove_comments=clean, remove_pis=clean)
    try:
        root = etree.fromstring(blob, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise InvalidInput("DOCX 文件中的 XML 无法解析") from exc
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise InvalidInput(_DTD)
    return root


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _rels_source(rels_name: str) -> str:
    """``word/_rels/document.xml.rels`` → ``word/document.xml``; the package's own → ``""``."""
    folder, base = posixpath.split(rels_name)
    return posixpath.join(posixpath.dirname(folder), base.removesuffix(".rels"))


def _resolve(base: str, target: str) -> str:
    target = unquote(target.split("#", 1)[0])
    path = target.lstrip("/") if target.startswith("/") else posixpath.join(base, target)
    return posixpath.normpath(path) if path else ""


def _part_name(part_name: str) -> str:
    return unquote(part_name).lstrip("/")


def _kind(relationship: etree._Element) -> str:
    return relationship.get("Type", "").rsplit("/", 1)[-1]


def _doomed_parts(parts: dict[str, bytes], rels: dict[str, etree._Element], types: etree._Element) -> set[str]:
    """Parts that leave the package: by name, by content type, or as targets of a dropped link."""
    doomed = set()
    for name in parts:
        low = name.lower()
        if (
            low.startswith(_DROP_PREFIXES)
            or low == "docprops/custom.xml"
            or posixpath.basename(low) in _DROP_NAMES
            or not (_is_xml(name) or "/fonts/" in f"/{low}")
        ):
            doomed.add(name)
    for override in types.iter(_OVERRIDE):
        if _DROP_CONTENT_TYPE.search(override.get("ContentType", "")):
            doomed.add(_part_name(override.get("PartName", "")))
    for name, root in rels.items():
        base = posixpath.dirname(_rels_source(name))
        for relationship in root.iter(_RELATIONSHIP):
            if _kind(relationship) in _DROP_KINDS and relationship.get("TargetMode") != "External":
                doomed.add(_resolve(base, relationship.get("Target", "")))
    for name in rels:
        source = _rels_source(name)
        if source and (source in doomed or source not in parts):
            doomed.add(name)
    return doomed - {_MAIN, _CONTENT_TYPES}


def _clean_relationships(name: str, root: etree._Element, kept: dict[str, bytes], redactor: Redactor) -> set[str]:
    """Drop links to removed or missing parts, redact external targets; return dropped ids."""
    base = posixpath.dirname(_rels_source(name))
    dropped = set()
    for number, relationship in enumerate(list(root.iter(_RELATIONSHIP)), 1):
        target = relationship.get("Target", "")
        external = relationship.get("TargetMode") == "External"
        if _kind(relationship) in _DROP_KINDS or (not external and _resolve(base, target) not in kept):
            dropped.add(relationship.get("Id", ""))
            _detach(relationship)
        elif external:
            redacted = redactor.redact(target, f"{name} 第{number}个关系的目标")
            if redacted != target:
                relationship.set("Target", redacted)
    return dropped


def _clean_part(root: etree._Element, name: str, dropped: set[str], redactor: Redactor) -> set[etree._Element]:
    """Structural cleaning of one content part, then its paragraphs; returns the text nodes done."""
    if dropped:
        doomed = []
        for element in root.iter():
            if any(key.startswith(_R) and value in dropped for key, value in element.attrib.items()):
                holder = element if element.tag in _HOLDERS else next(element.iterancestors(*_HOLDERS), None)
                branch = None if holder is None else holder.getparent()
                if branch is not None and branch.tag in _MC_BRANCHES and branch.getparent() is not None:
                    holder = branch.getparent()  # a picture's twin lives in the other branch
                doomed.append(element if holder is None else holder)
        for element in doomed:
            _detach(element)
    for reference in list(root.iter(_q("w:commentReference"))):
        parent = reference.getparent()
        _detach(parent if parent is not None and parent.tag == _W_R else reference)
    etree.strip_elements(root, *_REMOVE, with_tail=False)
    etree.strip_tags(root, *_UNWRAP)
    for element in list(root):
        if element.tag in _EMPTIED:
            element.text = ""
            for child in list(element):
                element.remove(child)
        elif element.tag in _TIMESTAMPS:
            element.text = NEUTRAL_TIMESTAMP
        elif element.tag == _q("cp:revision"):
            element.text = "1"
        elif element.tag == _q("cp:lastPrinted"):
            root.remove(element)
    handled: set[etree._Element] = set()
    for place, nodes in _paragraph_streams(root, name):
        handled.update(nodes)
        old = "".join(node.text or "" for node in nodes)
        if old and (new := redactor.redact(old, place)) != old:
            _rewrite(nodes, old, new)
    return handled


def _detach(element: etree._Element) -> None:
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def _paragraph_streams(root: etree._Element, name: str) -> list[tuple[str, list[etree._Element]]]:
    """Per paragraph, in document order: its own text nodes, then its field-code nodes.

    A text box inside a paragraph holds paragraphs of its own; their text belongs
    to them, not to the paragraph that anchors the box.
    """
    streams: dict[etree._Element, tuple[list[etree._Element], list[etree._Element]]] = {
        paragraph: ([], []) for paragraph in root.iter(_W_P)
    }
    for node in root.iter(_W_T, _M_T, _W_INSTR):
        owner = next(node.iterancestors(_W_P), None)
        if owner is not None:
            streams[owner][node.tag == _W_INSTR].append(node)
    found = []
    for number, (texts, codes) in enumerate(streams.values(), 1):
        found += [(f"{name} 第{number}段", texts), (f"{name} 第{number}段 域代码", codes)]
    return found


def _rewrite(nodes: list[etree._Element], old: str, new: str) -> None:
    """Spread ``new`` over the nodes that held ``old`` so that unchanged text stays in its run.

    Text kept by the diff stays in the node it came from; a replacement goes to
    the node where the replaced span began (the last node when appended at the end).
    """
    owner = [index for index, node in enumerate(nodes) for _ in node.text or ""]
    pieces: list[list[str]] = [[] for _ in nodes]
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                pieces[owner[i1 + offset]].append(new[j1 + offset])
        else:
            pieces[owner[i1] if i1 < len(owner) else len(nodes) - 1].append(new[j1:j2])
    for node, share in zip(nodes, pieces, strict=True):
        text = "".join(share)
        if text != (node.text or ""):
            node.text = text
            node.set(_XML_SPACE, "preserve")


def _sweep(root: etree._Element, name: str, redactor: Redactor, handled: set[etree._Element]) -> None:
    """Belt and braces: every text and attribute not yet seen goes through the redactor."""
    for element in root.iter():
        label = _label(element.tag)
        if element not in handled and element.text and element.text.strip():
            element.text = redactor.redact(element.text, f"{name} {label}")
        if element.tail and element.tail.strip():
            element.tail = redactor.redact(element.tail, f"{name} {label} 之后")
        structural = _STRUCTURAL.get(element.tag, frozenset())
        for key, value in list(element.attrib.items()):
            if key in _PERSON_ATTRIBUTES or key.startswith(f"{_W}rsid"):
                del element.attrib[key]
            elif value and not key.startswith(_R) and key not in structural:
                redacted = redactor.redact(value, f"{name} {label}/@{_label(key)}")
                if redacted != value:
                    element.set(key, redacted)


def _split(qname: str) -> tuple[str, str]:
    """``{uri}local`` → (uri, local); a name without a namespace has the uri ""."""
    uri, _, local = qname[1:].partition("}") if qname.startswith("{") else ("", "", qname)
    return uri, local


@lru_cache(maxsize=4096)  # a part has a few dozen distinct names, met thousands of times
def _label(qname: str) -> str:
    """``{w-uri}t`` → ``w:t``: a place name built only from vocabulary, never from content."""
    uri, local = _split(qname)
    if not _NAME.fullmatch(local):
        return "?"
    prefix = _PREFIX.get(uri, "ns" if uri else "")  # a document's own prefixes are content too
    return f"{prefix}:{local}" if prefix else local


@lru_cache(maxsize=4096)
def _foreign_name(qname: str) -> str | None:
    """The local name of an element outside the OOXML vocabulary (content, like text), else None."""
    uri, local = _split(qname)
    return None if uri.startswith(_VOCABULARY) else local


def _node_texts(root: etree._Element, name: str) -> Iterator[tuple[str, str]]:
    """Every text, tail, attribute value, comment and foreign element name of one part."""
    nodes: Iterable[etree._Element] = [*root.itersiblings(preceding=True), *root.iter(), *root.itersiblings()]
    for node in nodes:
        if not isinstance(node.tag, str):
            if node.text:
                yield f"{name} XML 注释或处理指令", node.text
            continue
        label = _label(node.tag)
        foreign = _foreign_name(node.tag)
        if foreign is not None:
            yield f"{name} 元素名", foreign
        if node.text and node.text.strip():
            yield f"{name} {label}", node.text
        if node.tail and node.tail.strip():
            yield f"{name} {label} 之后", node.tail
        for key, value in node.attrib.items():
            if value:
                yield f"{name} {label}/@{_label(key)}", value


def _write_package(members: dict[str, bytes]) -> bytes:
    """A fresh zip: content types first, fixed timestamps, no comments from the original."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members, key=lambda member: member != _CONTENT_TYPES):
            archive.writestr(zipfile.ZipInfo(name, _EPOCH), members[name], compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
