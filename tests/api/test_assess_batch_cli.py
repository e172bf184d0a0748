"""`gis assess-batch`: many taxpayers' files offline, summary.csv and <uscc>.csv, exit status."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
from click.testing import CliRunner

from api.cli import main
from incentives import uscc as uscc_mod

ROOT = Path(__file__).parent.parent.parent
OUTLETS = {"DA001": {"standards": {"so2": 35, "nox": 50, "soot": 10}},
           "DA002": {"standards": {"so2": 35, "nox": 50, "soot": 10}}}


def generated(seed: int, months: int = 2) -> bytes:
    """A generated taxpayer file: two outlets, three pollutants, `months` months of hourly values."""
    rng = np.random.default_rng(seed)
    hours = np.arange(np.datetime64("2024-01-01T00:00"), np.datetime64(f"2024-{months + 1:02d}-01T00:00"),
                      np.timedelta64(1, "h"))
    lines = ["排放口,污染物,时间,浓度,流量"]
    for outlet in ("DA001", "DA002"):
        flow = rng.integers(20_000, 120_000, len(hours))
        for code, mean in (("so2", 15), ("nox", 30), ("soot", 4)):
            conc = np.round(rng.gamma(4, mean / 4, len(hours)), 1)
            lines += [f"{outlet},{code},{str(t)[:16]},{c:.1f},{f}" for t, c, f in zip(hours, conc, flow)]
    return ("\n".join(lines) + "\n").encode()


def test_batch_equals_single_to_the_fen_on_generated_files_and_reports_the_bad_one(tmp_path, database_url,
                                                                                   monkeypatch):
    monkeypatch.setenv("GIS_DATABASE_URL", database_url)
    folder = tmp_path / "in"
    folder.mkdir()
    usccs = [uscc_mod.make("91", "410100", f"HN00000{i}") for i in range(1, 4)]
    for i, code in enumerate(usccs[:2]):
        (folder / f"{code}.csv").write_bytes(generated(seed=i))
    (folder / f"{usccs[2]}.csv").write_bytes("排放口,污染物,时间,浓度,流量\nDA001,so2,2024-01-01T00:00,x,1\n".encode())
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(main, ["assess-batch", str(folder), "--out", str(out), "--division", "410100",
                                  "--outlets", json.dumps(OUTLETS), "--memory-limit", "500MB", "--threads", "1"])
    assert result.exit_code == 1, result.output      # one file was refused
    summary = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text(encoding="utf-8-sig"))))
    assert [r["uscc"] for r in summary] == usccs
    assert [r["status"] for r in summary] == ["assessed", "assessed", "refused"]
    assert "row 2" in summary[2]["errors"] and "not a number" in summary[2]["errors"]
    for code in usccs[:2]:
        single = tmp_path / f"single-{code}.csv"
        r = runner.invoke(main, ["assess", str(folder / f"{code}.csv"), "--division", "410100",
                                 "--outlets", json.dumps(OUTLETS), "--out", str(single)])
        assert r.exit_code == 0, r.output
        assert (out / f"{code}.csv").read_bytes() == single.read_bytes()
        assert summary[usccs.index(code)]["months"] == "2"
        due = [row for row in csv.reader(io.StringIO(single.read_text(encoding="utf-8-sig")))][-1]
        assert due[0] in ("合计", "total")
    assert not (out / f"{usccs[2]}.csv").exists()
