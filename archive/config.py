"""``xinfang.toml``: the archive's settings, readable by anyone, holding no secret.

It names the organisation and its codes (机关代字, 全宗号, 门类代码, 机构代码),
the deadline and retention defaults and the holiday overrides.  It is written
once by ``xinfang init`` and edited by hand afterwards, so reading it validates
every field with a message that names the field.
"""

from __future__ import annotations

import json
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import IntegrityError, InvalidInput, Refused
from .files import write_atomic

__all__ = ["CONFIG_NAME", "FORMAT_VERSION", "ArchiveConfig", "read_config", "write_new_config"]

CONFIG_NAME = "xinfang.toml"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class ArchiveConfig:
    """The parsed settings; sections this module does not interpret are kept as plain data."""

    archive_id: str
    organisation: str
    org_code: str
    fonds: str
    category_code: str = "WS"
    unit_code: str = "XFS"
    contacts: tuple[str, ...] = ()
    sections: dict[str, Any] = field(default_factory=dict)


def write_new_config(path: Path, *, organisation: str, org_code: str, fonds: str) -> ArchiveConfig:
    """Write the initial ``xinfang.toml`` with the seed offices' defaults."""
    for label, value in (("机关名称", organisation), ("机关代字", org_code), ("全宗号", fonds)):
        if not value or not value.strip():
            raise InvalidInput(f"{label}不能为空")
    config = ArchiveConfig(str(uuid.uuid4()), organisation.strip(), org_code.strip(), fonds.strip())
    write_atomic(path, _render(config).encode("utf-8"))
    return read_config(path)


def _render(config: ArchiveConfig) -> str:
    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    return f"""# xinfang 档案库配置。不含任何密钥或口令，可由管理员按需修改。
format = {FORMAT_VERSION}
archive_id = {q(config.archive_id)}

[organisation]
name = {q(config.organisation)}       # 机关名称
code = {q(config.org_code)}           # 机关代字，用于发文字号
fonds = {q(config.fonds)}             # 全宗号
category_code = {q(config.category_code)}  # 门类代码（文书）
unit_code = {q(config.unit_code)}       # 机构代码（信访室）
# 本机关公开的联系方式：出现在文书中不视为身份信息，例如
# contacts = ["0477-8888888", "伊金霍洛旗阿勒腾席热镇某路1号", "12388"]
contacts = []

[deadlines]
profile = "seed"              # seed：本单位制度；可选 regulation-2022、discipline-2020
general_days = 30             # 一般信访件办理期限（日）
important_days = 90           # 重要信访件办理期限（日）
extension_max_days = 30       # 延期最长天数（一次）
assignment_report_months = 3  # 纪群字交办件报结期限（月）
roll_to_working_day = true    # 期限末日为休息日时顺延至下一工作日
protracted_days = 180         # 超过此天数仍未办结视为久拖不决，列入督办

[retention]
# 各类记录的默认保管期限：Y 永久、D30 定期30年、D10 定期10年
letter = "D30"
visit-record = "D30"
phone-record = "D10"
evidence = "D30"
report = "Y"
other = "D10"

[documents]
# review_office = "鄂尔多斯市纪委监委"  # 答复意见书中告知的复查机关
# contact = "信访室 0477-8888888"       # 信访谈话通知书的联系人及电话（电话须同时列入 contacts）
# print_organ = "伊金霍洛旗纪委办公室"  # 版记中的印发机关，默认为机关名称
# templates = "本机关模板"              # 本机关自己的模板文件夹（相对于档案库），默认用程序自带的模板
# [documents.series]                    # 发文字号的系列字，如 assignment = "群" 即 伊纪群字
# assignment = "群"

# 国务院公布新一年节假日安排后，在此补充（优先于 chinesecalendar 的数据），例如：
# [holidays.2027]
# holidays = ["2027-01-01"]
# workdays = []
"""


def read_config(path: Path) -> ArchiveConfig:
    """Parse and check ``xinfang.toml``; an unknown format version is refused, not guessed."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IntegrityError(f"配置文件 {path.name} 缺失") from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise IntegrityError(f"配置文件 {path.name} 无法读取：{exc}") from exc
    version = data.get("format")
    if version != FORMAT_VERSION:
        raise Refused(f"档案库格式版本 {version!r} 不受本程序支持（支持 {FORMAT_VERSION}）")
    organisation = data.get("organisation")
    if not isinstance(organisation, dict):
        raise IntegrityError(f"配置文件 {path.name} 缺少 [organisation] 一节")
    values = {}
    for key in ("name", "code", "fonds", "category_code", "unit_code"):
        value = organisation.get(key)
        if not isinstance(value, str) or not value.strip():
            raise IntegrityError(f"配置文件 {path.name} 的 organisation.{key} 缺失或为空")
        values[key] = value.strip()
    contacts = organisation.get("contacts", [])
    if not isinstance(contacts, list) or not all(isinstance(c, str) for c in contacts):
        raise IntegrityError(f"配置文件 {path.name} 的 organisation.contacts 应为字符串列表")
    archive_id = data.get("archive_id")
    if not isinstance(archive_id, str):
        raise IntegrityError(f"配置文件 {path.name} 缺少 archive_id")
    sections = {k: v for k, v in data.items() if isinstance(v, dict) and k != "organisation"}
    return ArchiveConfig(
        archive_id=archive_id,
        organisation=values["name"],
        org_code=values["code"],
        fonds=values["fonds"],
        category_code=values["category_code"],
        unit_code=values["unit_code"],
        contacts=tuple(contacts),
        sections=sections,
    )
