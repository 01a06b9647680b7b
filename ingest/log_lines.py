"""Parse a batch of access-log lines (combined or common format) into dataset requests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import pyarrow as pa

from ingest.known_values import distinct_codes
from ingest.log_files import MAX_LINE_BYTES
from ingest.privacy import STORED_LINE_CHARS, mask_columns, mask_ips, referrer_hosts

_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
# Day/month pairs that exist (29 Feb in a common year is caught later by strptime).
_DAY_MONTH = (
    r"(?:(?:0[1-9]|1[0-9]|2[0-8])/(?:" + _MONTHS + r")"
    r"|29/(?:" + _MONTHS + r")"
    r"|30/(?:Jan|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
    r"|31/(?:Jan|Mar|May|Jul|Aug|Oct|Dec))"
)
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9] [+-](?:0[0-9]|1[0-4])[0-5][0-9]"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_HEAD = r"^\S+ \S+ \S+ \["
# host ident user [time] "request" status bytes ["referrer" "user agent" [extra fields]]
VALID_LINE = (
    _HEAD + _DAY_MONTH + r"/[0-9]{4}:" + _TIME + r"\] " + _QUOTED + r" [0-9]{3} (?:[0-9]+|-)"
    r"(?: " + _QUOTED + " " + _QUOTED + r"(?: (?:" + _QUOTED + r"|[^\s\"]+))*)?$"
)
# The usual line, checked on its quote-split fields (which parsing needs anyway): no backslash,
# and either 2 quotes (common format) or exactly 6 (combined). Each check is a piece of
# VALID_LINE, so a line that passes matches VALID_LINE; only the others meet the whole pattern.
_USUAL_HEAD = _HEAD + _DAY_MONTH + r"/[0-9]{4}:" + _TIME + r"\] $"
_STATUS_SIZE = r"^ [0-9]{3} (?:[0-9]+|-)"
_COMBINED = r'" [0-9]{3} (?:[0-9]+|-) "'
_TS_SHAPE = r"\[[0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}\]"
_LOOKS_RELEVANT = (
    r'^[^"]*"[A-Z]+ (?:https?://[^/ "]+)?(?:/th|/en)?/'
    r"(?:dataset/|api/(?:[0-9]+/)?action/package_show)"
)
# _LOOKS_RELEVANT after its `^[^"]*"`, for the request of a usual line (nothing in it can
# match a quote, so on such a line it matches within the request or not at all)
_REQUEST_RELEVANT = "^" + _LOOKS_RELEVANT.removeprefix('^[^"]*"')
_TS_FORMAT = "%d/%b/%Y:%H:%M:%S %z"
_HEAD_TAIL = len("[01/Jan/2024:10:00:00 +0700] ")
# where in that tail each digit is (day, year, time, offset), then the month's last two letters
# and the offset's sign
_STAMP_BYTES = np.array([1, 2, 8, 9, 10, 11, 13, 14, 16, 17, 19, 20, 23, 24, 25, 26, 5, 6, 22])
# a month by the sum of its name's last two letters: twelve different sums, from 199 to 229
_MONTH_KEY = ord("e") + ord("b")
_MONTH_OF = np.zeros(31, dtype=np.int32)
for _number, _name in enumerate(_MONTHS.split("|"), 1):
    _MONTH_OF[ord(_name[1]) + ord(_name[2]) - _MONTH_KEY] = _number

_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
YEARS = (1970, 9998)  # of a request's instant (UTC) that is stored

EVENT_SCHEMA: dict[str, pl.DataType | type[pl.DataType]] = {
    "line_no": pl.Int64,
    "ip": pl.String,
    "ts": pl.Datetime("us", "UTC"),
    "method": pl.String,
    "status": pl.Int16,
    "referrer_host": pl.String,
    "ua": pl.String,
    "kind": pl.String,
    "dataset_ref": pl.String,
    "resource_id": pl.String,
    "item": pl.String,
}

# counting.ITEM_SQL in polars (SQL's null logic included), what double clicks collapse on
ITEM = (
    pl.when(pl.col("kind") == "download")
    .then(pl.col("resource_id"))
    .otherwise(pl.lit("ref:") + pl.col("dataset_ref"))
)


@dataclass(frozen=True)
class ParsedBatch:
    """Dataset requests (raw IP still in memory only), rejected lines, and the tallies."""

    events: pl.DataFrame
    rejected: pl.DataFrame  # line_no, reason, line_masked
    lines: int
    parsed: int
    combined: int  # parsed lines that carry referrer and user agent


def _reason() -> pl.Expr:
    line = pl.col("line")
    return (
        pl.when(pl.col("too_long"))
        .then(
            pl.lit(
                f"line longer than {MAX_LINE_BYTES // 1024:,} KiB: not an access-log line"
                " (only its start is kept)"
            )
        )
        .when(line.is_null())
        .then(pl.lit("invalid UTF-8"))
        .when(line.str.strip_chars() == "")
        .then(pl.lit("empty line"))
        .when(~line.str.contains(_HEAD))
        .then(pl.lit("not an access-log line: expected 'host ident user [time] \"request\" ...'"))
        .when(~line.str.contains(_TS_SHAPE))
        .then(pl.lit("malformed time stamp"))
        .when(~line.str.contains(r"\[" + _DAY_MONTH + r"/[0-9]{4}:" + _TIME + r"\]"))
        .then(
            pl.lit("impossible date or time: ") + line.str.extract(r"\[([^\]]*)\]", 1).fill_null("")
        )
        .when(~line.str.contains(r"\] " + _QUOTED + r" [0-9]{3} (?:[0-9]+|-)"))
        .then(pl.lit("malformed request, status or size (truncated line?)"))
        .otherwise(pl.lit("malformed referrer or user agent (truncated line?)"))
    )


def _rejected_frame(lines: pl.DataFrame) -> pl.DataFrame:
    return lines.select(
        pl.col("line_no"),
        _reason().alias("reason"),
        mask_ips(pl.col("line").fill_null(pl.col("fallback")))
        .str.slice(0, STORED_LINE_CHARS)  # masked first: no address is cut in two
        .alias("line_masked"),
    )


def _split_fields(rows: pl.DataFrame) -> pl.DataFrame:
    """Fields of valid lines without escaped quotes: split on quotes, then on spaces."""
    return _quoted_fields(rows.select(pl.col("line_no"), _split_quotes()).unnest("q"))


_PIECES = [f"field_{n}" for n in range(7)]  # of _split_quotes


def _split_quotes() -> pl.Expr:
    return pl.col("line").str.splitn('"', 7).alias("q")


def _quoted_fields(quoted: pl.DataFrame, usual: bool = False) -> pl.DataFrame:
    """Fields from a line's pieces between quotes (field_0 to field_5), split on spaces.

    `usual`: the lines passed _USUAL_HEAD, so their time stamps have its exact shape.
    """
    if usual:
        # the head ends "[01/Jan/2024:10:00:00 +0700] " (_USUAL_HEAD, all ASCII): the time
        # stamp is read from its end, and only the IP is split off its start
        head = quoted.select(
            pl.col("field_0").str.splitn(" ", 2).struct.field("field_0").alias("ip"),
            pl.col("field_0").str.slice(-_HEAD_TAIL).alias("tail"),
        )
        ip, ts = head["ip"], _usual_time(head["tail"])
    else:
        head = quoted.select(pl.col("field_0").str.split_exact(" ", 4)).unnest("field_0")
        text = head["field_3"].str.slice(1) + " " + head["field_4"].str.slice(0, 5)
        ts = text.to_frame("ts_text").select(_time(pl.col("ts_text"))).to_series()
        ip = head["field_0"]
    return pl.DataFrame(
        {
            "line_no": quoted["line_no"],
            "ip": ip,
            "ts": ts,
            "request": quoted["field_1"],
            # valid lines' piece after the request starts " [0-9]{3} "
            "status_text": quoted["field_2"].str.slice(1, 3),
            "referrer": quoted["field_3"],
            "ua": quoted["field_5"],
        }
    )


def _regex_fields(rows: pl.DataFrame) -> pl.DataFrame:
    """Fields of the rare lines with escaped quotes, by the slower regex."""
    pattern = (
        r"^(\S+) \S+ \S+ \[([^\]]+)\] \"((?:[^\"\\]|\\.)*)\" ([0-9]{3}) ([0-9]+|-)"
        r"(?: \"((?:[^\"\\]|\\.)*)\" \"((?:[^\"\\]|\\.)*)\")?"
    )
    names = {"ip": 1, "ts_text": 2, "request": 3, "status_text": 4, "referrer": 6, "ua": 7}
    return rows.select(
        pl.col("line_no"),
        *[pl.col("line").str.extract(pattern, i).alias(n) for n, i in names.items()],
    ).select("line_no", "ip", _time(pl.col("ts_text")), *list(names)[2:])


def _time(text: pl.Expr) -> pl.Expr:
    """The instant of a time stamp's text ("01/Jan/2024:10:00:00 +0700"), null if none."""
    return text.str.strptime(pl.Datetime("us", "UTC"), _TS_FORMAT, strict=False).alias("ts")


