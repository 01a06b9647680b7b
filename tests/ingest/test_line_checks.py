"""Line verdicts: the quick check on quote-split fields and the full pattern give one answer."""

from __future__ import annotations

import polars as pl

from ingest.log_files import lines_frame
from ingest.log_lines import VALID_LINE, parse_lines

HEAD = '203.0.113.7 - - [01/Jan/2024:10:00:00 +0700] "GET /dataset/abc HTTP/1.1" 200 5'
LINES = [
    HEAD + ' "-" "Mozilla/5.0"',  # 1 usual combined
    HEAD,  # 2 usual common
    HEAD + ' "-" "Mozilla/5.0" "extra" 42',  # 3 extra fields: checked by the full pattern
    HEAD + ' "-" "curl \\"quoted\\" agent"',  # 4 escaped quotes: the full pattern
    '203.0.113.7 - "bob" [01/Jan/2024:10:00:00 +0700] "GET /dataset/abc HTTP/1.1" 200 5 "-" "x"',
    '203.0.113.7 - - [01/Jan/2024:10:00:00 +0700] " 200 5 " 404 7',  # 6 common, odd request
    HEAD + " ",  # 7 trailing space
    HEAD + ' "-"  "Mozilla/5.0"',  # 8 two spaces between referrer and agent
    HEAD + ' "-"',  # 9 referrer without agent
    HEAD + ' "-" "Mozilla/5.0" ',  # 10 trailing space after the agent
    '203.0.113.7 - - [29/Feb/2023:10:00:00 +0700] "GET /dataset/abc HTTP/1.1" 200 5',  # 11
]


def parsed() -> tuple[pl.DataFrame, pl.DataFrame, int, int]:
    data = "".join(line + "\n" for line in LINES).encode()
    batch = parse_lines(lines_frame(data, 1))
    return batch.events, batch.rejected, batch.parsed, batch.combined


def test_verdicts_match_the_full_pattern_line_by_line() -> None:
    events, rejected, parsed_count, _ = parsed()
    by_pattern = pl.Series(LINES).str.contains(VALID_LINE).to_list()
    assert by_pattern == [True] * 6 + [False] * 4 + [True]
    assert rejected["line_no"].to_list() == [7, 8, 9, 10, 11]
    assert parsed_count == 6  # line 11 passes the pattern but 29 Feb 2023 is no day
    assert rejected["reason"].to_list() == [
        "malformed referrer or user agent (truncated line?)",
        "malformed referrer or user agent (truncated line?)",
        "malformed referrer or user agent (truncated line?)",
        "malformed referrer or user agent (truncated line?)",
        "impossible date or time (no such day)",
    ]
    # line 5's quoted user hides its request from the dataset check; line 6 asks for no dataset
    assert events["line_no"].to_list() == [1, 2, 3, 4]
    assert events["ua"].to_list() == [
        "Mozilla/5.0",
        None,
        "Mozilla/5.0",
        'curl \\"quoted\\" agent',
    ]
    assert events["status"].to_list() == [200, 200, 200, 200]


def test_combined_lines_are_counted_as_the_pattern_finds_them() -> None:
    # 1, 3, 4 and 5 carry referrer and agent; line 6's request itself reads `" 200 5 "`
    _, _, _, combined = parsed()
    assert combined == 5


def test_time_stamps_of_usual_lines_are_read_like_strptime_reads_them() -> None:
    def at(stamp: str) -> str:
        return f'203.0.113.7 - - [{stamp}] "GET /dataset/abc HTTP/1.1" 200 5 "-" "x"\n'

    stamps = [
        "01/Jan/2024:10:00:00 +0700",
        "31/Dec/2023:23:30:00 -0530",
        "01/Jan/2024:10:00:00 -0000",
        "29/Feb/2000:10:00:00 +1400",
        "01/Jan/2024:10:00:00 +0\u0e5700",  # a Thai digit in the offset: no such instant
        "01/Jan/2024:1\u0e50:00:00 +0700",  # a Thai digit in the hour
    ]
    data = "".join(at(s) for s in stamps).encode()
    batch = parse_lines(lines_frame(data, 1))
    assert batch.events["ts"].dt.strftime("%Y-%m-%d %H:%M:%S").to_list() == [
        "2024-01-01 03:00:00",
        "2024-01-01 05:00:00",
        "2024-01-01 10:00:00",
        "2000-02-28 20:00:00",
    ]
    assert batch.rejected["line_no"].to_list() == [5, 6]
    # a log's digits are ASCII: a Thai digit is no time stamp at all
    assert set(batch.rejected["reason"]) == {"malformed time stamp"}


