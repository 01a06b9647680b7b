"""Deterministic synthetic CKAN access logs (combined format) with their COUNTER ground truth."""

from __future__ import annotations

import gzip as gzip_module
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

# Classes of user agent, as counter-robots classifies them (checked by the tests).
REGULAR, MACHINE, ROBOT = "regular", "machine", "robot"
CLASSES = (REGULAR, MACHINE, ROBOT)
# Kinds of request line.
DOWNLOAD, LANDING, RESOURCE, API, OTHER = "download", "landing", "resource", "api", "other"
KINDS = (DOWNLOAD, LANDING, RESOURCE, API, OTHER)
DOUBLE_CLICK_SECONDS = 30
AUDIENCE_UTC_OFFSET = timedelta(hours=7)  # daily rhythm and months follow Thai time

_USER_AGENTS: dict[str, tuple[tuple[str, float], ...]] = {
    REGULAR: (
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/120.0.0.0 Safari/537.36",
            30,
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
            8,
        ),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0", 4),
        (
            "Mozilla/5.0 (Linux; Android 13; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/119.0.6045.163 Mobile Safari/537.36",
            18,
        ),
        (
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko)"
            " SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
            5,
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15"
            " (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
            14,
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15"
            " (KHTML, like Gecko) Mobile/15E148 Line/13.21.0",
            6,
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15"
            " (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
            8,
        ),
    ),
    MACHINE: (
        ("python-requests/2.31.0", 35),
        ("curl/8.4.0", 15),
        ("Wget/1.21.4", 12),
        ("Java/17.0.8", 6),
        ("Apache-HttpClient/4.5.14 (Java/17.0.8)", 6),
        ("python-urllib3/2.0.7", 10),
        ("Go-http-client/1.1", 8),
    ),
    ROBOT: (
        ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", 30),
        (
            "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36"
            " (KHTML, like Gecko) Chrome/119.0.6045.199 Mobile Safari/537.36"
            " (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            15,
        ),
        ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", 15),
        ("Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)", 8),
        ("Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)", 5),
        ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", 8),
        ("Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)", 5),
        ("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)", 4),
        ("-", 10),
    ),
}
# Share of dataset requests by kind (download, landing, resource page, API) for each class.
_KIND_MIX = {
    REGULAR: (0.45, 0.35, 0.12, 0.08),
    MACHINE: (0.60, 0.05, 0.05, 0.30),
    ROBOT: (0.20, 0.55, 0.20, 0.05),
}
# Relative traffic by local hour of day: people sleep, machines and robots do not.
_DIURNAL = np.array(
    [3, 2, 1.5, 1, 1, 1.5, 3, 5, 8, 10, 11, 10, 8, 10, 11, 10, 9, 7, 6, 7, 8, 8, 6, 4], float
)
_METHODS = ("GET", "HEAD", "POST")
_PROTOCOLS = ("HTTP/1.1", "HTTP/2.0", "HTTP/1.0")
_REFERRERS = (
    "-",
    "https://www.google.com/",
    "https://www.google.co.th/",
    "https://data.go.th/",
    "https://www.facebook.com/",
    "https://www.bing.com/",
    "https://data.go.th/dataset/",  # + the dataset's own landing page
)
_LANDING_QUERIES = ("?utm_source=facebook", "?_ga=2.1789.1201", "?activity_id=1", "?lang=th")
_DOWNLOAD_QUERIES = ("?download=true", "?_ga=2.3371.8821", "?utm_medium=line")
_FILE_EXTENSIONS = ("csv", "csv", "csv", "xlsx", "json", "pdf", "zip", "xls")
_THAI_WORDS = (
    "%E0%B8%87%E0%B8%9A%E0%B8%9B%E0%B8%A3%E0%B8%B0%E0%B8%A1%E0%B8%B2%E0%B8%93",
    "%E0%B8%9B%E0%B8%A3%E0%B8%B0%E0%B8%8A%E0%B8%B2%E0%B8%81%E0%B8%A3",
    "%E0%B9%82%E0%B8%84%E0%B8%A7%E0%B8%B4%E0%B8%94",
    "covid",
    "budget",
    "population",
    "pm2.5",
    "tourism",
    "school",
    "rain",
)
_ORGS = ("nso", "dga", "moph", "bot", "tat", "pcd", "doe", "mof", "moe", "bma", "tmd", "dopa")