def _usual_time(tail: pl.Series) -> pl.Series:
    """_time of heads' last _HEAD_TAIL bytes, "[01/Jan/2024:10:00:00 +0700] ", which
    _USUAL_HEAD already shaped (ASCII digits, a month's name, a day the month can have).

    The digits are read by arithmetic on the bytes, not by strptime (a third of its CPU):
    the day number is H. Hinnant's days_from_civil; 29 February of a common year is no day
    (null), as strptime finds. tests/ingest/test_line_checks.py holds the two to one answer.
    """
    if tail.is_empty():
        return pl.Series("ts", [], pl.Datetime("us", "UTC"))
    text = tail.to_arrow().cast(pa.binary()).cast(pa.binary(_HEAD_TAIL))
    raw = np.frombuffer(
        text.buffers()[1], np.uint8, len(text) * _HEAD_TAIL, text.offset * _HEAD_TAIL
    )
    picked = np.ascontiguousarray(raw.reshape(-1, _HEAD_TAIL)[:, _STAMP_BYTES].T).astype(np.int32)
    d = picked[:16] - ord("0")
    day = d[0] * 10 + d[1]
    year = ((d[2] * 10 + d[3]) * 10 + d[4]) * 10 + d[5]
    seconds = (d[6] * 10 + d[7]) * 3600 + (d[8] * 10 + d[9]) * 60 + d[10] * 10 + d[11]
    east = np.where(picked[18] == ord("-"), -60, 60)
    offset = ((d[12] * 10 + d[13]) * 60 + d[14] * 10 + d[15]) * east
    month = _MONTH_OF[picked[16] + picked[17] - _MONTH_KEY]
    shifted = year - (month <= 2)  # a year from March, so 29 February ends it
    era = shifted // 400
    of_era = shifted - era * 400
    of_year = (153 * ((month + 9) % 12) + 2) // 5 + day - 1
    days = era * 146097 + of_era * 365 + of_era // 4 - of_era // 100 + of_year - 719468
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    no_day = (month == 2) & (day == 29) & ~leap
    instant = pl.Series("ts", (days.astype(np.int64) * 86400 + seconds - offset) * 1_000_000)
    return instant.scatter(np.flatnonzero(no_day), None).cast(pl.Datetime("us", "UTC"))


