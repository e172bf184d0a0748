"""Files the service writes never carry a cell a spreadsheet would run (OWASP CSV injection)."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from incentives import cells

RISKY = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\r=x", "=HYPERLINK(\"http://evil\")", "-", "+"]
SAFE = ["name", "A", "0.75", "-12.5", "+3", "100", "", "a=b", "中文=1"]


@pytest.mark.parametrize("value", RISKY)
def test_risky_text_gets_an_apostrophe(value):
    assert cells.neutralise(value) == "'" + value


@pytest.mark.parametrize("value", SAFE + [Decimal("-1.5"), -3, 2.5, None])
def test_plain_values_and_numbers_stay_as_they_are(value):
    assert cells.neutralise(value) == value


def test_csv_text_has_a_bom_and_no_formula_cell():
    text = cells.csv_text([["name", "n"], ["=cmd|' /C calc'!A0", "-1.50"], ["@x", 3]])
    assert text.startswith(cells.BOM)
    rows = list(csv.reader(io.StringIO(text.removeprefix(cells.BOM))))
    assert rows == [["name", "n"], ["'=cmd|' /C calc'!A0", "-1.50"], ["'@x", "3"]]


def test_xlsx_cells_are_text_never_formulas_and_numbers_stay_numbers():
    data = cells.xlsx_bytes([("s", [["name", "n"], ["=1+1", Decimal("2.50")], ["+A1", -3], ["-x", "-4"]])])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values == [["name", "n"], ["=1+1", 2.5], ["+A1", -3], ["-x", "-4"]]
    types = [[c.data_type for c in row] for row in sheet.iter_rows()]
    assert all(t != "f" for row in types for t in row)
    assert sheet["A2"].data_type == "s" and sheet["A2"].quotePrefix
    assert sheet["B2"].data_type == "n"