@dataclass(frozen=True)
class Catalog:
    """Datasets (UUID ids and names) and their resources (UUID ids, owning dataset, file name)."""

    dataset_ids: tuple[str, ...]
    dataset_names: tuple[str, ...]
    resource_ids: tuple[str, ...]
    resource_dataset: tuple[int, ...]  # index into dataset_ids of each resource's dataset
    resource_files: tuple[str, ...] | None = None  # download file names; derived when None

    def __post_init__(self) -> None:
        """Check that the columns line up."""
        if len(self.dataset_ids) != len(self.dataset_names) or not self.dataset_ids:
            raise ValueError("catalog needs at least one dataset, with as many names as ids")
        if len(self.resource_ids) != len(self.resource_dataset):
            raise ValueError("every resource needs its dataset index")
        if self.resource_files is not None and len(self.resource_files) != len(self.resource_ids):
            raise ValueError("resource_files must have one file name per resource")
        if self.resource_dataset and not (
            0 <= min(self.resource_dataset) and max(self.resource_dataset) < len(self.dataset_ids)
        ):
            raise ValueError("resource_dataset indexes must point at datasets")

    @classmethod
    def from_frames(cls, datasets: pl.DataFrame, resources: pl.DataFrame) -> Catalog:
        """Return a catalog from a real one: frames (id, name) and (id, dataset_id[, file])."""
        index = datasets.select(pl.col("id").alias("dataset_id")).with_row_index("ds")
        res = resources.join(index, on="dataset_id", how="inner")
        files = tuple(res["file"].fill_null("").to_list()) if "file" in res.columns else None
        return cls(
            dataset_ids=tuple(datasets["id"].to_list()),
            dataset_names=tuple(datasets["name"].fill_null(datasets["id"]).to_list()),
            resource_ids=tuple(res["id"].to_list()),
            resource_dataset=tuple(res["ds"].cast(pl.Int64).to_list()),
            resource_files=files,
        )


@dataclass(frozen=True)
class PlantedGaming:
    """One client downloading one dataset's resources again and again, each request counted."""

    dataset: str  # the dataset's id or name in the catalog
    requests: int
    interval_seconds: tuple[float, float] = (31.0, 120.0)  # > 30 s: no double click hides them
    ip: str | None = None  # default: a made-up address no other client uses
    user_agent: str = _USER_AGENTS[REGULAR][0][0]


@dataclass(frozen=True)
class LogSpec:
    """What to generate: a catalog, a time window, a line count, a seed and the traffic knobs."""

    catalog: Catalog
    start: datetime  # aware
    end: datetime  # aware, exclusive
    lines: int
    seed: int = 0
    utc_offset: timedelta = timedelta(hours=7)  # offset the log is written in
    bot_share: float = 0.15  # share of lines (gaming aside) from robots
    machine_share: float = 0.08  # share of lines (gaming aside) from machine clients
    double_click_rate: float = 0.05  # repeats per original dataset request
    other_share: float = 0.45  # share of lines that are not dataset requests
    zipf_exponent: float = 1.1  # dataset popularity ~ rank ** -exponent
    client_zipf_exponent: float = 0.9  # client activity ~ rank ** -exponent
    monthly_growth: float = 0.0  # compound growth of traffic per month (0.02 = +2 %/month)
    month_weights: tuple[float, ...] | None = None  # seasonality: 12 weights, January first
    ipv6_share: float = 0.12  # share of people and machines on IPv6
    query_share: float = 0.03  # share of landing pages and downloads with a query string
    uuid_form_share: float = 0.3  # share of dataset URLs naming the dataset by UUID
    gaming: tuple[PlantedGaming, ...] = ()

    def __post_init__(self) -> None:
        """Reject specs that cannot be generated."""
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("start and end must be aware datetimes")
        if self.lines < 1:
            raise ValueError("lines must be at least 1")
        if self.end <= self.start:
            raise ValueError("end must be after start")
        shares = (self.bot_share, self.machine_share, self.other_share, self.ipv6_share)
        if any(not 0.0 <= s <= 1.0 for s in shares) or self.bot_share + self.machine_share > 1:
            raise ValueError("shares must lie in [0, 1] and bots + machines must not exceed 1")
        if self.double_click_rate < 0:
            raise ValueError("double_click_rate must not be negative")
        if self.month_weights is not None and len(self.month_weights) != 12:
            raise ValueError("month_weights needs 12 weights, January first")
        if self.utc_offset % timedelta(minutes=1) or abs(self.utc_offset) >= timedelta(hours=15):
            raise ValueError("utc_offset must be whole minutes within +-14:59")
        if sum(g.requests for g in self.gaming) > self.lines:
            raise ValueError("planted gaming asks for more lines than the log has")


@dataclass(frozen=True)
class CounterTotals:
    """What docs/counting.md should count in the generated log, summed over datasets and days."""

    total_requests: int
    unique_requests: int
    machine_requests: int
    unique_machine_requests: int
    total_investigations: int
    unique_investigations: int
    machine_investigations: int
    robot_requests: int  # GET 200/304 dataset requests by robots, no double-click rule