def _blank(column: str) -> pl.Expr:
    return pl.col(column).is_null() | (pl.col(column) == "")


def _label_paths(path: pl.Series, query: pl.Series) -> pl.DataFrame:
    """Return kind, dataset_ref and resource_id of CKAN dataset paths (null kind otherwise)."""
    prefixed = path.str.starts_with("/th/") | path.str.starts_with("/en/")
    bare = _rewritten(path, prefixed, r"^/(?:th|en)/", "/")
    parts = bare.str.split_exact("/", 6).struct.unnest()
    frame = pl.DataFrame(
        {
            "bare": bare,
            "top": parts["field_1"],
            "dataset": parts["field_2"],
            "sub": parts["field_3"],
            "resource": parts["field_4"],
            "action": parts["field_5"],
            "rest": parts["field_6"],
            "query": query,
        }
    )
    is_uuid = pl.col("resource").str.contains("^" + _UUID + "$").fill_null(False)
    dataset_ok = (
        (pl.col("top") == "dataset") & pl.col("dataset").is_not_null() & (pl.col("dataset") != "")
    )
    kind = (
        pl.when(pl.col("bare").str.contains(r"^/api/(?:[0-9]+/)?action/package_show/?$"))
        .then(pl.lit("api"))
        .when(dataset_ok & _blank("sub") & pl.col("resource").is_null())
        .then(pl.lit("landing"))
        .when(
            dataset_ok & (pl.col("sub") == "resource") & is_uuid & (pl.col("action") == "download")
        )
        .then(pl.lit("download"))
        .when(
            dataset_ok
            & (pl.col("sub") == "resource")
            & is_uuid
            & _blank("action")
            & pl.col("rest").is_null()
        )
        .then(pl.lit("resource"))
    )
    # the kind once, then used three times (an eager select would evaluate it each time)
    return frame.with_columns(kind.alias("kind")).select(
        pl.col("kind"),
        pl.when(pl.col("kind") == "api")
        .then(pl.col("query").str.extract(r"(?:^|&)id=([^&]+)", 1))
        .otherwise(pl.col("dataset"))
        .str.to_lowercase()
        .alias("dataset_ref"),
        pl.when(pl.col("kind").is_in(["download", "resource"]))
        .then(pl.col("resource").str.to_lowercase())
        .alias("resource_id"),
    )


