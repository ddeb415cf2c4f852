"""Which installed typeface stands in for each face GB/T 9704 names, and whether it has the glyphs.

GB/T 9704-2012 sets the body in 仿宋, the title in 小标宋, first-level headings
in 黑体, second-level ones in 楷体 and page numbers in 宋体.  Those faces (中易
仿宋_GB2312, 方正小标宋 …) are licensed and absent on Linux; a DOCX naming them
makes LibreOffice fall back silently — to DejaVu Sans for the Latin letters and
to whatever CJK face fontconfig offers for the rest.  So the renderer writes, for
each standard face, an installed family taken from :func:`font_map`.

The defaults are the open faces the Makefile's ``sysdeps`` installs from Debian:

- 仿宋, 仿宋_GB2312 → Noto Serif CJK SC Light — **a stand-in, not a 仿宋**: a light Song;
- 小标宋 → Noto Serif CJK SC Black — a heavy Song, the usual stand-in;
- 黑体 → Noto Sans CJK SC — a true 黑体;
- 楷体, 楷体_GB2312 → LXGW WenKai (霞鹜文楷) — a true 楷体, SIL OFL;
- 宋体 → Noto Serif CJK SC — a true 宋体.

No open 仿宋 with simplified coverage is installable here: Debian's cwTeX 仿宋
covers traditional characters only (纪 访 级 谈 报 are missing; it has 2552 of
the 3755 GB 2312 level-1 characters), and the npm packages of 朱雀仿宋 and 方正仿宋
hold web-font slices only and are not served by the project's registry.  The
body therefore uses a light Song face — close in colour, and distinct from the
楷体 headings, which a 楷 stand-in for the body would not be.  An office with a
licensed 仿宋 installs it system-wide (``/usr/local/share/fonts``) and names it
in ``xinfang.toml``::

    [fonts]
    "仿宋" = "FZFangSong-Z02S"   # also used for 仿宋_GB2312 unless that key is given

Fonts are found through fontconfig, the library LibreOffice itself asks, so
"installed" means what LibreOffice will use.  ``fc-match`` always answers with
*some* font, so the match's family names are compared with the one asked for
(ignoring case and blanks, as fontconfig does); the glyph check reads the
character set fontconfig derived from the font's cmap.  A character the face
lacks would print as a blank or in a stray fallback face: :func:`require_glyphs`
turns it into an error that names the character.
"""

from __future__ import annotations

import bisect
import os
import shutil
import subprocess
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from .errors import FontMissing, GlyphMissing

__all__ = [
    "DEFAULT_FONT_MAP",
    "STANDARD_FACES",
    "find_font_file",
    "font_map",
    "fontconfig_environment",
    "missing_glyphs",
    "require_glyphs",
]

DEFAULT_FONT_MAP: Mapping[str, str] = MappingProxyType(
    {
        "仿宋_GB2312": "Noto Serif CJK SC Light",
        "仿宋": "Noto Serif CJK SC Light",
        "小标宋": "Noto Serif CJK SC Black",
        "黑体": "Noto Sans CJK SC",
        "楷体_GB2312": "LXGW WenKai",
        "楷体": "LXGW WenKai",
        "宋体": "Noto Serif CJK SC",
    }
)
"""Standard face → installed family, before ``xinfang.toml``'s ``[fonts]`` is applied."""

STANDARD_FACES: tuple[str, ...] = tuple(DEFAULT_FONT_MAP)
"""The face names templates use, and the only keys ``[fonts]`` accepts (a typo must not pass silently)."""

# A face configured under its short name also covers its _GB2312 variant unless that is named too.
_VARIANT_OF = {"仿宋_GB2312": "仿宋", "楷体_GB2312": "楷体"}
# The font's file, every family name (tab-separated), then the character set.
_FC_FORMAT = "%{file}\n%{[]family{%{family}\t}}\n%{charset}"
_FC_TIMEOUT = 60  # seconds: a first run may have to build fontconfig's cache
_VARIATION_SELECTORS = ((0x180B, 0x180F), (0xFE00, 0xFE0F), (0xE0100, 0xE01EF))


def font_map(config: Mapping[str, object] | None = None) -> dict[str, str]:
    """The families to write for each standard face: the defaults, overridden by ``[fonts]``.

    *config* is the ``[fonts]`` table of ``xinfang.toml`` as a plain dict (or
    None); this function reads no file and does not check that the families are
    installed — :func:`find_font_file` does, when a document needs them.
    """
    chosen = dict(DEFAULT_FONT_MAP)
    if not config:
        return chosen
    for face, family in config.items():
        if face not in DEFAULT_FONT_MAP:
            raise FontMissing(
                f"xinfang.toml 的 [fonts] 中「{face}」不是公文标准字体；可设置：{'、'.join(STANDARD_FACES)}"
            )
        if not isinstance(family, str) or not family.strip():
            raise FontMissing(f"xinfang.toml 的 fonts.{face} 应为已安装字体的名称（非空字符串）")
        chosen[face] = family.strip()
    for variant, base in _VARIANT_OF.items():
        if base in config and variant not in config:
            chosen[variant] = chosen[base]
    return chosen