@dataclass(frozen=True)
class LogStats:
    """What write_log wrote: counts by kind and class, repeats, gaming, and the expected counts."""

    path: Path
    lines: int
    file_bytes: int
    by_kind: dict[str, int]
    by_class: dict[str, int]  # all lines, dataset requests and other traffic
    downloads_by_class: dict[str, int]  # download lines whatever their method and status
    countable_downloads_by_class: dict[str, int]  # download lines with GET and 200/304
    dataset_requests: int  # lines of kind download, landing, resource or api
    double_clicks: int  # lines that repeat an earlier dataset request 1-29 s later
    gaming_lines: int
    ipv6_lines: int
    query_lines: int  # dataset requests with a query string (API calls aside)
    first: datetime
    last: datetime
    expected: CounterTotals
    datasets_seen: int  # distinct datasets requested at least once


def synthetic_catalog(n_datasets: int, seed: int = 0, max_resources: int = 4) -> Catalog:
    """Return a made-up catalog: datasets `dataset-000123` with UUIDs, 1..max_resources each."""
    rng = np.random.default_rng(seed)
    per_dataset = rng.integers(1, max_resources + 1, size=n_datasets)
    n_resources = int(per_dataset.sum())
    ids = uuids(rng, n_datasets + n_resources)
    ext = np.array(_FILE_EXTENSIONS)[rng.integers(0, len(_FILE_EXTENSIONS), n_resources)]
    owner = np.repeat(np.arange(n_datasets), per_dataset)
    files = (
        pl.DataFrame({"owner": owner, "ext": ext})
        .with_columns(pl.int_range(pl.len()).over("owner").alias("k"))
        .select(
            pl.format("dataset-{}-{}.{}", pl.col("owner").cast(pl.String).str.zfill(6), "k", "ext")
        )
        .to_series()
    )
    return Catalog(
        dataset_ids=tuple(ids[:n_datasets]),
        dataset_names=tuple(f"dataset-{i:06d}" for i in range(n_datasets)),
        resource_ids=tuple(ids[n_datasets:]),
        resource_dataset=tuple(owner.tolist()),
        resource_files=tuple(files.to_list()),
    )