def test_quotes_out_of_place_crlf_and_lines_of_quotes() -> None:
    usual = HEAD + ' "-" "Mozilla/5.0"'
    lines = [
        usual + "\r",  # 1 CRLF: the \r is part of the line ending, the line is usual
        HEAD.replace("/dataset/abc", '/dataset/a"bc') + ' "-" "x"',  # 2 a quote in the target
        HEAD + ' "-"',  # 3 four quotes: a referrer without agent
        '""""""',  # 4 six quotes and nothing else
        '"',  # 5
        usual.replace('"-"', '"https://example.org/?q=a b"'),  # 6 spaces inside a quoted field
        HEAD.replace('"GET', '"GET "') + ' "-" "x"',  # 7 eight quotes
        usual + "\r\r",  # 8 only the last \r before \n is the ending: one is left
    ]
    data = "".join(line + "\n" for line in lines).encode()
    batch = parse_lines(lines_frame(data, 1))
    assert batch.events["line_no"].to_list() == [1, 6]
    assert batch.events["ua"].to_list() == ["Mozilla/5.0", "Mozilla/5.0"]
    assert batch.events["referrer_host"].to_list() == [None, "example.org"]
    assert (batch.lines, batch.parsed, batch.combined) == (8, 2, 2)
    assert dict(zip(batch.rejected["line_no"], batch.rejected["reason"], strict=True)) == {
        2: "malformed request, status or size (truncated line?)",
        3: "malformed referrer or user agent (truncated line?)",
        4: "not an access-log line: expected 'host ident user [time] \"request\" ...'",
        5: "not an access-log line: expected 'host ident user [time] \"request\" ...'",
        7: "malformed request, status or size (truncated line?)",
        8: "malformed referrer or user agent (truncated line?)",
    }


def test_time_stamps_read_by_arithmetic_agree_with_strptime_on_every_kind_of_day() -> None:
    """Usual lines' stamps are read digit by digit: held to strptime's %z over leap years,
    month ends, the first and last years a stamp can write and the widest offsets."""
    years = ["0000", "0001", "0100", "0400", "1600", "1900", "1969", "1970", "2000", "2023"]
    years += ["2024", "2100", "9998", "9999"]
    offsets = ["+0000", "-0000", "+0700", "-0530", "+1459", "-1459", "-0001"]
    stamps = [
        f"{day:02d}/{month}/{year}:{clock} {offset}"
        for year in years
        for month in ["Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Nov", "Dec"]
        for day in (1, 28, 29, 30, 31)
        for clock in ("00:00:00", "23:59:59")
        for offset in offsets
    ]
    lines = [
        f'203.0.113.7 - - [{stamp}] "GET /dataset/abc HTTP/1.1" 200 5 "-" "x"' for stamp in stamps
    ]
    data = "".join(line + "\n" for line in lines).encode()
    batch = parse_lines(lines_frame(data, 1))
    shaped = pl.DataFrame({"line_no": range(1, len(lines) + 1), "stamp": stamps}).filter(
        pl.Series(lines).str.contains(VALID_LINE)  # 30 February and the like never get this far
    )
    expected = shaped.select(
        "line_no",
        pl.col("stamp").str.strptime(
            pl.Datetime("us", "UTC"), "%d/%b/%Y:%H:%M:%S %z", strict=False
        ),
    )
    in_range = pl.col("stamp").dt.year().is_between(1970, 9998)
    assert batch.events.select("line_no", "ts").equals(
        expected.filter(in_range).rename({"stamp": "ts"})
    )
    reasons = dict(zip(batch.rejected["line_no"], batch.rejected["reason"], strict=True))
    no_day = expected.filter(pl.col("stamp").is_null())["line_no"].to_list()
    odd_year = expected.filter(~in_range)["line_no"].to_list()
    # 29 February of the 9 common years (0001, 0100, 1900, 1969, 1970, 2023, 2100, 9998, 9999)
    assert len(no_day) == 9 * 2 * len(offsets)
    assert {reasons[n] for n in no_day} == {"impossible date or time (no such day)"}
    assert {reasons[n] for n in odd_year} == {"impossible date or time (year outside 1970-9998)"}
    assert batch.parsed == len(expected) - len(no_day) - len(odd_year) > 0
