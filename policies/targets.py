"""Regulators' grade-structure targets, as dated, cited data (digest: "Targets and supervision figures")."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from incentives.explain import Text


@dataclass(frozen=True, slots=True)
class Target:
    """By `due`, at least `share` (or `count`) of a division's key-industry enterprises at `floor` or better."""
    division: str
    ref: str
    due: date
    floor: str
    text: Text
    share: str | None = None      # a decimal fraction, as text
    count: int | None = None


SHAOXING = "330600"
CHONGQING = "500000"

TARGETS = (
    # SX-2-2: 到2023年8月底 B级(引领性)及以上 ≥8%、C级及以上 ≥60%; 2024年底 12%/75%; 2025年底 15%/90%.
    Target(SHAOXING, "SX-2-2", date(2023, 8, 31), "B", share="0.08", text=Text("2023年8月底前B级（引领性）及以上企业占比不低于8%", "B (引领) or above ≥ 8% by 2023-08-31")),
    Target(SHAOXING, "SX-2-2", date(2023, 8, 31), "C", share="0.60",
           text=Text("2023年8月底前C级及以上企业占比不低于60%", "C or above ≥ 60% by 2023-08-31")),
    Target(SHAOXING, "SX-2-2", date(2024, 12, 31), "B", share="0.12",
           text=Text("2024年底前B级（引领性）及以上企业占比不低于12%", "B (引领) or above ≥ 12% by 2024-12-31")),
    Target(SHAOXING, "SX-2-2", date(2024, 12, 31), "C", share="0.75",
           text=Text("2024年底前C级及以上企业占比不低于75%", "C or above ≥ 75% by 2024-12-31")),
    Target(SHAOXING, "SX-2-2", date(2025, 12, 31), "B", share="0.15",
           text=Text("2025年底前B级（引领性）及以上企业占比不低于15%", "B (引领) or above ≥ 15% by 2025-12-31")),
    Target(SHAOXING, "SX-2-2", date(2025, 12, 31), "C", share="0.90",
           text=Text("2025年底前C级及以上企业占比不低于90%", "C or above ≥ 90% by 2025-12-31")),
    # CQ-2: 到2024年12月31日，全市B级（引领性）及以上企业达到100家左右.
    Target(CHONGQING, "CQ-2", date(2024, 12, 31), "B", count=100,
           text=Text("2024年12月31日前全市B级（引领性）及以上企业达到100家左右",
                     "about 100 enterprises at B (引领) or above by 2024-12-31")),
)