def uuids(rng: np.random.Generator, n: int) -> list[str]:
    """Return n random version-4 UUID strings drawn from rng."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    return [str(uuid.UUID(bytes=row.tobytes())) for row in raw]


def zipf_weights(rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
    """Return probabilities ~ rank ** -exponent over n items in a random order."""
    ranks = rng.permutation(n) + 1
    w = ranks.astype(float) ** -exponent
    return w / w.sum()


def _pick(rng: np.random.Generator, weights: Sequence[float], size: int) -> np.ndarray:
    """Return size indexes drawn with the given relative weights."""
    p = np.asarray(weights, float)
    return rng.choice(len(p), size=size, p=p / p.sum()).astype(np.int8)


def _client_table(spec: LogSpec, rng: np.random.Generator) -> pl.DataFrame:
    """Return the client population: class, IP and user agent, people sharing some NAT IPs."""
    n = max(60, spec.lines // 25)
    counts = {REGULAR: n * 90 // 100, MACHINE: max(10, n * 4 // 100), ROBOT: max(10, n // 50)}
    frames = []
    for code, cls in enumerate(CLASSES):
        uas = _USER_AGENTS[cls]
        frames.append(
            pl.DataFrame(
                {
                    "cls": np.full(counts[cls], code, np.int8),
                    "ua": np.array([u for u, _ in uas])[
                        _pick(rng, [w for _, w in uas], counts[cls])
                    ],
                }
            )
        )
    clients = pl.concat(frames).with_row_index("client")
    total = clients.height
    # A bijection of the client number onto 1.0.0.0 .. 223.255.255.255 keeps addresses distinct
    # unless we share one on purpose (campus NAT).
    slot = np.arange(total, dtype=np.int64)
    nat = (clients["cls"].to_numpy() == 0) & (rng.random(total) < 0.15)
    slot[nat] = rng.integers(0, 40, int(nat.sum()))
    x = (slot * 2654435761 + 12345) % (223 << 24) + (1 << 24)
    v4 = pl.format(
        "{}.{}.{}.{}",
        *[pl.lit(pl.Series((x >> s) & 255)) for s in (24, 16, 8, 0)],
    )
    hexes = [pl.lit(pl.Series(np.char.mod("%x", v))) for v in ((x >> 16) & 0xFFFF, x & 0xFFFF)]
    v6 = pl.format("2405:9800:{}:{}::{}", *hexes, pl.lit(pl.Series(slot % 4096 + 1)))
    six = (clients["cls"].to_numpy() != 2) & (rng.random(total) < spec.ipv6_share)
    ips = pl.select(pl.when(pl.lit(pl.Series(six))).then(v6).otherwise(v4).alias("ip"))
    return clients.with_columns(ips["ip"], pl.Series("ipv6", six))


def _hour_weights(spec: LogSpec, start: int, n_hours: int, diurnal: bool) -> np.ndarray:
    """Return the relative traffic of each hour of the window (diurnal, growth, seasonality)."""
    # People keep Thai hours whatever offset the server writes its log in.
    offset = int(AUDIENCE_UTC_OFFSET.total_seconds())
    local = (start + offset + 3600 * np.arange(n_hours)).astype("datetime64[s]")
    hour = (local.astype("datetime64[h]").astype(np.int64)) % 24
    months = local.astype("datetime64[M]").astype(np.int64)
    w = _DIURNAL[hour] if diurnal else np.ones(n_hours)
    w = w * (1.0 + spec.monthly_growth) ** (months - months[0])
    if spec.month_weights is not None:
        w = w * np.asarray(spec.month_weights, float)[months % 12]
    return w / w.sum()


def _times(
    spec: LogSpec, rng: np.random.Generator, cls: np.ndarray, start: int, end: int
) -> np.ndarray:
    """Return epoch seconds for lines of the given classes: people diurnal, others flat."""
    n_hours = -(-(end - start) // 3600)
    out = np.empty(cls.size, np.int64)
    for diurnal in (True, False):
        sel = (cls == 0) if diurnal else (cls != 0)
        k = int(sel.sum())
        hours = rng.choice(n_hours, size=k, p=_hour_weights(spec, start, n_hours, diurnal))
        t = start + 3600 * hours + rng.integers(0, 3600, k)
        out[sel] = np.minimum(t, end - 1)
    return out


def _other_paths() -> pl.DataFrame:
    """Return the vocabulary of non-dataset paths with weights and forced statuses (0: any)."""
    paths: list[tuple[str, float, int]] = [
        ("/", 40, 0),
        ("/th/", 15, 0),
        ("/en/", 4, 0),
        ("/favicon.ico", 20, 0),
        ("/robots.txt", 4, 200),
        ("/sitemap.xml", 2, 200),
        ("/dataset/", 15, 0),
        ("/th/dataset/", 6, 0),
        ("/organization/", 4, 0),
        ("/group/", 2, 0),
        ("/showcase", 1, 0),
        ("/user/login", 2, 0),
        ("/api/3/action/package_list", 2, 0),
        ("/api/3/action/organization_list", 1, 0),
        ("/api/3/action/status_show", 1, 0),
        ("/wp-login.php", 1, 404),
        ("/.env", 0.5, 404),
        ("/xmlrpc.php", 0.3, 404),
    ]
    for i in range(40):
        paths.append((f"/base/css/main-{i}.css", 3.0 / (i + 1), 0))
        paths.append((f"/webassets/base/{i:02x}a9c1e_ckan.js", 4.0 / (i + 1), 0))
        paths.append((f"/uploads/group/2023-{i % 12 + 1:02d}-logo-{i}.png", 1.0 / (i + 1), 0))
    for i, word in enumerate(_THAI_WORDS):
        w = 3.0 / (i + 1)
        paths.append((f"/dataset/?q={word}", w, 0))
        paths.append((f"/dataset/?q={word}&sort=score+desc", w / 3, 0))
        paths.append((f"/dataset?tags={word}", w / 2, 0))
        paths.append((f"/api/3/action/package_search?q={word}&rows=100", w / 2, 0))
    for i, org in enumerate(_ORGS):
        paths.append((f"/organization/{org}", 2.0 / (i + 1), 0))
        paths.append((f"/th/organization/{org}", 1.0 / (i + 1), 0))
    for page in range(2, 12):
        paths.append((f"/dataset/?page={page}", 2.0 / page, 0))
    return pl.DataFrame(paths, schema=["path", "weight", "status"], orient="row")


def synthetic_events(spec: LogSpec) -> pl.DataFrame:
    """Return one row per log line, sorted by time: who asked what, when, how it was answered."""
    rng = np.random.default_rng(spec.seed)
    cat = spec.catalog
    start, end = int(spec.start.timestamp()), int(spec.end.timestamp())
    clients = _client_table(spec, rng)
    client_cls = clients["cls"].to_numpy()

    n_gaming = sum(g.requests for g in spec.gaming)
    n = spec.lines - n_gaming
    n_other = round(spec.other_share * n)
    n_ds = n - n_other
    n_rep = round(n_ds * spec.double_click_rate / (1 + spec.double_click_rate))
    n_base = n - n_rep

    # Class of each base line, then its client by Zipf activity within the class.
    shares = (1 - spec.bot_share - spec.machine_share, spec.machine_share, spec.bot_share)
    cls = _pick(rng, shares, n_base)
    client = np.empty(n_base, np.int64)
    for code in range(3):
        pool = np.flatnonzero(client_cls == code)
        sel = cls == code
        w = zipf_weights(rng, pool.size, spec.client_zipf_exponent)
        client[sel] = pool[rng.choice(pool.size, size=int(sel.sum()), p=w)]
    t = _times(spec, rng, cls, start, end)

    # Kind: the first n_ds - n_rep base lines are dataset requests, the rest other traffic.
    is_ds = np.zeros(n_base, bool)
    is_ds[rng.choice(n_base, n_ds - n_rep, replace=False)] = True
    kind = np.full(n_base, 4, np.int8)
    for code, c in enumerate(CLASSES):
        sel = is_ds & (cls == code)
        kind[sel] = _pick(rng, _KIND_MIX[c], int(sel.sum()))
    res_dataset = np.asarray(cat.resource_dataset, np.int64)
    has_res = np.bincount(res_dataset, minlength=len(cat.dataset_ids)) > 0
    if not has_res.any():
        kind[kind == 0] = 1
        kind[kind == 2] = 1

    # Dataset by popularity (downloads and resource pages among datasets with resources).
    pop = zipf_weights(rng, len(cat.dataset_ids), spec.zipf_exponent)
    dataset = np.full(n_base, -1, np.int64)
    sel = (kind == 1) | (kind == 3)
    dataset[sel] = rng.choice(pop.size, size=int(sel.sum()), p=pop)
    sel = (kind == 0) | (kind == 2)
    if sel.any():
        pop_res = np.where(has_res, pop, 0.0)
        dataset[sel] = rng.choice(pop.size, size=int(sel.sum()), p=pop_res / pop_res.sum())
    resource = _resource_of(rng, dataset, (kind == 0) | (kind == 2), res_dataset)

    others = _other_paths()
    other = np.full(n_base, -1, np.int64)
    sel = kind == 4
    ow = others["weight"].to_numpy()
    other[sel] = rng.choice(ow.size, size=int(sel.sum()), p=ow / ow.sum())

    method, status = _methods_statuses(rng, kind, other, others["status"].to_numpy())
    base = pl.DataFrame(
        {
            "t": t,
            "client": client,
            "kind": kind,
            "dataset": dataset,
            "resource": resource,
            "other": other,
            "method": method,
            "status": status,
            "form": (rng.random(n_base) < spec.uuid_form_share).astype(np.int8),
            "lang": _pick(rng, (70, 20, 10), n_base),
            "query": np.where(
                (rng.random(n_base) < spec.query_share) & ((kind == 0) | (kind == 1)),
                rng.integers(1, 4, n_base),
                0,
            ).astype(np.int8),
            "file_form": (rng.random(n_base) < 0.05).astype(np.int8),  # bare /download
            "ref": _pick(rng, (40, 15, 8, 5, 4, 3, 25), n_base),
            "proto": _pick(rng, (75, 23, 2), n_base),
            "size_u": rng.random(n_base),
            "repeat": np.zeros(n_base, bool),
            "gaming": np.zeros(n_base, bool),
        }
    )
    frames = [base, _repeats(rng, base, n_rep, end)]
    # each planted client draws from its own stream: which dataset it hammers leaves the rest as is
    frames += [
        _gaming_frame(
            np.random.default_rng((spec.seed, i)),
            spec,
            g,
            i,
            clients.height,
            start,
            end,
            res_dataset,
        )
        for i, g in enumerate(spec.gaming)
    ]
    events = pl.concat(frames).with_row_index("seq").sort("t", "seq", maintain_order=True)
    gamers = pl.DataFrame(
        {
            "client": np.arange(clients.height, clients.height + len(spec.gaming)),
            "cls": np.array([_class_of(g.user_agent) for g in spec.gaming], np.int8),
            "ua": [g.user_agent for g in spec.gaming],
            "ip": [g.ip or f"198.51.100.{i + 10}" for i, g in enumerate(spec.gaming)],
            "ipv6": [g.ip is not None and ":" in g.ip for g in spec.gaming],
        },
        schema=clients.schema,
    )
    table = pl.concat([clients, gamers])
    return events.drop("seq").join(table, on="client", how="left", maintain_order="left")


def _resource_of(
    rng: np.random.Generator, dataset: np.ndarray, need: np.ndarray, res_dataset: np.ndarray
) -> np.ndarray:
    """Return a uniformly chosen resource of each line's dataset where need, else -1."""
    order = np.argsort(res_dataset, kind="stable")
    count = np.bincount(res_dataset, minlength=int(dataset.max(initial=0)) + 1)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])
    out = np.full(dataset.size, -1, np.int64)
    d = dataset[need]
    if d.size:
        out[need] = order[first[d] + (rng.random(d.size) * count[d]).astype(np.int64)]
    return out


