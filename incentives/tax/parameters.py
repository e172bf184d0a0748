"""The named interpretation parameters of the air-pollutant tax (env-tax.md §7), validated and documented."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date
from decimal import Decimal
from fractions import Fraction

# LAW-13's tiers and 附表一's rate range are published in the catalogue (env_tax.reduction_tiers,
# env_tax.rate_range) and read through statutory(day) below; the top N is not a registry value.
TOP_N_STATUTORY = 3                          # 法 第九条: the first three pollutants per outlet are taxed

CHOICES: dict[str, tuple[str, ...]] = {
    "boundary": ("strict", "inclusive"),
    "exceedance_scope": ("taxpayer", "outlet", "outlet_pollutant"),
    "rounding": ("equivalents_2dp", "amounts_only"),
    "reduction_rounding": ("due", "reduction"),
    "agency_aggregate": ("mean", "max"),
    "tie_break": ("item_no", "higher_rate_first"),
    "reduction_on_generated_amount": ("deny", "allow"),
    "particulate_item": ("reject", "soot", "general_dust"),
    "concentration_basis": ("avg", "zsavg"),
    "hj212_crc_byte_swap": ("refuse", "accept"),
}
# The `confidence` values of emission_standards.csv (reference README); the empty set never falls back.
STANDARD_CONFIDENCES = ("verified_news", "verified_journal", "partial", "unofficial")
SPEC_NAMES = {
    "REDUCTION_BOUNDARY": "boundary", "EXCEEDANCE_SCOPE": "exceedance_scope", "ROUNDING_POLICY": "rounding",
    "REDUCTION_ROUNDING": "reduction_rounding",
    "AGENCY_CONCENTRATION_AGGREGATE": "agency_aggregate", "TOP_N": "top_n", "TOP_N_TIE_BREAK": "tie_break",
    "REDUCTION_ON_GENERATED_AMOUNT": "reduction_on_generated_amount",
    "DEFAULT_STANDARD_CONFIDENCE": "default_standard_confidence", "PARTICULATE_ITEM": "particulate_item",
    "CONCENTRATION_BASIS": "concentration_basis",
    "HJ212_HOUR_TOLERANCE_SECONDS": "hj212_hour_tolerance_seconds", "HJ212_CRC_BYTE_SWAP": "hj212_crc_byte_swap",
}


@dataclass(frozen=True, slots=True)
class TaxParameters:
    """Interpretation choices for one assessment; defaults per env-tax.md §7."""
    boundary: str = "strict"
    exceedance_scope: str = "taxpayer"
    rounding: str = "equivalents_2dp"
    reduction_rounding: str = "due"   # §6: which of tax due and reduction is rounded; the other is the difference
    agency_aggregate: str = "mean"
    top_n: int = TOP_N_STATUTORY
    tie_break: str = "item_no"
    reduction_on_generated_amount: str = "deny"
    default_standard_confidence: frozenset[str] = field(
        default_factory=lambda: frozenset({"verified_news", "verified_journal"}))
    particulate_item: str = "reject"
    concentration_basis: str = "avg"  # HJ 212 uploads only: -Avg or -ZsAvg as the hourly concentration
    hj212_hour_tolerance_seconds: int = 5    # HJ 212: seconds past the hour read as the hour (clock slip)
    hj212_crc_byte_swap: str = "refuse"      # HJ 212: "accept" a CRC sent low byte first (named opt-in)

    def __post_init__(self):
        for name, allowed in CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"parameter {name}: {getattr(self, name)!r} is not one of {', '.join(allowed)}")
        if isinstance(self.top_n, bool) or not isinstance(self.top_n, int) or self.top_n < TOP_N_STATUTORY:
            raise ValueError(f"parameter top_n: {self.top_n!r} must be an integer >= 3 (法 第九条)")
        tolerance = self.hj212_hour_tolerance_seconds
        if isinstance(tolerance, bool) or not isinstance(tolerance, int) or not 0 <= tolerance < 60:
            raise ValueError(f"parameter hj212_hour_tolerance_seconds: {tolerance!r} must be an integer 0–59")
        unknown = set(self.default_standard_confidence) - set(STANDARD_CONFIDENCES)
        if unknown:
            raise ValueError(f"parameter default_standard_confidence: {sorted(unknown)} not among "
                             f"{', '.join(STANDARD_CONFIDENCES)}")

    @classmethod
    def from_mapping(cls, values: dict | None) -> TaxParameters:
        """Parameters from a request's `parameters` object (lowercase or §7 names); ValueError names the bad one."""
        known = {f.name for f in fields(cls)}
        kwargs = {}
        for key, value in (values or {}).items():
            name = SPEC_NAMES.get(key, key)
            if name not in known:
                raise ValueError(f"unknown parameter {key!r}; known: {', '.join(sorted(known))}")
            if name in ("top_n", "hj212_hour_tolerance_seconds"):
                try:
                    value = int(str(value).strip()) if not isinstance(value, bool) else value
                except ValueError:
                    raise ValueError(f"parameter {name}: {value!r} must be an integer") from None
            elif name == "default_standard_confidence":
                if isinstance(value, str):
                    value = [v.strip() for v in value.split(",") if v.strip()]
                if not isinstance(value, (list, tuple, set, frozenset)):
                    raise ValueError("parameter default_standard_confidence: give a list of confidence values")
                value = frozenset(value)
            kwargs[name] = value
        return cls(**kwargs)

    def as_dict(self) -> dict:
        """The values as plain JSON-able data (the set sorted), for echoing in answers."""
        out = asdict(self)
        out["default_standard_confidence"] = sorted(self.default_standard_confidence)
        return out


