"""不予受理告知书: why the office does not take the matter, and where the petitioner should go instead."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..facts import CaseFacts
from ..fields import Field
from ..kind import Composition, DocumentKind
from ._common import NOTICE_FIELDS, notice_defaults, notice_opening

FIELDS = (
    *NOTICE_FIELDS,
    Field("reason", "不予受理的理由", max_length=500),
    Field("refer_to", "应向哪一机关反映", max_length=200),
    Field("basis", "依据", required=False, max_length=300),
)


def defaults(facts: CaseFacts) -> dict[str, Any]:
    return notice_defaults(facts)


def compose(values: Mapping[str, Any]) -> Composition:
    basis = f"根据{values['basis']}，" if values.get("basis") else ""
    return Composition(
        title="不予受理告知书",
        recipient=values["petitioner"],
        body=[
            f"{notice_opening(values)}，经审查，{values['reason']}。{basis}本机关不予受理。",
            f"请你向{values['refer_to']}反映。",
            "特此告知。",
        ],
    )


KIND = DocumentKind("notice-decline", "不予受理告知书", "letter", "告", "petitioner",
                    "告知信访人：不予受理的理由和应去的受理机关", FIELDS, defaults, compose)
