"""Properties of the env tax (hypothesis): exact boundaries, tax due never above tax before, monotone in C."""
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from incentives.env_tax import TaxParameters, assess

STANDARDS = st.integers(min_value=1, max_value=10_000).map(lambda n: D(n) / 10)  # 0.1 .. 1000.0 mg/m³


def row_for(avg, top, standard, boundary="strict", kg="100"):
    records = [{"outlet": "DA1", "pollutant": "so2", "month": "2024-01", "emission_kg": kg,
                "avg_concentration": str(avg), "max_concentration": str(top)}]
    return assess(records, division="410000", outlets={"DA1": {"standards": {"so2": str(standard)}}},
                  rates={"so2": "2"}, parameters=TaxParameters(boundary=boundary)).rows[0]


@settings(max_examples=60, deadline=None)
@given(STANDARDS, st.sampled_from([D("0.5"), D("0.7")]), st.sampled_from([-1, 0, 1]), st.booleans())
def test_ratios_just_below_at_and_above_the_boundaries_are_exact(standard, share, step, inclusive):
    # LAW-13: C = share x S + step x 1e-9 (a tiny exact decimal offset); strict needs C < share x S
    avg = share * standard + step * D("1e-9")
    row = row_for(avg, standard, standard, "inclusive" if inclusive else "strict")
    below = avg < share * standard or (inclusive and avg == share * standard)
    better = {"0.5": "50%", "0.7": "75%"}[str(share)]
    if below:
        assert row.tier in ("50%", "75%") and (row.tier == "50%" if share == D("0.5") else True)
    else:
        assert row.tier != better


@settings(max_examples=60, deadline=None)
@given(STANDARDS, st.integers(min_value=0, max_value=1000), st.integers(min_value=1, max_value=10**6))
def test_tax_due_never_exceeds_tax_before(standard, permille, kg):
    avg = standard * permille / 1000
    row = row_for(avg, avg, standard, kg=str(kg))
    assert D(0) <= row.tax_due <= row.tax_before_reduction
    assert row.reduction + row.tax_due == row.tax_before_reduction


@settings(max_examples=60, deadline=None)
@given(STANDARDS, st.integers(min_value=0, max_value=1500), st.integers(min_value=0, max_value=1500),
       st.sampled_from(["strict", "inclusive"]))
def test_lowering_a_concentration_never_raises_the_tax(standard, a, b, boundary):
    low, high = sorted((standard * a / 1000, standard * b / 1000))
    assert row_for(low, low, standard, boundary).tax_due <= row_for(high, high, standard, boundary).tax_due


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=300), min_size=2, max_size=24), st.integers(0, 23))
def test_lowering_one_hourly_value_never_raises_the_tax(values, which):
    # CEMS hours: lowering one hour lowers both the mean and the emission, never the tax due
    def due(vs):
        records = [{"outlet": "DA1", "pollutant": "so2", "time": f"2024-01-01T{h:02d}:00",
                    "concentration": v, "flow": 100_000} for h, v in enumerate(vs)]
        return assess(records, division="410000", outlets={"DA1": {"standards": {"so2": 200}}}).rows[0].tax_due
    which %= len(values)
    lowered = list(values)
    lowered[which] = lowered[which] // 2
    assert due(lowered) <= due(values)


@given(st.lists(st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False), min_size=1, max_size=30))
@settings(max_examples=60, deadline=None)
def test_scaled_integers_are_the_exact_decimals(values):
    # each value written plainly (as a CSV holds it) comes back as ints / 10**scale, exactly
    import numpy as np

    from incentives.tax.numbers import scaled_decimals
    texts = np.array([format(v, "f") for v in values], dtype=object)
    ints, scale, bad = scaled_decimals(texts)
    assert not bad.any()
    assert [D(int(i)).scaleb(-scale) for i in ints] == [D(t) for t in texts]


def test_record_order_does_not_change_the_assessment():
    # the grouping takes a sorted file as is and sorts any other: same rows either way
    records = [{"outlet": o, "pollutant": p, "time": f"2024-01-{d:02d}T{h:02d}:00", "concentration": str(c),
                "flow": "1000"} for o in ("DA1", "DA2") for p in ("so2", "nox") for d in (1, 2)
               for h, c in ((0, 10), (1, 90 - 5 * d), (2, 20))]
    outlets = {o: {"standards": {"so2": 80, "nox": 100}} for o in ("DA1", "DA2")}

    def rows(recs):
        return [(r.outlet, r.pollutant, r.avg_concentration, r.max_concentration, r.max_time, r.tier, r.tax_due)
                for r in assess(recs, division="410000", outlets=outlets, rates={"so2": 2, "nox": 2}).rows]
    forward = rows(records)
    # DA1 so2: 10, 85, 20, 10, 80, 20 -> mean 225/6 = 37.5; max 85 > 80 at 2024-01-01 01:00 (条例 第十条 ¶2)
    assert ("DA1", "so2", D("37.5"), D(85), "2024-01-01 01:00", "none") in [r[:6] for r in forward]
    assert rows(records[::-1]) == forward
    assert rows(records[1::2] + records[::2]) == forward