def _shapes(distinct: pl.Series) -> pl.DataFrame:
    """Label distinct request targets (most requests repeat a popular URL), row for row."""
    bare = _rewritten(distinct, distinct.str.starts_with("http"), r"^https?://[^/]+", "")
    # most targets have no query or fragment: only those few meet the regexes
    marked = bare.str.contains("[?#]")
    path = _rewritten(bare, marked, r"[?#].*$", "")
    query = pl.repeat(None, bare.len(), dtype=pl.String, eager=True).scatter(
        marked.arg_true(), bare.filter(marked).str.extract(r"\?([^#]*)", 1)
    )
    return _label_paths(path, query)


def _rewritten(text: pl.Series, where: pl.Series, pattern: str, value: str) -> pl.Series:
    """text.str.replace(pattern, value), run only on the rows `where` says it can match."""
    if not where.any():
        return text
    # scatter writes in place: into a copy, never into the caller's series
    return text.clone().scatter(where.arg_true(), text.filter(where).str.replace(pattern, value))


def _events(fields: pl.DataFrame) -> pl.DataFrame:
    """Typed dataset requests from raw fields; rows whose path is no dataset request drop out.

    Targets and referrers are worked out once per distinct value, and put back on the rows by
    their index into the distinct values (a gather, not a join on text).
    """
    request = fields.select(pl.col("request").str.split_exact(" ", 2)).unnest("request")
    targets, target_codes = distinct_codes(request.select(pl.col("field_1").alias("target")))
    shapes = (
        _shapes(targets["target"])
        .pipe(mask_columns, ["dataset_ref"])  # PDPA: /dataset/100.66.7.8
        .with_columns(
            ITEM.alias("item"),
            (pl.col("kind").is_not_null() & pl.col("dataset_ref").is_not_null()).alias("dataset"),
        )
        .gather(target_codes)
    )
    typed = pl.DataFrame(
        {
            "line_no": fields["line_no"],
            "ip": fields["ip"],
            "ts": fields["ts"],
            "method": request["field_0"],
            "status": fields["status_text"].cast(pl.Int16, strict=False),
            "referrer": fields["referrer"],
            "ua": fields["ua"],
        }
    )
    requests = pl.concat([typed, shapes], how="horizontal").filter(pl.col("dataset"))
    referrers, referrer_codes = distinct_codes(requests.select("referrer"))
    hosts = referrer_hosts(referrers["referrer"]).gather(referrer_codes)
    return requests.with_columns(hosts.alias("referrer_host")).select(
        *[pl.col(n).cast(t) for n, t in EVENT_SCHEMA.items()]
    )


