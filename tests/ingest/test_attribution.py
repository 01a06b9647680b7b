"""attribution.matched_dataset_sql: which dataset each request belongs to, row by row."""

from __future__ import annotations

from pathlib import Path

from ingest.attribution import matched_dataset_sql, prepare_catalog_lookup
from ingest.db import writing

D1, D2, D3 = (f"d000000{i}-0000-4000-8000-000000000000" for i in (1, 2, 3))
R_FIXED, R_MOVED, R_LATE, R_UNKNOWN = (
    f"r000000{i}-0000-4000-8000-000000000000" for i in (1, 2, 3, 4)
)


def test_each_request_gets_the_dataset_of_its_resource_at_its_instant_else_of_its_url(
    tmp_path: Path,
) -> None:
    with writing(tmp_path / "w.duckdb") as con:
        con.execute(
            "insert into datasets (id, name, first_seen_at, last_seen_at) values"
            f" ('{D1}', 'dengue', now(), now()), ('{D2}', 'covid', now(), now()),"
            # a name that is another dataset's id, in capitals: the key is either of the two
            f" ('{D3}', '{D1.upper()}', now(), now())"
        )
        con.execute(
            "insert into resource_datasets values"
            f" ('{R_FIXED.upper()}', '{D1}', null, null),"  # never moved (ids compared lowered)
            f" ('{R_MOVED}', '{D1}', null, '2023-06-01 00:00:00+07'),"
            f" ('{R_MOVED}', '{D2}', '2023-06-01 00:00:00+07', null),"
            f" ('{R_LATE}', '{D2}', '2023-06-01 00:00:00+07', null)"  # listed from June only
        )
        con.execute(
            """
            create temp table requests as
            select * from (values
                (1, 1, '2023-05-01 10:00:00+07', 'covid', ?),      -- resource over URL
                (1, 2, '2023-05-01 10:00:00+07', 'covid', ?),      -- moved: still dengue's
                (1, 3, '2023-06-01 00:00:00+07', 'dengue', ?),     -- moved: covid's from June 1
                (2, 3, '2023-05-31 23:59:59+07', 'nothing', ?),    -- moved, before: dengue's
                (2, 4, '2023-05-01 10:00:00+07', 'dengue', ?),     -- before its listing: URL
                (2, 5, '2023-05-01 10:00:00+07', 'nothing', ?),    -- before its listing, no URL
                (2, 6, '2023-05-01 10:00:00+07', 'covid', ?),      -- unknown resource: URL
                (2, 7, '2023-05-01 10:00:00+07', ?, null),         -- a dataset by its id
                (2, 8, '2023-05-01 10:00:00+07', 'nothing', null), -- nothing
                (2, 9, '2023-05-01 10:00:00+07', null, null)       -- an API call without id
            ) as t(stream_id, line_no, ts, dataset_ref, resource_id)
            """,
            [R_FIXED, R_MOVED, R_MOVED, R_MOVED, R_LATE, R_LATE, R_UNKNOWN, D2],
        )
        prepare_catalog_lookup(con)
        table = "(select * replace (ts::timestamptz as ts) from requests)"
        rows = con.execute(f"select * from ({matched_dataset_sql(table)}) order by all").fetchall()
        by_id = f"(select 1 as stream_id, 1 as line_no, now() as ts, '{D1}' as dataset_ref,"
        by_id += " null as resource_id)"
        by_ref = con.execute(f"select dataset_id from ({matched_dataset_sql(by_id)})").fetchall()
    assert rows == [
        (1, 1, D1),
        (1, 2, D1),
        (1, 3, D2),
        (2, 3, D1),
        (2, 4, D1),
        (2, 5, None),
        (2, 6, D2),
        (2, 7, D2),
        (2, 8, None),
        (2, 9, None),
    ]
    # D1's id is also D3's name: either dataset is an answer, and one row comes back
    assert len(by_ref) == 1 and by_ref[0][0] in (D1, D3)
