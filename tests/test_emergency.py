"""Emergency measure tables and staggered-production calendars (policies/emergency.md): each figure derived by
hand from the table or calendar it cites; the counting rules are EG-COUNT, each a named parameter."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from incentives import emergency as em
from incentives.interpretations import Interpretations
from incentives.policy import DIGESTS, PolicyLoadError, digest_refs
from policies import emergency_tables
from policies.catalogue import load
from policies.emergency_tables import catalogue

CAT = catalogue()
ALERTS = {"yellow": 5, "orange": 3, "red": 2}


def clinker(grade):
    return em.Line("cement", "cement_clinker", grade)


def ceramics(grade):
    return em.Line("ceramics", "ceramics_building", grade)


def counting(overrides=None, as_of=date(2026, 3, 1)):
    """The EG-COUNT parameters (registry defaults, or a request's overrides)."""
    return em.Counting.at(as_of, Interpretations.from_overrides(overrides))


def worth(before, after, division, as_of, *, alert_days=ALERTS, yuan=None, tonnes=None, interp=None,
          facts=None, policies_after=frozenset()):
    return em.worth(CAT, [(before, after)], division=division, as_of=as_of, facts_before=facts or {},
                    facts_after=facts or {}, policies_before=frozenset(), policies_after=policies_after,
                    counting=interp or counting(), alert_days=alert_days,
                    daily_output_value_yuan=None if yuan is None else Decimal(yuan),
                    daily_capacity_t=None if tonnes is None else Decimal(tonnes))


def seasons(division, as_of, line, facts=None, interp=None, policy_ids=frozenset()):
    return em.line_calendars(CAT, line, division, as_of, facts or {}, policy_ids, interp or counting())


def test_cement_clinker_c_to_b_in_henan_days_yuan_and_tonnes():
    w = worth(clinker("C"), clinker("B"), "410100", date(2026, 3, 1), yuan="1000000", tonnes="5000")
    # EG-CEM-1: C yellow "停产50%，以生产线计" 0.5, orange "停产" 1, red 1; B yellow transport ban only 0, orange
    # "限产20%" 0.2, red "停产" 1. EG-COUNT: 5 × (0.5 − 0) + 3 × (1 − 0.2) + 2 × (1 − 1) = 2.5 + 2.4 + 0 = 4.9 days
    # of output; × 1 000 000 yuan = 4 900 000.00 yuan; × 5 000 t (base of EG-CEM-BASE) = 24 500 t.
    assert w.value == Decimal("4.9") and w.reason is None
    assert w.output_value_yuan == Decimal("4900000.00") and w.output_t == Decimal("24500.000")
    levels = {lc.level: lc for lc in w.lines[0].levels}
    assert levels["yellow"].before.production == "stop_lines" and levels["yellow"].after.production == "none"
    assert levels["orange"].after.cut == Decimal("0.20") and levels["red"].days_equivalent == 0
    assert levels["yellow"].after.transport == "no_guo4_heavy_trucks"   # listed, not counted
    assert {"EG-CEM-1", "EG-CEM-BASE", "EG-COUNT"} <= set(w.refs)
    assert w.lines[0].seasons == ()   # Henan: no staggered calendar encoded


def test_own_measures_count_as_no_cut_unless_the_parameter_says_otherwise():
    # EG-CEM-1: B → A. A "自主采取减排措施" = emergency.own_measures_cut (default 0).
    # 5 × (0 − 0) + 3 × (0.2 − 0) + 2 × (1 − 0) = 2.6 days
    assert worth(clinker("B"), clinker("A"), "410100", date(2026, 3, 1)).value == Decimal("2.6")
    # with 0.1: 5 × (0 − 0.1) + 3 × (0.2 − 0.1) + 2 × (1 − 0.1) = −0.5 + 0.3 + 1.8 = 1.6 days
    interp = counting({"emergency.own_measures_cut": "0.1"})
    assert worth(clinker("B"), clinker("A"), "410100", date(2026, 3, 1), interp=interp).value == Decimal("1.6")


def test_half_the_lines_is_left_unquantified_when_the_parameter_says_so():
    interp = counting({"emergency.line_stop_share": False})
    w = worth(clinker("C"), clinker("B"), "410100", date(2026, 3, 1), yuan="1000000", interp=interp)
    assert w.value is None and w.output_value_yuan is None
    assert w.quantified_part == Decimal("2.4")   # orange 3 × 0.8 + red 0; yellow not counted
    assert "emergency.line_stop_share" in w.reason.en


def test_aplus_reads_as_a_by_default():
    a_plus = em.alert_measures(CAT, clinker("A+"), "410100", date(2026, 3, 1), counting())
    assert a_plus.grade_read_as == "A" and {m.production for m in a_plus.measures} == {"own_measures"}
    off = em.alert_measures(CAT, clinker("A+"), "410100", date(2026, 3, 1),
                            counting({"emergency.aplus_as_a": False}))
    assert off.measures == () and "A+" in off.reason.en


def test_ceramics_has_no_table_null_with_its_reason():
    w = worth(ceramics("C"), ceramics("A"), "500112", date(2024, 10, 1), yuan="100000")
    # policies/emergency.md: other industries have no usable table -> null with the reason, never a number
    assert w.value is None and w.quantified_part is None and w.output_value_yuan is None
    assert w.reason.en.startswith("the industry's measure table is not encoded")


def test_flat_glass_is_quantified_and_marked_unverified():
    w = worth(em.Line("glass", "glass_flat", "D"), em.Line("glass", "glass_flat", "B"), "410100", date(2026, 3, 1))
    # EG-GLASS-1 [unverified]: D 0.3 on every level; B 0 yellow, 0.1 orange and red.
    # 5 × 0.3 + 3 × 0.2 + 2 × 0.2 = 1.5 + 0.6 + 0.4 = 2.5 days
    assert w.value == Decimal("2.5")
    assert w.lines[0].alerts_before.table.confidence == "unverified"


def test_jilin_2026_every_grade_below_a_stops_256_days():
    cal = seasons("220100", date(2026, 6, 1), clinker("C"))
    # JL-CF26-1: 90 (Jan–Mar) + 105 (15 × 7, Apr–Oct) + 61 (Nov–Dec) = 256
    assert [c.calendar.item.id for c in cal] == ["JL-CF26"]
    assert [s.days_stopped for s in cal[0].seasons] == [90, 105, 61] and cal[0].days_stopped == 256
    assert cal[0].treatment == "staggered" and cal[0].ref == "JL-CF26-1"


def test_jilin_2026_a_may_shorten_shown_unquantified():
    cal = seasons("220100", date(2026, 6, 1), clinker("A"))
    # JL-CF26-2: "可适当缩短错峰生产时间" with no number
    assert cal[0].treatment == "may_shorten" and cal[0].ref == "JL-CF26-2" and cal[0].days_stopped is None
    w = worth(clinker("C"), clinker("A"), "220100", date(2026, 6, 1), yuan="1000000")
    # alerts: 5 × 0.5 + 3 × 1 + 2 × 1 = 7.5 days quantified; the staggered part has no number -> no total
    assert w.value is None and w.output_value_yuan is None and w.quantified_part == Decimal("7.5")
    assert {u["ref"] for u in w.unquantified} == {"JL-CF26-2"}


def test_jilin_may_shorten_as_a_stated_what_if():
    interp = counting({"emergency.may_shorten_days": 30})
    w = worth(clinker("C"), clinker("A"), "220100", date(2026, 6, 1), alert_days={}, interp=interp)
    # what-if: 30 days fewer per season: (90 − 60) + (105 − 75) + (61 − 31) = 90 days saved
    assert w.value == Decimal(90)


def test_jilin_c_to_b_saves_no_staggered_day():
    w = worth(clinker("C"), clinker("B"), "220100", date(2026, 6, 1), alert_days={})
    assert w.value == 0 and [s.days_saved for s in w.lines[0].seasons] == [0, 0, 0]


def test_shanxi_2021_22_a_exempt_b_staggered():
    # JIN-CF21-1/2: 2021-11-01..2022-03-31 = 30 + 31 + 31 + 28 + 31 = 151 days; A exempt, B staggered
    a = seasons("140100", date(2021, 12, 1), clinker("A"))[0]
    b = seasons("140100", date(2021, 12, 1), clinker("B"))[0]
    assert (a.treatment, a.ref, a.days_stopped) == ("exempt", "JIN-CF21-1", 0)
    assert (b.treatment, b.ref, b.days_stopped) == ("staggered", "JIN-CF21-2", 151)
    assert worth(clinker("B"), clinker("A"), "140100", date(2021, 12, 1), alert_days={}).value == 151


def test_shanxi_2020_21_b_exempt():
    # JIN-CF20-1: A, B, B-, 引领 not in 错峰; JIN-CF20-2: C staggered. 2020-11-01..2021-03-31 = 151 days.
    b = seasons("140100", date(2020, 12, 1), ceramics("B"))[0]
    c = seasons("140100", date(2020, 12, 1), ceramics("C"))[0]
    assert (b.treatment, b.ref, b.days_stopped) == ("exempt", "JIN-CF20-1", 0)
    assert (c.treatment, c.days_stopped) == ("staggered", 151)
    w = worth(ceramics("C"), ceramics("B"), "140100", date(2020, 12, 1), alert_days={}, yuan="200000")
    # no ceramics alert table; the staggered part: 151 − 0 = 151 days × 200 000 = 30 200 000.00 yuan
    assert w.value == 151 and w.output_value_yuan == Decimal("30200000.00")


def test_shanxi_green_factory_and_overdue_retrofit():
    assert seasons("140100", date(2020, 12, 1), ceramics("C"), facts={"miit_green_factory": True})[0].treatment \
        == "exempt"                                               # JIN-CF20-1: 工信部认定的绿色工厂
    assert seasons("140100", date(2020, 12, 1), ceramics("B"), facts={"ultra_low_retrofit": "overdue"})[0] \
        .treatment == "stop"                                      # JIN-CF20-2: overdue retrofit stops


def test_jinzhong_replaces_the_province_for_its_facilities():
    cal = seasons("140702", date(2020, 12, 1), ceramics("C"))
    assert [(c.calendar.item.id, c.ref) for c in cal] == [("JZ-CF20", "JZ-CF20-1")]
    assert [c.calendar.item.id for c in seasons("140100", date(2020, 12, 1), ceramics("C"))] == \
        ["JIN-CF20"]


def test_jincheng_clinker_131_days_for_every_grade():
    cal = seasons("140502", date(2021, 12, 1), clinker("A"))
    # JC-CF21: 10 (2021-10-01..10) + 121 (2021-11-15..2022-03-15: 16 + 31 + 31 + 28 + 15) = 131, all plants
    assert [c.calendar.item.id for c in cal] == ["JC-CF21"] and cal[0].days_stopped == 131


def test_ningxia_upgraded_a_may_shorten_through_the_engine_policy():
    c = seasons("640100", date(2026, 1, 10), clinker("A"))[0]
    # NX-CF25-1: 136 (as the notice states) + 80 (summer-autumn) = 216 for every line
    assert (c.treatment, c.days_stopped) == ("staggered", 216)
    up = seasons("640100", date(2026, 1, 10), clinker("A"), policy_ids=frozenset({"ningxia.less_staggered_production"}))
    assert (up[0].treatment, up[0].ref, up[0].days_stopped) == ("may_shorten", "NX-A1-7", None)


@given(st.integers(min_value=-3, max_value=3))
def test_shanxi_2021_22_window_edges(offset):
    # JIN-CF21: in force 2021-11-01 through 2022-03-31, nothing outside
    for edge, inside in ((date(2021, 11, 1), offset >= 0), (date(2022, 3, 31), offset <= 0)):
        day = edge + timedelta(days=offset)
        found = seasons("140100", day, clinker("B"))
        assert bool(found) == inside, day


@given(st.sampled_from(["A+", "A", "B", "C", "D"]), st.sampled_from(["A+", "A", "B", "C", "D"]))
def test_a_better_clinker_grade_never_cuts_more(g1, g2):
    rank = {"D": 0, "C": 1, "B": 2, "A": 3, "A+": 4}
    lo, hi = sorted((g1, g2), key=rank.get)
    w = worth(clinker(lo), clinker(hi), "410100", date(2026, 3, 1))
    assert w.value >= 0


# --- the loader refuses what the schema does not know ---------------------------------------------------

NATIONAL = {"jurisdiction.yaml": 'code: "000000"\nname: {zh: 全国, en: National}\n',
            "documents.yaml": "- {id: d1, title: t, issuer: i, status: in_force, confidence: verified, source: {url: u}}\n"}
TABLE = """- id: national.t
  refs: [{ref}]
  document: {doc}
  clause: c
  window: {{from: 2020-01-01}}
  branches: [cement_clinker]
  title: {{zh: 表, en: table}}
  grades:
    A: {{yellow: {{production: {prod}}}, orange: {{production: none}}, red: {{production: none}}}}
"""


def _load(tmp_path, files: dict[str, str]):
    """Load a catalogue tree written from `files` (national folder files plus the given ones) and build."""
    (tmp_path / "facts.yaml").write_text("{}\n", encoding="utf-8")
    for name, text in {**NATIONAL, **files}.items():
        path = tmp_path / "000000-national" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    cat = load(tmp_path, known_refs=digest_refs((*DIGESTS, emergency_tables.EMERGENCY_DIGEST)))
    return emergency_tables.build(cat, policy_ids=frozenset())


def test_loader_accepts_a_well_formed_table(tmp_path):
    built = _load(tmp_path, {"emergency_tables.yaml": TABLE.format(ref="EG-CEM-1", prod="none", doc="d1")})
    assert built.tables[0].jurisdiction == "000000" and built.tables[0].confidence == "verified"


@pytest.mark.parametrize(("ref", "prod", "doc", "message"), [
    ("NOPE-1", "none", "d1", "unknown ref 'NOPE-1'"),
    ("EG-CEM-1", "cut", "d1", "needs a share"),
    ("EG-CEM-1", "halt", "d1", "production"),
    ("EG-CEM-1", "none", "d2", "unknown document 'd2'"),
])
def test_loader_refuses_with_the_file_named(tmp_path, ref, prod, doc, message):
    with pytest.raises(PolicyLoadError, match=message) as info:
        _load(tmp_path, {"emergency_tables.yaml": TABLE.format(ref=ref, prod=prod, doc=doc)})
    assert "emergency_tables.yaml" in str(info.value)


def test_loader_refuses_unknown_fields(tmp_path):
    text = TABLE.format(ref="EG-CEM-1", prod="none", doc="d1") + "  surprise: 1\n"
    with pytest.raises(PolicyLoadError, match="surprise"):
        _load(tmp_path, {"emergency_tables.yaml": text})


def test_loader_refuses_a_day_count_that_does_not_fit(tmp_path):
    text = """- id: JL-CF26
  refs: [JL-CF26-1]
  document: d1
  clause: c
  window: {from: 2026-01-01, to: 2026-01-31}
  branches: [cement_clinker]
  title: {zh: 日历, en: calendar}
  seasons:
  - {id: s, name: {zh: s, en: s}, periods: [{from: 2026-01-01, to: 2026-01-10}], days: 11,
     days_basis: {zh: b, en: b}}
  otherwise: {treatment: staggered, ref: JL-CF26-1}
"""
    with pytest.raises(PolicyLoadError, match="11 days do not fit in 10"):
        _load(tmp_path, {"staggered_calendars.yaml": text})


def test_measures_that_name_a_calendar_decide_the_treatment():
    # Where the catalogue's staggered measures name a calendar (e.g. JL-CF26), their treatment wins over the
    # calendar's own grade rules: one definition of who is staggered.
    named = {"JL-CF26": ("exempt", "JL-CF26-2")}
    cal = em.line_calendars(CAT, clinker("C"), "220100", date(2026, 6, 1), {}, frozenset(), counting(), named)
    assert (cal[0].treatment, cal[0].ref, cal[0].days_stopped) == ("exempt", "JL-CF26-2", 0)


def test_a_rule_naming_an_applying_measure_joins_the_measures():
    # NX-CF25 named by a measure as staggered; NX-A1-7's policy applies too -> the better treatment, may_shorten
    named = {"NX-CF25": ("staggered", "NX-CF25-1")}
    ids = frozenset({"ningxia.less_staggered_production"})
    cal = em.line_calendars(CAT, clinker("A"), "640100", date(2026, 1, 10), {}, ids, counting(), named)
    assert (cal[0].treatment, cal[0].ref) == ("may_shorten", "NX-A1-7")
    cal = em.line_calendars(CAT, clinker("A"), "640100", date(2026, 1, 10), {}, frozenset(), counting(), named)
    assert (cal[0].treatment, cal[0].ref, cal[0].days_stopped) == ("staggered", "NX-CF25-1", 216)


def test_named_treatments_read_from_the_measures_steps():
    from types import SimpleNamespace

    from incentives.explain import Step, Text
    step = lambda ref, treatment: Step(ref, Text("z", "e"), values={"calendar": "JL-CF26", "treatment": treatment})
    ev = SimpleNamespace(benefits=(SimpleNamespace(explanation=(step("JL-CF26-2", "may_shorten"),)),),
                         obligations=(SimpleNamespace(explanation=(step("JL-CF26-1", "staggered"),)),),
                         not_applicable=(SimpleNamespace(steps=(step("JL-CF26-9", "exempt"),)),))
    # two measures name JL-CF26: the more favourable treatment (the exception) applies; one that does not
    # apply decides nothing
    assert em.named_treatments(ev) == {"JL-CF26": ("may_shorten", "JL-CF26-2")}


def test_loader_refuses_a_grade_rule_on_an_undocumented_fact(tmp_path):
    text = """- id: JL-CF26
  refs: [JL-CF26-1]
  document: d1
  clause: c
  window: {from: 2026-01-01, to: 2026-12-31}
  branches: [cement_clinker]
  title: {zh: 日历, en: calendar}
  seasons:
  - {id: s, name: {zh: s, en: s}, periods: [{from: 2026-01-01, to: 2026-01-10}]}
  grade_rules:
  - {fact: {green_enough: true}, treatment: exempt, ref: JL-CF26-1}
  otherwise: {treatment: staggered, ref: JL-CF26-1}
"""
    with pytest.raises(PolicyLoadError, match="fact 'green_enough' is not documented"):
        _load(tmp_path, {"staggered_calendars.yaml": text})