PARAMETER_DOCS: dict[str, dict] = {
    "hj212_hour_tolerance_seconds": {
        "default": 5, "values": "integer 0–59", "ref": "LAW-13",
        "basis": {"zh": "HJ 212小时数据（CN=2061）的DataTime为整点；真实设备时钟偏差常见（如20201129210001），"
                        "整点后不超过该秒数的视为该小时，超过则拒收该报文（hj212.md §6、§10）",
                  "en": "An hourly packet's DataTime is the start of the hour; real device clocks slip (e.g. "
                        "20201129210001): up to this many seconds past the hour are read as the hour, more is rejected"}},
    "hj212_crc_byte_swap": {
        "default": "refuse", "values": list(CHOICES["hj212_crc_byte_swap"]), "ref": "LAW-13",
        "basis": {"zh": "HJ 212附录A规定CRC先高字节后低字节；部分设备高低字节颠倒发送，accept时接受并计数",
                  "en": "附录A writes the CRC high byte first; some devices send it low byte first: `accept` takes "
                        "such frames and counts them"}},
    "boundary": {
        "default": "strict", "values": list(CHOICES["boundary"]), "ref": "LAW-13",
        "basis": {"zh": "法第十三条写“低于”，税法文本无“（含）”：恰好低30%/50%不算低于（env-tax.md §5.6）",
                  "en": "The statute says 'below' with no '(inclusive)': exactly 30%/50% below does not count"}},
    "exceedance_scope": {
        "default": "taxpayer", "values": list(CHOICES["exceedance_scope"]), "ref": "LAW-13",
        "basis": {"zh": "财税〔2018〕117号 二：任何一个排放口超标的依法不予减征；字面含义为整个纳税人（§5.4 G2）",
                  "en": "117号 二: any outlet above its standard means no reduction; read literally, for the whole taxpayer"}},
    "rounding": {
        "default": "equivalents_2dp", "values": list(CHOICES["rounding"]), "ref": "LAW-13",
        "basis": {"zh": "法规未规定；公开例题先将污染当量数保留两位小数，金额四舍五入到分（§6）",
                  "en": "The law is silent; published worked examples round equivalents to 0.01 first; money to the fen"}},
    "reduction_rounding": {
        "default": "due", "values": list(CHOICES["reduction_rounding"]), "ref": "LAW-13",
        "basis": {"zh": "法规未规定；公开解答（中华会计网校 8683551：二氧化硫1200千克、浓度80/标准200、税额1.2，"
                        "应纳757.90）将应纳税额四舍五入到分，减免税额为差额（§6）；reduction 为先算减免税额",
                  "en": "The law is silent; a published worked answer (SO2 1200 kg, 80 of 200 mg/m3, rate 1.2: 757.90 "
                        "due) rounds the amount due to the fen and derives the reduction (§6); `reduction` rounds "
                        "the reduction instead"}},
    "agency_aggregate": {
        "default": "mean", "values": list(CHOICES["agency_aggregate"]), "ref": "LAW-13",
        "basis": {"zh": "条例第十条：监测机构当月监测浓度值的平均值；“孰高原则”未经证实（§5.2）",
                  "en": "条例 第十条: the mean of the agency's measurements; the 'highest value' practice is unconfirmed"}},
    "top_n": {
        "default": 3, "values": "integer >= 3", "ref": "LAW-13",
        "basis": {"zh": "法第九条：每一排放口前三项污染物征税，省级人大常委会可增加（§4.3）",
                  "en": "法 第九条: the first three pollutants per outlet are taxed; a province may increase it"}},
    "tie_break": {
        "default": "item_no", "values": list(CHOICES["tie_break"]), "ref": "LAW-13",
        "basis": {"zh": "当量数并列时无规定：默认按附表二序号在前者优先（§4.3）",
                  "en": "No rule for ties in equivalents: by default the earlier 附表二 item ranks first"}},
    "reduction_on_generated_amount": {
        "default": "deny", "values": list(CHOICES["reduction_on_generated_amount"]), "ref": "LAW-13",
        "basis": {"zh": "条例第七条第4、5项（以产生量计税）能否减征无规定（§3.4）",
                  "en": "条例 第七条 cases 4-5 (taxed on the amount generated): no text on whether a reduction applies"}},
    "default_standard_confidence": {
        "default": ["verified_journal", "verified_news"], "values": list(STANDARD_CONFIDENCES), "ref": "LAW-13",
        "basis": {"zh": "未提供排放标准时，可采用参考表中哪些可信度的限值（§5.3）；空集表示不回退",
                  "en": "Which rows of the reference limit table may stand in when no standard is given; empty = never"}},
    "particulate_item": {
        "default": "reject", "values": list(CHOICES["particulate_item"]), "ref": "LAW-13",
        "basis": {"zh": "117号 一：燃烧产生的颗粒物按烟尘，其他按一般性粉尘；“颗粒物”须指明税目，或由本参数指定",
                  "en": "117号 一: combustion particulates are 烟尘 (soot), others 一般性粉尘; '颗粒物' must name the item, "
                        "or this parameter says which"}},
    "concentration_basis": {
        "default": "avg", "values": list(CHOICES["concentration_basis"]), "ref": "LAW-13",
        "basis": {"zh": "仅用于HJ 212报文：小时浓度取实测值-Avg，或折算到标准基准含氧量的-ZsAvg（燃烧源标准如GB 13223/13271"
                        "按基准含氧量规定限值）；无税收文本规定（hj212.md §8.2）。排放量始终取-Cou（质量），不用折算浓度×流量",
                  "en": "HJ 212 packets only: the hourly concentration is the measured -Avg, or -ZsAvg converted to the "
                        "standard's reference O2 (combustion limits such as GB 13223/13271 are stated there); no tax "
                        "text says which. The emission always comes from -Cou (a mass), never ZsAvg x flow"}},
}