def _verdicts(lines: pl.DataFrame) -> pl.DataFrame:
    """The lines, their quote-split pieces, whether each is usual and whether it is valid."""
    field = pl.col
    # status and size, then a space before the referrer's quote (6 quotes) or the end (2 quotes)
    spaced = field("field_2").str.ends_with(" ")
    usual = (
        ~field("too_long")
        & ~field("backslash")
        & field("field_0").str.contains(_USUAL_HEAD)
        & field("field_2").str.contains(_STATUS_SIZE + " ?$")
        & (
            ((field("field_6") == "") & (field("field_4") == " ") & spaced)
            | (field("field_3").is_null() & ~spaced)
        )
    ).fill_null(False)
    flagged = lines.with_columns(_split_quotes()).unnest("q").with_columns(usual.alias("usual"))
    unusual = flagged.select("line_no", "line", "too_long", "usual").filter(~pl.col("usual"))
    valid_unusual = unusual.filter(
        pl.col("line").str.contains(VALID_LINE).fill_null(False) & ~pl.col("too_long")
    )["line_no"]
    return flagged.with_columns(
        (pl.col("usual") | pl.col("line_no").is_in(valid_unusual.implode())).alias("valid")
    )


def parse_lines(lines: pl.DataFrame) -> ParsedBatch:
    """Parse lines (columns line_no, line; line null where not UTF-8, fallback its lossy text;
    backslash, if given, whether the line holds one)."""
    if "fallback" not in lines.columns:
        lines = lines.with_columns(pl.lit(None, pl.String).alias("fallback"))
    if "too_long" not in lines.columns:
        lines = lines.with_columns(pl.lit(None, pl.Boolean).alias("too_long"))
    if "backslash" not in lines.columns or lines["backslash"].null_count():
        # a frame that does not say (or not for every line, as a batch holding an over-long
        # line): search each line
        lines = lines.with_columns(
            pl.col("line").str.contains("\\", literal=True).alias("backslash")
        )
    lines = lines.with_columns(
        pl.col("too_long")
        .fill_null(pl.col("line").str.len_bytes() > MAX_LINE_BYTES)
        .fill_null(False)
    )
    flagged = _verdicts(lines)
    # each filter gathers only the columns its rows are used for
    usual = flagged.select("line_no", *_PIECES, "usual").filter(pl.col("usual"))  # all valid
    others = flagged.select("line_no", "line", "valid", "usual").filter(
        pl.col("valid") & ~pl.col("usual")
    )
    relevant = others.filter(pl.col("line").str.contains(_LOOKS_RELEVANT))
    escaped = relevant["line"].str.contains("\\", literal=True)
    fields = pl.concat(
        [
            _quoted_fields(
                usual.filter(pl.col("field_1").str.contains(_REQUEST_RELEVANT)), usual=True
            ),
            _split_fields(relevant.filter(~escaped)),
            _regex_fields(relevant.filter(escaped)),
        ]
    )
    events = _events(fields)
    # 29 Feb of a common year passes the line pattern but not strptime; a year before 1970 or
    # after 9998 no web server wrote, and its Thai day would be outside what pages can show
    no_day = pl.col("ts").is_null()
    odd_year = ~pl.col("ts").dt.year().is_between(YEARS[0], YEARS[1])
    bad_ts = events.filter(no_day | odd_year)["line_no"]
    odd_years = events.filter(odd_year)["line_no"]
    events = events.filter(~(no_day | odd_year))
    kept = flagged.select("line_no", "line", "fallback", "too_long", "valid")
    rejected = pl.concat(
        [
            _rejected_frame(kept.filter(~pl.col("valid"))),
            _rejected_frame(kept.filter(pl.col("line_no").is_in(bad_ts.implode()))).with_columns(
                pl.when(pl.col("line_no").is_in(odd_years.implode()))
                .then(pl.lit(f"impossible date or time (year outside {YEARS[0]}-{YEARS[1]})"))
                .otherwise(pl.lit("impossible date or time (no such day)"))
                .alias("reason")
            ),
        ]
    ).sort("line_no")
    # a usual line with 6 quotes is combined; with 2, only if its request looks like the pattern
    combined = (
        usual.select(
            ((pl.col("field_6") == "") | pl.col("field_1").str.contains(_STATUS_SIZE + " $")).sum()
        ).item()
        + others.select(pl.col("line").str.contains(_COMBINED).sum()).item()
    )
    return ParsedBatch(
        events=events,
        rejected=rejected,
        lines=lines.height,
        parsed=int(flagged["valid"].sum()) - bad_ts.len(),
        combined=int(combined or 0),
    )
