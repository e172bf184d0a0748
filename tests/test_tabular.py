"""incentives.tabular: strict decoding, CSV/XLSX reading, row numbers and header problems."""
import io
from pathlib import Path

import openpyxl
import pytest

from incentives.tabular import FileProblem, decode_text, read_table

FIXTURES = Path(__file__).parent / "fixtures"
ALIASES = {"排放口": "outlet", "污染物": "pollutant", "浓度": "concentration"}


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize("name", ["monitoring_utf8.csv", "monitoring_utf8_bom.csv", "monitoring_gbk.csv",
                                  "monitoring.xlsx"])
def test_every_encoding_and_xlsx_reads_the_same_table(name):
    frame = read_table(fixture(name), filename=name, aliases=ALIASES)
    # header = line 1, so the six data rows are lines 2..7
    assert frame["row"].tolist() == [2, 3, 4, 5, 6, 7]
    assert frame["outlet"].tolist() == ["DA001"] * 6
    assert frame["pollutant"].tolist()[0] == "二氧化硫"
    assert frame["concentration"].tolist() == ["100", "140", "120", "50", "60", "70"]
    assert frame["时间"].tolist()[0] in ("2024-01-01T00:00",)  # unknown headers are kept as written
    assert all(isinstance(v, str) for v in frame["流量"])


def test_decode_text_prefers_utf8_then_gb18030():
    assert decode_text("排放口".encode("utf-8-sig")) == "排放口"
    assert decode_text("排放口".encode("gbk")) == "排放口"


def test_broken_gbk_is_a_400_naming_the_line():
    with pytest.raises(FileProblem) as caught:
        read_table(fixture("monitoring_broken_gbk.csv"))
    # the fixture truncates a character at the end of line 3
    assert caught.value.status == 400
    assert caught.value.errors[0]["row"] == 3


@pytest.mark.parametrize("data, message", [(b"", "file has no rows"), (b"outlet,pollutant\n", "file has no rows"),
                                           (b"outlet,pollutant\n\n,\n", "file has no rows")])
def test_empty_or_header_only_is_422(data, message):
    with pytest.raises(FileProblem) as caught:
        read_table(data)
    assert caught.value.status == 422 and caught.value.detail == message


def test_too_many_rows_is_413():
    data = b"a\n" + b"1\n" * 11
    with pytest.raises(FileProblem) as caught:
        read_table(data, max_rows=10)
    assert caught.value.status == 413
    assert read_table(data, max_rows=11)["row"].tolist()[-1] == 12


def test_missing_required_columns_listed_on_row_1():
    with pytest.raises(FileProblem) as caught:
        read_table("排放口,x\nDA1,1\n".encode(), aliases=ALIASES, required=("outlet", "pollutant", "concentration"))
    assert caught.value.status == 422
    assert caught.value.errors == [{"row": 1, "column": "pollutant, concentration",
                                    "message": "missing required column(s)"}]


def test_blank_lines_keep_file_line_numbers_and_values_are_stripped():
    frame = read_table(b"outlet , v\n a ,1\n\n b, 2 \n")
    assert frame.columns.tolist() == ["outlet", "v", "row"]
    assert frame["row"].tolist() == [2, 4]
    assert frame["outlet"].tolist() == ["a", "b"] and frame["v"].tolist() == ["1", "2"]


def test_malformed_csv_names_the_line():
    with pytest.raises(FileProblem) as caught:
        read_table(b"a,b\n1,2\n1,2,3\n")
    assert caught.value.status == 422 and caught.value.errors[0]["row"] == 3


def test_duplicate_header_after_aliasing_is_422():
    with pytest.raises(FileProblem) as caught:
        read_table("排放口,outlet\n1,2\n".encode(), aliases={"排放口": "outlet", "outlet": "outlet"})
    assert caught.value.errors[0]["row"] == 1


def test_xlsx_with_a_formula_is_refused_with_its_cell():
    with pytest.raises(FileProblem) as caught:
        read_table(fixture("monitoring_formula.xlsx"))
    assert caught.value.status == 422
    assert caught.value.errors == [{"row": 3, "column": "D", "message": "cell D3 holds a formula; send values only"}]


def test_xlsx_with_a_merged_header_is_refused():
    with pytest.raises(FileProblem) as caught:
        read_table(fixture("monitoring_merged_header.xlsx"))
    assert caught.value.errors[0]["row"] == 1 and "merged" in caught.value.errors[0]["message"]