def _methods_statuses(
    rng: np.random.Generator, kind: np.ndarray, other: np.ndarray, forced: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return method codes and statuses: mostly GET 200, some 304, 206, 404, 301, HEAD, POST."""
    n = kind.size
    method = _pick(rng, (96, 2.5, 1.5), n)
    codes = np.array([200, 304, 206, 404, 301, 302, 500], np.int16)
    status = codes[_pick(rng, (86, 6, 2, 3, 2, 0.5, 0.5), n)]
    status[(status == 206) & (kind != 0)] = 200  # ranges only on downloads
    status[method == 1] = 200
    status[method == 2] = np.where(rng.random(int((method == 2).sum())) < 0.7, 200, 403)
    f = np.where(other >= 0, forced[np.maximum(other, 0)], 0)
    status[f > 0] = f[f > 0]
    return method, status


def _repeats(rng: np.random.Generator, base: pl.DataFrame, n_rep: int, end: int) -> pl.DataFrame:
    """Return double clicks: copies of dataset requests by the same client 1-29 s later."""
    sources = np.flatnonzero(base["kind"].to_numpy() != 4)
    if n_rep == 0 or sources.size == 0:
        return base.clear()
    pick = sources[rng.integers(0, sources.size, n_rep)]
    delay = rng.integers(1, DOUBLE_CLICK_SECONDS, n_rep)
    t = base["t"].to_numpy()[pick]
    later = np.where(t + delay < end, t + delay, t - delay)
    return base[pick].with_columns(
        pl.Series("t", later), pl.Series("size_u", rng.random(n_rep)), pl.lit(True).alias("repeat")
    )


def _class_of(user_agent: str) -> int:
    """Return the class index of one of our user agents (an unknown one is a regular browser)."""
    for index, cls in enumerate(CLASSES):
        if any(user_agent == ua for ua, _ in _USER_AGENTS[cls]):
            return index
    return 0


def _gaming_frame(
    rng: np.random.Generator,
    spec: LogSpec,
    g: PlantedGaming,
    i: int,
    n_clients: int,
    start: int,
    end: int,
    res_dataset: np.ndarray,
) -> pl.DataFrame:
    """Return the lines of one planted gaming client: GET 200 downloads spaced beyond 30 s."""
    cat = spec.catalog
    try:
        ds = cat.dataset_ids.index(g.dataset)
    except ValueError:
        ds = cat.dataset_names.index(g.dataset)
    lo, hi = g.interval_seconds
    if lo <= DOUBLE_CLICK_SECONDS:
        raise ValueError("gaming intervals must exceed 30 s or double clicks hide them")
    steps = rng.integers(int(np.ceil(lo)), int(hi) + 1, g.requests)
    span = int(steps.sum())
    if span >= end - start:
        raise ValueError(f"{g.requests} gaming requests do not fit in the time window")
    t = start + int(rng.integers(0, end - start - span)) + np.cumsum(steps)
    n = g.requests
    dataset = np.full(n, ds, np.int64)
    resource = _resource_of(rng, dataset, np.ones(n, bool), res_dataset)
    if (resource < 0).any():
        raise ValueError(f"gaming dataset {g.dataset!r} has no resources to download")
    zeros = np.zeros(n, np.int8)
    return pl.DataFrame(
        {
            "t": t,
            "client": np.full(n, n_clients + i, np.int64),
            "kind": zeros,
            "dataset": dataset,
            "resource": resource,
            "other": np.full(n, -1, np.int64),
            "method": zeros,
            "status": np.full(n, 200, np.int16),
            "form": zeros,
            "lang": zeros,
            "query": zeros,
            "file_form": zeros,
            "ref": zeros,
            "proto": zeros,
            "size_u": rng.random(n),
            "repeat": np.zeros(n, bool),
            "gaming": np.ones(n, bool),
        }
    )


def expected_totals(events: pl.DataFrame) -> CounterTotals:
    """Return the docs/counting.md totals of the events (double clicks, classes, hour sessions)."""
    ok = events.filter(
        (pl.col("method") == 0) & pl.col("status").is_in([200, 304]) & (pl.col("kind") != 4)
    )
    robot_requests = int((ok["cls"] == 2).sum())
    # Item: the resource for downloads, the dataset for other investigations.
    scored = (
        ok.filter(pl.col("cls") != 2)
        .with_columns(
            pl.when(pl.col("kind") == 0)
            .then(pl.col("resource"))
            .otherwise(-1 - pl.col("dataset"))
            .alias("item"),
            (pl.col("t") // 3600).alias("hour"),
        )
        .sort("ip", "ua", "item", "t")
        .with_columns(
            (
                (pl.col("ip") == pl.col("ip").shift(-1))
                & (pl.col("ua") == pl.col("ua").shift(-1))
                & (pl.col("item") == pl.col("item").shift(-1))
                & (pl.col("t").shift(-1) - pl.col("t") <= DOUBLE_CLICK_SECONDS)
            )
            .fill_null(False)
            .not_()
            .alias("kept")
        )
        .filter(pl.col("kept"))
    )

    def totals(cls: int, downloads: bool) -> tuple[int, int]:
        rows = scored.filter((pl.col("cls") == cls) & ((pl.col("kind") == 0) | (not downloads)))
        sessions = rows.select("dataset", "ip", "ua", "hour").unique().height
        return rows.height, sessions

    total_requests, unique_requests = totals(0, True)
    machine_requests, unique_machine = totals(1, True)
    total_inv, unique_inv = totals(0, False)
    machine_inv, _ = totals(1, False)
    return CounterTotals(
        total_requests=total_requests,
        unique_requests=unique_requests,
        machine_requests=machine_requests,
        unique_machine_requests=unique_machine,
        total_investigations=total_inv,
        unique_investigations=unique_inv,
        machine_investigations=machine_inv,
        robot_requests=robot_requests,
    )


def _offset_text(offset: timedelta) -> str:
    """Return +HHMM for a UTC offset."""
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def _strings(values: Sequence[str]) -> pl.Series:
    """Return a string series to gather from."""
    return pl.Series(list(values), dtype=pl.String)


def format_lines(events: pl.DataFrame, spec: LogSpec) -> pl.Series:
    """Return combined-format log lines for events, time stamps in spec.utc_offset."""
    cat = spec.catalog
    files = cat.resource_files or tuple(f"resource-{i}.csv" for i in range(len(cat.resource_ids)))
    offset = int(spec.utc_offset.total_seconds())

    def gather(values: Sequence[str], idx: str) -> pl.Expr:
        col = pl.when(pl.col(idx) >= 0).then(pl.col(idx))
        return pl.lit(_strings(values)).gather(col)

    ident = (
        pl.when(pl.col("form") == 1)
        .then(gather(cat.dataset_ids, "dataset"))
        .otherwise(gather(cat.dataset_names, "dataset"))
    )
    lang = pl.lit(_strings(("", "/th", "/en"))).gather(pl.col("lang"))
    resource_path = pl.concat_str(
        lang, pl.lit("/dataset/"), ident, pl.lit("/resource/"), gather(cat.resource_ids, "resource")
    )
    query = pl.col("query").cast(pl.Int64) - 1
    download = pl.concat_str(
        resource_path,
        pl.when(pl.col("file_form") == 1)
        .then(pl.lit("/download"))
        .otherwise(pl.concat_str(pl.lit("/download/"), gather(files, "resource"))),
        pl.when(query >= 0)
        .then(pl.lit(_strings(_DOWNLOAD_QUERIES)).gather(query))
        .otherwise(pl.lit("")),
    )
    landing = pl.concat_str(
        lang,
        pl.lit("/dataset/"),
        ident,
        pl.when(query >= 0)
        .then(pl.lit(_strings(_LANDING_QUERIES)).gather(query))
        .otherwise(pl.lit("")),
    )
    api = pl.concat_str(pl.lit("/api/3/action/package_show?id="), ident)
    others = _other_paths()["path"]
    path = (
        pl.when(pl.col("kind") == 0)
        .then(download)
        .when(pl.col("kind") == 1)
        .then(landing)
        .when(pl.col("kind") == 2)
        .then(resource_path)
        .when(pl.col("kind") == 3)
        .then(api)
        .otherwise(pl.lit(others).gather(pl.col("other").clip(0)))
    )
    robot_or_machine = pl.col("cls") != 0
    referrer = (
        pl.when(robot_or_machine | (pl.col("kind") == 4) & (pl.col("ref") == 6))
        .then(pl.lit("-"))
        .when(pl.col("ref") == 6)
        .then(
            pl.concat_str(
                pl.lit("https://data.go.th/dataset/"), gather(cat.dataset_names, "dataset")
            )
        )
        .otherwise(pl.lit(_strings(_REFERRERS)).gather(pl.col("ref")))
    )
    size = _size_expr()
    stamp = pl.from_epoch(pl.col("t") + offset, time_unit="s").dt.strftime("%d/%b/%Y:%H:%M:%S")
    return events.select(
        pl.concat_str(
            pl.col("ip"),
            pl.lit(" - - ["),
            stamp,
            pl.lit(f' {_offset_text(spec.utc_offset)}] "'),
            pl.lit(_strings(_METHODS)).gather(pl.col("method")),
            pl.lit(" "),
            path,
            pl.lit(" "),
            pl.lit(_strings(_PROTOCOLS)).gather(pl.col("proto")),
            pl.lit('" '),
            pl.col("status").cast(pl.String),
            pl.lit(" "),
            size,
            pl.lit(' "'),
            referrer,
            pl.lit('" "'),
            pl.col("ua"),
            pl.lit('"'),
        ).alias("line")
    ).to_series()


def _size_expr() -> pl.Expr:
    """Return the response size: log-normal by kind, 0 or '-' when no body was sent."""
    u = pl.col("size_u")
    # Inverse log-normal through an exponential of a cheap quantile approximation.
    z = (u.clip(1e-6, 1 - 1e-6) / (1 - u.clip(1e-6, 1 - 1e-6))).log() * 0.551
    body = (
        pl.when(pl.col("kind") == 0)
        .then((z * 1.6 + 11.9).exp())
        .when(pl.col("kind") == 3)
        .then((z * 0.6 + 8.3).exp())
        .when(pl.col("kind") == 4)
        .then((z * 1.2 + 8.9).exp())
        .otherwise((z * 0.4 + 10.1).exp())
        .clip(40, 2e9)
    )
    status = pl.col("status")
    value = (
        pl.when((pl.col("method") == 1) | (status == 304))
        .then(0)
        .when(status == 206)
        .then(body * u)
        .when(status == 404)
        .then(150 + (u * 300))
        .when(status.is_in([301, 302]))
        .then(pl.lit(178))
        .when(status.is_in([403, 500]))
        .then(300 + u * 400)
        .otherwise(body)
        .cast(pl.Int64)
    )
    # Apache's %b writes '-' for an empty body; nginx writes 0. Mix both.
    return pl.when((value == 0) & (u < 0.3)).then(pl.lit("-")).otherwise(value.cast(pl.String))


def _stats(events: pl.DataFrame, spec: LogSpec, path: Path) -> LogStats:
    """Return the tallies of what was written."""
    kind = events["kind"].to_numpy()
    cls = events["cls"].to_numpy()
    ok = (events["method"].to_numpy() == 0) & np.isin(events["status"].to_numpy(), (200, 304))
    is_dl = kind == 0
    tz = spec.start.tzinfo
    t = events["t"]
    repeat = events["repeat"].to_numpy()
    return LogStats(
        path=path,
        lines=events.height,
        file_bytes=path.stat().st_size,
        by_kind={k: int((kind == i).sum()) for i, k in enumerate(KINDS)},
        by_class={c: int((cls == i).sum()) for i, c in enumerate(CLASSES)},
        downloads_by_class={c: int((is_dl & (cls == i)).sum()) for i, c in enumerate(CLASSES)},
        countable_downloads_by_class={
            c: int((is_dl & ok & (cls == i)).sum()) for i, c in enumerate(CLASSES)
        },
        dataset_requests=int((kind != 4).sum()),
        double_clicks=int(repeat.sum()),
        gaming_lines=int(events["gaming"].sum()),
        ipv6_lines=int(events["ipv6"].sum()),
        query_lines=int((events["query"].to_numpy() > 0).sum()),
        first=datetime.fromtimestamp(int(t[0]), tz),  # events are sorted by time
        last=datetime.fromtimestamp(int(t[-1]), tz),
        expected=expected_totals(events),
        datasets_seen=int(events.filter(pl.col("dataset") >= 0)["dataset"].n_unique()),
    )


def write_log(
    spec: LogSpec, path: Path | str, gzip: bool = False, block_lines: int = 250_000
) -> LogStats:
    """Write the spec's log to path (sorted by time, optionally gzip) and return what it holds."""
    path = Path(path)
    events = synthetic_events(spec)
    raw = path.open("wb")
    out: io.BufferedIOBase | gzip_module.GzipFile = (
        gzip_module.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) if gzip else raw
    )
    try:
        for offset in range(0, events.height, block_lines):
            block = format_lines(events.slice(offset, block_lines), spec)
            out.write(block.str.join("\n").item().encode("utf-8") + b"\n")
    finally:
        out.close()
        raw.close()
    return _stats(events, spec, path)