def find_font_file(family: str) -> Path:
    """The font file fontconfig (and so LibreOffice) uses for *family*, or FontMissing if not installed.

    Answers are cached for the life of the process: fonts are installed between runs, not during one.
    """
    return _resolve(family).file


def missing_glyphs(text: str, family: str) -> list[str]:
    """Characters of *text* that *family* has no glyph for, each once, in order of first appearance.

    Whitespace, control and format characters and variation selectors are not
    printed as glyphs of their own and are ignored.
    """
    face = _resolve(family)
    missing: list[str] = []
    seen: set[str] = set()
    for char in text:
        if char in seen or _is_invisible(char):
            continue
        seen.add(char)
        if not face.covers(char):
            missing.append(char)
    return missing


def require_glyphs(text: str, family: str, *, label: str | None = None) -> None:
    """Raise GlyphMissing naming every character of *text* that *family* would print as a blank.

    *label* names the field for the message (``"被反映人姓名"``); the rest of
    the text is never quoted.
    """
    missing = missing_glyphs(text, family)
    if not missing:
        return
    where = f"「{label}」中" if label else "文字中"
    listed = "、".join(f"{char}（U+{ord(char):04X}）" for char in missing)
    raise GlyphMissing(
        f"{where}有字体「{family}」没有的字：{listed}。打印出来会是空白；请安装收字更全的字体，"
        "并在 xinfang.toml 的 [fonts] 中指定",
        family=family,
        characters=tuple(missing),
    )


def fontconfig_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Variables that keep the user's own fonts visible to a LibreOffice run with a private HOME.

    Conversion gives ``soffice`` a scratch HOME; fontconfig then looks for the
    user's fonts (``~/.local/share/fonts``) and settings (``~/.config/fontconfig``)
    under the scratch folder and misses them — a 仿宋 an office installed for
    itself would pass :func:`find_font_file` yet not reach the PDF.  Merge these
    into the converter's environment after replacing HOME.
    """
    environ = os.environ if environ is None else environ
    home = Path(environ.get("HOME") or Path.home())
    return {
        "XDG_DATA_HOME": environ.get("XDG_DATA_HOME") or str(home / ".local" / "share"),
        "XDG_CONFIG_HOME": environ.get("XDG_CONFIG_HOME") or str(home / ".config"),
    }


@dataclass(frozen=True)
class _Face:
    """One installed font as fontconfig sees it; *starts*/*ends* are its code-point ranges."""

    file: Path
    families: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def covers(self, char: str) -> bool:
        code = ord(char)
        slot = bisect.bisect_right(self.starts, code) - 1
        return slot >= 0 and code <= self.ends[slot]


@lru_cache(maxsize=64)
def _resolve(family: str) -> _Face:
    wanted = family.strip()
    if not wanted:
        raise FontMissing("字体名称为空")
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise FontMissing("未找到 fontconfig（fc-match），无法确认字体是否安装。请安装：apt-get install fontconfig")
    try:
        completed = subprocess.run(
            [fc_match, "--format", _FC_FORMAT, _pattern(wanted)],
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=_FC_TIMEOUT,
            check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise FontMissing(f"fontconfig 查询字体「{wanted}」失败：{exc}") from exc
    file_line, families_line, charset = (completed.stdout.split("\n", 2) + ["", ""])[:3]
    families = tuple(name for name in families_line.split("\t") if name)
    if _normalise(wanted) not in {_normalise(name) for name in families}:
        instead = families[0] if families else "无"
        raise FontMissing(
            f"未安装字体「{wanted}」（fontconfig 只能以「{instead}」代替）。请安装该字体，"
            "或在 xinfang.toml 的 [fonts] 中改用已安装的字体（fc-list :lang=zh family 可列出）"
        )
    path = Path(file_line)
    if not path.is_file():
        raise FontMissing(f"字体「{wanted}」的文件 {file_line or '（空）'} 不存在")
    try:
        ranges = sorted(_parse_range(item) for item in charset.split())
    except ValueError as exc:
        raise FontMissing(f"fontconfig 返回的字体「{wanted}」信息无法解析") from exc
    return _Face(path, families, tuple(a for a, _ in ranges), tuple(b for _, b in ranges))


def _pattern(family: str) -> str:
    """*family* escaped for fontconfig's pattern syntax, where ``-`` ``:`` ``,`` and ``\\`` are special."""
    return "".join("\\" + char if char in "\\-:," else char for char in family)


def _normalise(family: str) -> str:
    return "".join(family.split()).casefold()


def _parse_range(item: str) -> tuple[int, int]:
    first, _, last = item.partition("-")
    return int(first, 16), int(last or first, 16)


def _is_invisible(char: str) -> bool:
    if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _VARIATION_SELECTORS)