def test_xlsx_detected_by_media_type_but_not_a_zip_is_400():
    with pytest.raises(FileProblem) as caught:
        read_table(b"a,b\n1,2\n", content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert caught.value.status == 400


def test_xlsx_blank_row_keeps_sheet_row_numbers():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["outlet", "v"])
    sheet.append(["a", 1.5])
    sheet.append([])
    sheet.append(["b", 2])
    buffer = io.BytesIO()
    book.save(buffer)
    frame = read_table(buffer.getvalue())
    assert frame["row"].tolist() == [2, 4]
    assert frame["v"].tolist() == ["1.5", "2"]


# ---- the byte-wise reader (categorical=True) gives the very table the pandas reader gives ----------------

BYTEWISE = [
    b"outlet , v\n a ,1\n\n b, 2 \n",                      # blank line and padding: the pandas path
    b"a,b\r\n1,2\r\n3,\r\n",                                 # CRLF, empty last field
    "排放口,污染物\nDA1,二氧化硫\nDA2,so2".encode("gbk"),       # GBK, no final newline
    "\ufeff排放口,x\n1,2\n".encode("utf-8"),                  # BOM
    "排放口,x\n1,\u3000a\n".encode("utf-8"),                  # full-width space kept (no ASCII space)
    "排放口, x\n1,\u3000a\n".encode("utf-8"),                 # stripped (an ASCII space somewhere)
    b"a,b\n1,2\n,\n3,4\n",                                   # a blank row of commas is dropped
    b"a\n1\n2\n", b"a,b\n1,",
    b"a,b\r\n1,abcdefghijklmnopq\r\n3,abcdefghijklmnopr\r\n",  # values wider than one 8-byte word
    b"abcdefghij,b\n123456789012,3",                         # a value in the last 7 bytes
    b'a,b\n"1,5",2\n', b"a,b\n1,2\r3,4\n",                    # quotes, lone CR: the pandas path
]


@pytest.mark.parametrize("data", BYTEWISE)
def test_bytewise_reader_equals_the_pandas_reader(data):
    plain = read_table(data)
    fast = read_table(data, categorical=True)
    assert fast.astype(object).to_dict("list") == plain.to_dict("list")
    assert fast.attrs == plain.attrs and list(fast.columns) == list(plain.columns)


@pytest.mark.parametrize("name", ["monitoring_utf8.csv", "monitoring_gbk.csv"])
def test_bytewise_reader_reads_categoricals(name):
    fast = read_table(fixture(name), aliases=ALIASES, categorical=True)
    assert str(fast["outlet"].dtype) == "category"
    assert fast.astype(object).to_dict("list") == read_table(fixture(name), aliases=ALIASES).to_dict("list")


@pytest.mark.parametrize("data, status", [(b"a,b\n", 422), (fixture("monitoring_broken_gbk.csv"), 400),
                                          (b"a,b\n1,2\n1,2,3\n", 422)])
def test_bytewise_reader_refuses_like_the_pandas_reader(data, status):
    for categorical in (False, True):
        with pytest.raises(FileProblem) as caught:
            read_table(data, categorical=categorical)
        assert caught.value.status == status


def test_categorical_reader_with_short_and_long_values_in_one_column():
    # regression: a column mixing values shorter than 8 bytes with values of 8+ bytes gave duplicate categories
    from incentives.tabular import read_table
    data = b"a,b\nabcdefghij,1\nab,2\nab,3\nabcdefghij,4\n"
    fast = read_table(data, categorical=True)
    plain = read_table(data)
    assert [str(v) for v in fast["a"]] == ["abcdefghij", "ab", "ab", "abcdefghij"] == list(plain["a"])
    assert list(fast["row"]) == [2, 3, 4, 5]


def test_every_malformed_line_is_reported_with_its_line_number():
    # lines 3 and 5 have three fields under a two-field header; line 4 is fine
    with pytest.raises(FileProblem) as caught:
        read_table(b"a,b\n1,2\n1,2,3\n4,5\n6,7,8\n")
    assert caught.value.status == 422
    assert [e["row"] for e in caught.value.errors] == [3, 5]


def test_a_quoted_value_over_two_lines_keeps_the_next_rows_line_numbers():
    frame = read_table(b'a,b\n"x\ny",1\n\nz,2\n')
    assert frame["a"].tolist() == ["x\ny", "z"]
    assert frame["row"].tolist() == [2, 5]


def test_gbk_file_with_a_malformed_line_names_that_line():
    with pytest.raises(FileProblem) as caught:
        read_table("排放口,污染物\nDA1,二氧化硫\nDA2,二氧化硫,多余\n".encode("gbk"))
    assert caught.value.status == 422 and [e["row"] for e in caught.value.errors] == [3]