@dataclass(frozen=True, slots=True)
class Statutory:
    """What the catalogue publishes for the tax (policies/000000-national/parameters.yaml), on one day.

    `tiers`: (limit, factor, label), tightest first: a concentration below limit × standard is taxed at factor
    (法 第十三条: below 0.5 S -> 50%, below 0.7 S -> 75%); `rate_min`..`rate_max`: 法 附表一's range for air."""
    tiers: tuple[tuple[Fraction, Decimal, str], ...]
    rate_min: Decimal
    rate_max: Decimal
    refs: tuple[str, ...]


def statutory(day: date) -> Statutory:
    """The LAW-13 tiers and the 附表一 rate range in force on `day`, read from the parameter registry.

    The tax computation calls this instead of literals, so what /policies publishes is what it computes."""
    import policies
    tiers_rec = policies.PARAMETERS["env_tax.reduction_tiers"].at(day)
    range_rec = policies.PARAMETERS["env_tax.rate_range"].at(day)
    tiers = [(1 - Fraction(share_below), Decimal(factor), tier_label(factor)) for share_below, factor in tiers_rec.value]
    low, high = (Decimal(x) for x in range_rec.value)
    return Statutory(tuple(sorted(tiers)), low, high, (tiers_rec.ref, range_rec.ref))


NO_REDUCTION_TIER = "none"   # the label of a row taxed in full (no LAW-13 tier met)


def percent(share: str | Decimal | Fraction) -> str:
    """A share as a percentage in words: "75%" for 0.75, "30%" for 3/10."""
    value = Decimal(share.numerator) / share.denominator if isinstance(share, Fraction) else Decimal(share)
    return f"{(value * 100).normalize():f}%"


def tier_label(factor: str | Decimal) -> str:
    """A LAW-13 tier's label: the share of the tax paid, "75%" for 减按75%."""
    return percent(factor)


def tier_labels() -> tuple[str, ...]:
    """Every tier label the catalogue publishes (all dated values of env_tax.reduction_tiers), the largest
    reduction first, then "none": what an answer's `tier` may be, in the order pages colour and list them."""
    import policies
    factors = {Decimal(f) for v in policies.PARAMETERS["env_tax.reduction_tiers"].values for _, f in v.value}
    return (*(tier_label(f) for f in sorted(factors)), NO_REDUCTION_TIER)
