"""HJ 212 packets to tax records (issue 9).

Real packets in fixtures/hj212_real.txt, one per line, verbatim from shared/reference/hj212.md:
line 1 V1 (HJ 212-2017 附录A example, CRC 1C80), line 2 V2 (xiaoyao9184 tests, 4980), line 3 V3 (same
repo, lower-case 1dc0), line 4 P1 (VOC stack 2061, 0E40), line 5 P2 (2061 with T flags, 5140),
line 6 P3 (2005 codes, 7BC0). Every other packet here is synthetic, built with build_packet.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incentives.hj212 import (
    FLAG_RULES,
    RECORD_COLUMNS,
    Hj212Error,
    build_packet,
    crc,
    crc_many,
    frame,
    parse_packets,
)
from sample_data import make_hj212

FIXTURES = Path(__file__).with_name("fixtures")
REAL = (FIXTURES / "hj212_real.txt").read_text(encoding="ascii").splitlines()
MN = "3303021NRB0000000000A001"


def _hour(hour: int = 0, *, day: int = 1, so2="30", so2_flag="N", cou=None, flow="100000", flow_flag="N",
          mn=MN, **kw) -> str:
    """A synthetic hourly packet: SO2 at `so2` mg/m3, NOx 40, flow in m3 for the hour."""
    so2_values = {"Avg": so2, "Flag": so2_flag}
    if cou is not None:
        so2_values["Cou"] = cou
    values = {"a00000": {"Cou": flow, "Flag": flow_flag}, "a21026": so2_values,
              "a21002": {"Avg": "40", "Flag": "N"}}
    values.update(kw.pop("values", {}))
    return build_packet(mn=mn, data_time=f"202401{day:02d}{hour:02d}0000", values=values, **kw)


def _errors(text: str, **kw) -> list[dict]:
    with pytest.raises(Hj212Error) as info:
        parse_packets(text, **kw)
    return info.value.errors


# ---- CRC and frame -------------------------------------------------------------------------------

def test_crc_is_hj212_not_modbus():
    # hj212.md §2.2: "123456789" -> HJ 212 2F80; CRC-16/MODBUS would give 4B37. Empty -> the init FFFF.
    assert crc("123456789") == "2F80"
    assert crc("") == "FFFF"


@pytest.mark.parametrize("line", REAL)
def test_real_packets_pass_length_and_crc(line):
    data, carried = line[6:-4], line[-4:]
    assert int(line[2:6]) == len(data)
    assert crc(data) == carried.upper()


def test_real_packets_parse_without_frame_errors():
    result = parse_packets("\r\n".join(REAL), strict=False)
    assert not [e for e in result.rejected if e["column"] in ("CRC", "length", "packet")]
    # V1-V3 are CN=1062/2011: accounted for as excluded, not hourly.
    assert result.packets["status"].tolist()[:3] == ["excluded"] * 3


@pytest.mark.parametrize("at", [10, 200, 600])
def test_one_changed_character_fails_crc(at):
    line = REAL[3]                       # P1, CRC 0E40
    changed = line[:at] + ("7" if line[at] != "7" else "8") + line[at + 1:]
    errors = _errors(changed)
    assert errors == [{"row": 1, "column": "CRC", "message": errors[0]["message"]}]
    assert "0E40" in errors[0]["message"]


def test_wrong_length_is_rejected_with_both_lengths():
    line = "##0611" + REAL[3][6:]         # P1 declares 612
    [error] = _errors(line)
    assert (error["row"], error["column"]) == (1, "length")
    assert "611" in error["message"] and "612" in error["message"]


@given(st.text(max_size=60))
@settings(max_examples=200, deadline=None)
def test_crc_many_equals_crc(text):
    assert crc_many([text.encode("utf-8"), b"123456789"]) == [crc(text), "2F80"]


def test_concatenated_frames_on_one_line_are_split():
    # hj212.md §9 P2: the Go test sends the frame repeatedly without CRLF. The second copy is the same
    # hour again, byte for byte: a re-send, dropped and counted (never a reason to refuse the file).
    # (P2 carries VOCs and flow only: no taxable item, so neither copy gives records.)
    result = parse_packets(REAL[4] * 2)
    assert result.summary["packets"] == 2 and result.rejected == ()
    assert result.summary["identical_resends"] == 1
    assert "identical_resend" in result.excluded["rule"].tolist()


# ---- records ---------------------------------------------------------------------------------------

def test_hourly_packet_gives_records_in_the_tax_modules_columns():
    result = parse_packets(_hour(5, so2="1E-5", cou="0.000001"))
    assert tuple(result.records.columns) == RECORD_COLUMNS
    assert result.records.to_dict("records") == [
        # 1E-5 written plainly; SO2 -Cou kept as emission_kg; NOx has no -Cou -> "" (tax module computes)
        {"row": 1, "outlet": MN, "pollutant": "so2", "time": "2024-01-01T05:00", "concentration": "0.00001",
         "flow": "100000", "source": "cems", "emission_kg": "0.000001", "over_range": ""},
        {"row": 1, "outlet": MN, "pollutant": "nox", "time": "2024-01-01T05:00", "concentration": "40",
         "flow": "100000", "source": "cems", "emission_kg": "", "over_range": ""}]
    assert result.summary["used"] == 1


def test_mn_mapping_and_unmapped_mn():
    text = _hour(0) + _hour(0, mn="OTHER0000000000000000000")
    result = parse_packets(text, mn_to_outlet={MN: "DA001"}, strict=False)
    assert set(result.records["outlet"]) == {"DA001"}
    assert result.rejected == ({"row": 2, "column": "MN",
                                "message": "MN OTHER0000000000000000000 is not in the outlet mapping"},)


def test_2005_codes_map_to_tax_items_and_unknown_code_is_counted_not_taxed():
    # P3 (2005 era): B02 = 废气 flow, 17 = 甲苯 (toluene), 18 = 二甲苯 (xylene) per 表B.2; "16" is in no
    # table: a valid packet's unknown factor is counted, not a reason to refuse the file (strict or not).
    result = parse_packets(REAL[5])
    assert result.rejected == ()
    assert result.records[["pollutant", "concentration", "flow", "emission_kg"]].values.tolist() == [
        ["toluene", "0.0000", "11010.8437", "0.0000"], ["xylene", "0.0000", "11010.8437", "0.0000"]]
    assert result.other_codes == {"a24088": 1, "25": 1, "a05002": 1}   # known, not tax items
    assert result.unknown_codes == {"16": 1}


def test_cou_checked_against_avg_times_flow():
    # 附录D D2.5: 30 mg/m3 x 100 000 m3 x 1e-6 = 3.0 kg. 3.1 is 3.3 % off (within 5 %); 3.2 is 6.7 % off.
    ok = parse_packets(_hour(0, cou="3.1"))
    assert ok.checks == () and ok.summary["cou_checked"] == 1
    bad = parse_packets(_hour(0, cou="3.2"))
    [check] = bad.checks
    assert (check["row"], check["pollutant"], check["cou_kg"], Decimal(check["computed_kg"])) == \
        (1, "so2", "3.2", Decimal(3))
    assert bad.records["emission_kg"].iloc[0] == "3.2"   # reported, the figure is not changed


def test_real_packet_cou_matches_within_tolerance():
    # P1's NMHC figures (not a tax item, so carried by SO2 here): 0.933 mg/m3 x 19191.973 m3 x 1e-6
    # = 0.017906 kg vs Cou 0.018: 0.5 % apart, within 5 %.
    packet = _hour(0, so2="0.933", cou="0.018", flow="19191.973")
    assert parse_packets(packet).checks == ()


# ---- flags -----------------------------------------------------------------------------------------

def test_flag_rules_cover_the_standard_list():
    assert set(FLAG_RULES) >= set("NFMSDCTB")
    assert {f for f, r in FLAG_RULES.items() if r.action == "exclude"} == set("FMSDCBP")
    assert FLAG_RULES["T"].action == "exceeding" and FLAG_RULES["N"].action == "use"


@pytest.mark.parametrize("flag", list("FMSDCB"))
def test_excluded_flags_are_listed_with_their_flag(flag):
    result = parse_packets(_hour(3, so2_flag=flag))
    assert result.records["pollutant"].tolist() == ["nox"]
    [row] = result.excluded.to_dict("records")
    assert (row["row"], row["pollutant"], row["time"], row["flag"], row["rule"]) == \
        (1, "so2", "2024-01-01T03:00", flag, f"flag_{flag}")


def test_t_flag_is_used_and_counts_as_exceeding():
    result = parse_packets(_hour(0, so2="250", so2_flag="T"))
    assert "so2" in result.records["pollutant"].tolist()
    assert result.exceeding[["row", "pollutant", "concentration", "flag"]].values.tolist() == [[1, "so2", "250", "T"]]


def test_flagged_flow_excludes_the_hour():
    result = parse_packets(_hour(0, flow_flag="M"))
    assert result.records.empty
    assert sorted(result.excluded["pollutant"]) == ["nox", "so2"] and set(result.excluded["flag"]) == {"M"}


def test_flag_outside_the_standard_list_is_rejected():
    errors = _errors(_hour(0) + _hour(1, so2_flag="X"))
    assert [(e["row"], e["column"]) for e in errors] == [(2, "a21026-Flag")]


def test_missing_flow_cou_needs_a_named_unit():
    packet = _hour(0, values={"a00000": {"Avg": "25", "Flag": "N"}})
    assert parse_packets(packet).excluded["rule"].tolist() == ["no_flow", "no_flow"]
    # 25 m3/s x 3600 s = 90 000 m3 in the hour (the standard's unit, 表B.2)
    assert parse_packets(packet, flow_avg_unit="m3/s").records["flow"].tolist() == ["90000", "90000"]


# ---- concentration basis and 9999.99 ----------------------------------------------------------------

def test_zsavg_basis_and_the_2025_not_computable_marker():
    values = {"a21026": {"Avg": "30", "ZsAvg": "45.5", "Flag": "N"},
              "a21002": {"Avg": "40", "ZsAvg": "9999.99", "Flag": "N"}}
    result = parse_packets(_hour(0, values=values), concentration_basis="zsavg")
    # SO2: ZsAvg 45.5 is the concentration; the mass still uses the measured Avg: 30 x 100 000 x 1e-6 = 3 kg
    assert result.records[["pollutant", "concentration"]].values.tolist() == [["so2", "45.5"]]
    assert Decimal(result.records["emission_kg"].iloc[0]) == Decimal(3)
    [row] = result.excluded.to_dict("records")
    assert (row["pollutant"], row["rule"]) == ("nox", "not_computable")
    assert result.parameters["concentration_basis"] == "zsavg"
    assert parse_packets(_hour(0, values=values)).records["concentration"].tolist() == ["30", "40"]


# ---- split, resend, duplicates, months, DataTime -----------------------------------------------------

def _split(pnos=(1, 2)) -> str:
    parts = {1: {"a00000": {"Cou": "100000", "Flag": "N"}, "a21026": {"Avg": "30", "Flag": "N"}},
             2: {"a21002": {"Avg": "40", "Flag": "N"}, "a34013": {"Avg": "5", "Flag": "N"}}}
    return "".join(build_packet(mn=MN, data_time="20240101000000", values=parts[n], qn="20240101010000001",
                                flag=6, pnum=2, pno=n) for n in pnos)


def test_split_packets_are_reassembled_at_the_first_parts_line():
    result = parse_packets(_split((2, 1)))          # parts arrive out of order
    assert result.records[["row", "pollutant", "flow"]].values.tolist() == [
        [2, "so2", "100000"], [2, "nox", "100000"], [2, "soot", "100000"]]
    assert result.packets["status"].tolist() == ["merged", "used"]


def test_incomplete_split_packet_is_rejected():
    [error] = _errors(_split((1,)))
    assert (error["row"], error["column"]) == (1, "PNO") and "incomplete" in error["message"]


def test_rf1_resend_supersedes_the_live_packet():
    text = _hour(0, so2="30") + _hour(0, so2="31", rf=True)
    result = parse_packets(text)
    assert result.records[["row", "pollutant", "concentration"]].values.tolist()[0] == [2, "so2", "31"]
    assert result.excluded[["row", "rule"]].values.tolist() == [[1, "resend"]]
    assert result.packets["status"].tolist() == ["excluded", "used"]


def test_duplicate_hour_without_resend_is_rejected():
    errors = _errors(_hour(0) + _hour(1) + _hour(0, so2="99"))
    assert [(e["row"], e["column"]) for e in errors] == [(3, "DataTime")]
    assert "first at line 1" in errors[0]["message"]


def test_packets_from_two_months_are_each_used():
    other = build_packet(mn=MN, data_time="20240201000000", values={"a00000": {"Cou": "1000"}, "a21026": {"Avg": "1"}})
    result = parse_packets(_hour(0) + _hour(1) + other)
    assert result.months == ("2024-01", "2024-02") and result.month is None
    assert result.rejected == () and result.summary["used"] == 3


@pytest.mark.parametrize("cp, message", [
    ("a21026-Avg=1,a21026-Flag=N", "missing DataTime"),
    ("DataTime=20240101003000;a21026-Avg=1", "not the start of an hour"),
    ("DataTime=20240132000000;a21026-Avg=1", "not a real time"),
])
def test_bad_datatime_is_rejected_with_its_line(cp, message):
    bad = frame(f"ST=31;CN=2061;PW=123456;MN={MN};Flag=4;CP=&&{cp}&&")
    errors = _errors(_hour(0) + bad)
    assert [(e["row"], e["column"]) for e in errors] == [(2, "DataTime")]
    assert message in errors[0]["message"]


def test_strict_false_keeps_the_valid_packets_and_lists_the_rest():
    text = _hour(0) + "##9999garbage\r\n" + _hour(1)
    result = parse_packets(text, strict=False)
    assert result.records["row"].unique().tolist() == [1, 3]
    assert [(e["row"], e["column"]) for e in result.rejected] == [(2, "length")]
    assert isinstance(Hj212Error([], result), ValueError)


def test_non_hourly_packets_are_excluded_not_used():
    rt = build_packet(mn=MN, data_time="20240101000500", cn="2011", values={"a21026": {"Rtd": "1"}})
    result = parse_packets(_hour(0) + rt)
    assert result.excluded[["row", "rule"]].values.tolist() == [[2, "not_hourly"]]


# ---- a month of packets vs the equivalent hourly CSV --------------------------------------------------

def test_a_month_of_packets_gives_the_hourly_csv_records():
    hours = make_hj212.generate()
    mapping = {mn: outlet for outlet, mn in make_hj212.OUTLETS.items()}
    result = parse_packets("".join(make_hj212.packets(hours)), mn_to_outlet=mapping)
    csv = pd.DataFrame(make_hj212.csv_rows(hours))
    got = result.records.drop(columns=["row", "emission_kg", "over_range"]).sort_values(["outlet", "time", "pollutant"])
    want = csv[list(got.columns)].sort_values(["outlet", "time", "pollutant"])
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False)
    # 744 hours x 3 outlets; every packet accounted for. Excluded pollutant-hours, from the generator's marks:
    # DA002 M 3 h x 3 = 9, DA001 C 5 Mondays x 1 = 5, DA003 D 5 h x 1 = 5, DA003 F 6 h x 3 = 18 -> 37.
    assert result.summary["packets"] == 744 * 3 == result.summary["used"] + result.summary["excluded"]
    assert len(result.excluded) == 37 and result.checks == ()
    # -Cou is generated as Avg x flow x 1e-6 exactly
    first = result.records.iloc[0]
    assert Decimal(first["emission_kg"]) == Decimal(first["concentration"]) * Decimal(first["flow"]) / 10**6


def test_committed_sample_file_is_the_generators_output():
    sample = Path(make_hj212.__file__).with_name("hj212_month.txt").read_bytes().decode("ascii")
    assert sample == "".join(make_hj212.packets(make_hj212.generate()))


@given(st.decimals(min_value=0, max_value=10000, places=3), st.integers(min_value=0, max_value=10**7))
@settings(max_examples=50, deadline=None)
def test_values_survive_the_round_trip(conc, flow):
    record = parse_packets(_hour(0, so2=str(conc), flow=str(flow))).records.iloc[0]
    assert Decimal(record["concentration"]) == conc and Decimal(record["flow"]) == flow
    assert "E" not in record["concentration"].upper()


def test_a_month_of_packets_gives_the_same_assessment_as_the_hourly_csv():
    from incentives import env_tax
    hours = make_hj212.generate()
    mapping = {mn: outlet for outlet, mn in make_hj212.OUTLETS.items()}
    # The records carry -Cou as each hour's emission_kg; the CSV has none, so the tax module computes
    # flow x concentration there. The generator writes Cou = Avg x flow x 1e-6 exactly: the sums agree.
    records = parse_packets("".join(make_hj212.packets(hours)), mn_to_outlet=mapping).records
    assert (records["emission_kg"] != "").all()
    csv = pd.DataFrame(make_hj212.csv_rows(hours)).to_csv(index=False).encode("utf-8")
    outlets = {o: {"standards": {"so2": 50, "nox": 100, "soot": 10}} for o in make_hj212.OUTLETS}
    fields = ["outlet", "pollutant", "month", "avg_concentration", "max_concentration", "max_time", "ratio",
              "tier", "emission_kg", "equivalents", "taxed", "tax_before_reduction", "tax_due", "records"]

    def rows(table):
        assessment = env_tax.assess(env_tax.parse_records(table), division="500000", outlets=outlets)
        return [[getattr(r, f) for f in fields] for r in assessment.rows]

    from_packets, from_csv = rows(records), rows(env_tax.read_monitoring(csv, filename="hourly.csv"))
    assert from_packets == from_csv and len(from_packets) == 9          # 3 outlets x 3 pollutants x 1 month
    # DA001 SO2: 744 hours less 5 calibration hours (C) = 739 hourly records
    assert [r[-1] for r in from_packets if r[:2] == ["DA001", "so2"]] == [739]


def test_common_path_and_full_rules_agree(monkeypatch):
    from incentives.hj212 import values
    hours = make_hj212.generate()
    mn = "ODD000000000000000000000"
    odd = (_hour(0, mn=mn, so2="250", so2_flag="T", cou="25") + _hour(1, mn=mn, so2="1E+1", cou="1.0")
           + _hour(2, mn=mn, so2="-0.5") + _hour(3, mn=mn, values={"a21026": {"Avg": "9999.99", "Flag": "N"}}))
    text = "".join(make_hj212.packets(hours)) + odd

    def run():
        r = parse_packets(text, strict=False)
        return r.records, r.excluded, r.exceeding, r.rejected, r.checks, r.packets

    fast = run()
    monkeypatch.setattr(values, "FAST_PATH", False)
    full = run()
    for a, b in zip(fast, full):
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b)
        else:
            assert a == b
    assert len(fast[3]) == 1 and fast[3][0]["column"] == "a21026-Avg"     # the negative concentration


def _lower_crc(packet: str) -> str:
    return packet[:-6] + packet[-6:-2].lower() + "\r\n"


def _mixed_file() -> str:
    """Every kind of line next to a clean month: the fast paths must give what the per-packet rules give."""
    mn2, mn3 = "MIX000000000000000000002", "MIX000000000000000000003"
    lines = [
        "".join(make_hj212.packets(make_hj212.generate())),
        _hour(0, mn=mn2, so2="250", so2_flag="T", cou="25"),              # T flag: used, exceeding
        _hour(1, mn=mn2, so2="1E+1", cou="1.0"),                          # not a plain number
        _hour(2, mn=mn2, values={"a21026": {"Avg": "9999.99", "ZsAvg": "9999.99", "Cou": "1", "Flag": "N"}}),
        _hour(3, mn=mn2, values={"a21026": {"Avg": "30", "ZsAvg": "35", "Flag": "N"}}),  # no -Cou
        _hour(4, mn=mn2, flow_flag="D"),                                  # flow excluded
        _hour(5, mn=mn2, values={"a99999": {"Avg": "1"}}),                # unknown code
        _hour(6, mn=mn2, so2_flag="X"),                                   # flag outside the list
        _hour(7, mn=mn2, so2="-0.5"),                                     # negative
        _hour(8, mn=mn2, qn="20240101090000000", flag=None),              # no Flag field
        _hour(9, mn=mn2, so2="33", rf=True) + _hour(9, mn=mn2, so2="32"),  # resend (and concatenated)
        _hour(10, mn=mn2) + _hour(10, mn=mn2, so2="34"),                  # duplicate hour
        _split(),                                                          # split packet
        _hour(0, mn=mn3, so2="", cou=""),                                 # empty values
        _hour(1, mn=mn3, values={"a21002": {"Avg": "40", "Flag": "N", "Cou": "4"}}),  # another shape
        _hour(2, mn=mn3).replace("a21002-Avg=40", "a21002-Avg=40=1"),      # malformed item (CRC breaks too)
        _lower_crc(frame("ST=31;CN=2061;PW=1;MN=" + mn3 + ";CP=&&DataTime=20240101030000;a00000-Cou=1,"
                         "a21026-Avg=2;a21026-Flag=N&&")),                # lower-case CRC, ',' between groups
        frame("ST=31;CN=2061;PW=1;MN=" + mn3 + ";;CP=&&DataTime=20240101040000;a00000-Cou=1;a21026-Avg=2&&"),
        frame("ST=31;CN=;PW=1;MN=" + mn3 + ";CP=&&DataTime=20240101050000;a00000-Cou=1;a21026-Avg=2&&"),  # no CN
        frame("ST=31;CN=2061;PW=1;MN=" + mn3 + ";CP=&&a00000-Cou=1;DataTime=20240101060000;a21026-Avg=2&&"),
        build_packet(mn=mn3, data_time="20240101000500", cn="2011", values={"a21026": {"Rtd": "1"}}),
        "##0010garbage\r\n", "not a frame\r\n", "\r\n",
        _hour(11, mn=mn3)[:-8] + "FFFF\r\n",                              # wrong CRC
    ]
    return "".join(lines)


@pytest.mark.parametrize("basis", ["avg", "zsavg"])
def test_fast_paths_equal_the_per_packet_rules_on_a_mixed_file(monkeypatch, basis):
    from incentives.hj212 import values
    text = _mixed_file()
    mapping = {mn: mn[-4:] for mn in (MN, "MIX000000000000000000002", "MIX000000000000000000003",
                                      *make_hj212.OUTLETS.values())}

    def run():
        r = parse_packets(text, strict=False, concentration_basis=basis, mn_to_outlet=mapping)
        return r.records, r.excluded, r.exceeding, r.packets, r.rejected, r.checks, r.other_codes, r.summary

    fast = run()
    monkeypatch.setattr(values, "FAST_PATH", False)     # every packet by the reference rules
    full = run()
    for a, b in zip(fast, full):
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b)
        else:
            assert a == b
    statuses = set(fast[3]["status"])
    assert statuses == {"used", "excluded", "rejected", "merged"} and len(fast[4]) >= 8
    # the T hour has no -ZsAvg: under zsavg it is excluded (no value), not used
    assert fast[2]["flag"].tolist() == (["T"] if basis == "avg" else [])


# ---- real-device behaviour in the default (strict) mode (issue 15; packets written from HJ 212-2017) -----

def _minute_part(pno: int, pnum: int = 2) -> str:
    # 表3 / 附录C: a split minute packet (CN=2051, Flag=7: 2017 + split + ack) carries PNUM and PNO
    return build_packet(mn=MN, cn="2051", data_time="20240101001000", flag=7, pnum=pnum, pno=pno,
                        qn="20240101001000001", values={"a21026": {"Avg": "30", "Flag": "N"}})


def test_an_incomplete_split_of_a_minute_packet_is_excluded_not_refused():
    result = parse_packets(_hour(0) + _minute_part(1))          # part 2 of 2 never came
    assert result.rejected == () and result.summary["used"] == 1
    assert result.summary["not_hourly"] == 1
    [excluded] = result.excluded.to_dict("records")
    assert excluded["rule"] == "not_hourly" and "incomplete" in excluded["reason"]


def test_an_incomplete_split_of_an_hourly_packet_is_still_refused():
    part = build_packet(mn=MN, cn="2061", data_time="20240101020000", flag=7, pnum=2, pno=1,
                        values={"a21026": {"Avg": "30", "Flag": "N"}})
    errors = _errors(_hour(0) + part)
    assert [(e["row"], e["column"]) for e in errors] == [(2, "PNO")]


def test_factor_codes_outside_the_air_list_are_counted_air_or_water():
    # a34006 is not in our air table; w01010 is a water code (HJ 525); "16" is in no table
    extra = {"a34006": {"Avg": "1.5", "Flag": "N"}, "w01010": {"Avg": "7.1", "Flag": "N"}, "16": {"Avg": "0"}}
    result = parse_packets(_hour(0, values=extra) + _hour(1, values=extra))
    assert result.rejected == () and result.summary["used"] == 2
    assert result.unknown_codes == {"a34006": 2, "w01010": 2, "16": 2}
    assert sorted(result.records["pollutant"].unique()) == ["nox", "so2"]


@pytest.mark.parametrize("data_time, tolerance, hour", [
    ("20201129210001", 5, "2020-11-29T21:00"),    # one second past the hour: the device's clock slipped
    ("20201129210005", 5, "2020-11-29T21:00"),
    ("20201129210006", 5, None),                  # more than the tolerance: not an hourly packet's time
    ("20201129210001", 0, None),
    ("20201129210000123", 0, "2020-11-29T21:00"),  # 17 digits: milliseconds (hj212.md §10.4)
])
def test_seconds_past_the_hour_within_the_named_tolerance(data_time, tolerance, hour):
    packet = build_packet(mn=MN, data_time=data_time, values={"a00000": {"Cou": "1000"},
                                                              "a21026": {"Avg": "3", "Flag": "N"}})
    result = parse_packets(packet, strict=False, hour_tolerance_seconds=tolerance)
    if hour is None:
        assert result.rejected[0]["column"] == "DataTime" and "HOUR_TOLERANCE_SECONDS" in result.rejected[0]["message"]
    else:
        assert result.records["time"].tolist() == [hour] and result.rejected == ()


def test_byte_identical_resends_are_dropped_and_counted_but_a_different_one_is_refused():
    same = _hour(3)
    result = parse_packets(_hour(2) + same + same + same)
    assert result.summary["used"] == 2 and result.summary["identical_resends"] == 2
    assert (result.records["time"] == "2024-01-01T03:00").sum() == 2      # SO2 and NOx once each
    errors = _errors(_hour(2) + same + _hour(3, so2="31"))
    assert [(e["row"], e["column"]) for e in errors] == [(3, "DataTime")] and "duplicate hour" in errors[0]["message"]


def test_a_quarter_of_hourly_packets_is_assessed_month_by_month_like_the_same_csv():
    from incentives import env_tax
    packets = "".join(_hour(h, day=d) for d in (1, 15) for h in (0, 1))
    packets += "".join(build_packet(mn=MN, data_time=f"2024{m:02d}10{h:02d}0000",
                                    values={"a00000": {"Cou": "100000", "Flag": "N"},
                                            "a21026": {"Avg": "20", "Flag": "N"},
                                            "a21002": {"Avg": "40", "Flag": "N"}}) for m in (2, 3) for h in (5, 6))
    result = parse_packets(packets)
    assert result.months == ("2024-01", "2024-02", "2024-03")
    outlets = {MN: {"standards": {"so2": 50, "nox": 100}}}
    from_packets = env_tax.assess(env_tax.parse_records(result.records), division="500000", outlets=outlets)
    csv_rows = [{"outlet": MN, "pollutant": r.pollutant, "time": r.time, "concentration": r.concentration,
                 "flow": r.flow} for r in result.records.itertuples()]
    from_csv = env_tax.assess(csv_rows, division="500000", outlets=outlets)
    assert [m.month for m in from_packets.months] == ["2024-01", "2024-02", "2024-03"]
    assert [(r.month, r.pollutant, r.tax_due) for r in from_packets.rows] == \
        [(r.month, r.pollutant, r.tax_due) for r in from_csv.rows]


def test_hj212_2025_packets_version_bits_and_rf_resend():
    # HJ 212-2025 (hj212.md §3, §4): Flag version bits 000010 (Flag=9: ack requested); RF=1 marks a 补传
    live = build_packet(mn=MN, data_time="20260105080000", flag=9, values={
        "a00000": {"Cou": "1000", "Flag": "N"}, "a21026": {"Avg": "30", "Flag": "N"}})
    resent = build_packet(mn=MN, data_time="20260105080000", flag=9, rf=True, values={
        "a00000": {"Cou": "1000", "Flag": "N"}, "a21026": {"Avg": "28", "Flag": "N"}})
    result = parse_packets(live + resent)
    assert result.records["concentration"].tolist() == ["28"]
    assert result.excluded["rule"].tolist() == ["resend"] and result.summary["resends"] == 1


def test_hj212_2025_encrypted_data_area_is_refused_with_a_clear_reason():
    # HJ 212-2025 SM4 (hj212.md §10.10): CP characters as {0x..} blocks; the CRC is over the plaintext
    segment = f"ST=31;CN=2061;PW=123456;MN={MN};Flag=8;CP=&&{{0x1a,0x2b}}DataTime=20260105080000&&"
    [error] = _errors(frame(segment))
    assert error["column"] == "CP" and "SM4" in error["message"]


def test_byte_swapped_crc_is_refused_by_default_and_taken_when_opted_in():
    good = _hour(4).rstrip("\r\n")
    correct = good[-4:]
    swapped = good[:-4] + correct[2:] + correct[:2] + "\r\n"
    assert correct[2:] != correct[:2]   # the fixture's CRC must read differently swapped, or nothing is tested
    [error] = _errors(swapped)
    assert error["column"] == "CRC" and "hj212_crc_byte_swap=accept" in error["message"]
    result = parse_packets(swapped, crc_byte_swap="accept")
    assert result.summary["used"] == 1 and result.summary["crc_byte_swapped"] == 1
