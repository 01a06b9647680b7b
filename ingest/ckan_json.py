"""CKAN Action API responses (saved files or live pages) as polars frames of packages and orgs."""

from __future__ import annotations

import gzip
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ingest.regular_files import NotRegularFile, open_regular

_ORG = pl.Struct(
    {
        "id": pl.String,
        "name": pl.String,
        "title": pl.String,
        "description": pl.String,
        "created": pl.String,
        "state": pl.String,
    }
)
_RESOURCE = pl.Struct(
    {
        "id": pl.String,
        "package_id": pl.String,
        "name": pl.String,
        "format": pl.String,
        "url": pl.String,
        "size": pl.Int64,
        "created": pl.String,
        "last_modified": pl.String,
        "metadata_modified": pl.String,
        "state": pl.String,
    }
)
# Every field we keep; anything else in a package is ignored, a missing one becomes null, and a
# value of another JSON type is converted (ckanext-thai_gdc sends "1" or true, 1 or "1").
PACKAGE_SCHEMA: dict[str, Any] = {
    "id": pl.String,
    "name": pl.String,
    "title": pl.String,
    "owner_org": pl.String,
    "organization": _ORG,
    "notes": pl.String,
    "license_id": pl.String,
    "license_title": pl.String,
    "isopen": pl.Boolean,
    "high_value_dataset": pl.String,
    "data_category": pl.String,
    "update_frequency_unit": pl.String,
    "update_frequency_interval": pl.String,
    "tags": pl.List(pl.Struct({"name": pl.String})),
    "groups": pl.List(pl.Struct({"name": pl.String})),
    "maintainer": pl.String,
    "maintainer_email": pl.String,
    "author": pl.String,
    "author_email": pl.String,
    "private": pl.Boolean,
    "metadata_created": pl.String,
    "metadata_modified": pl.String,
    "state": pl.String,
    "type": pl.String,
    "resources": pl.List(_RESOURCE),
}
ORG_SCHEMA: dict[str, Any] = dict(_ORG.to_schema())


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a JSON object"
    if isinstance(value, list):
        return "a JSON list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    return "text"


class _Misfit(ValueError):
    """A field whose JSON type cannot be read as the catalog needs it."""


_TRUE = {"true", "1", "yes", "y", "t"}
_FALSE = {"false", "0", "no", "n", "f", ""}


def _conform(value: Any, dtype: Any, where: str) -> Any:
    """Return value in the shape dtype needs, or raise _Misfit naming where and what it is."""
    if value is None:
        return None
    if dtype == pl.String:
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float):
            return str(value)
        raise _Misfit(f"{where} is {_kind(value)}, not text")
    if dtype == pl.Boolean:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise _Misfit(f"{where} is {_kind(value)} {str(value)[:40]!r}, not true/false")
    if dtype == pl.Int64:
        if isinstance(value, bool):
            raise _Misfit(f"{where} is true/false, not a number")
        if isinstance(value, int):
            return value if -(2**63) <= value < 2**63 else None
        if isinstance(value, float):
            return int(value) if value.is_integer() and abs(value) < 2**63 else None
        if isinstance(value, str):
            digits = value.strip()
            return (
                int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 19 else None
            )
        raise _Misfit(f"{where} is {_kind(value)}, not a number")
    if isinstance(dtype, pl.Struct):
        if not isinstance(value, dict):
            raise _Misfit(f"{where} is {_kind(value)}, not a JSON object")
        return {
            f.name: _conform(value.get(f.name), f.dtype, f"{where}.{f.name}") for f in dtype.fields
        }
    if isinstance(dtype, pl.List):
        if not isinstance(value, list):
            raise _Misfit(f"{where} is {_kind(value)}, not a JSON list")
        inner = dtype.inner
        items = []
        for i, item in enumerate(value):  # a package's resources or tags: a handful
            if (
                isinstance(item, str)
                and isinstance(inner, pl.Struct)
                and "name" in inner.to_schema()
            ):
                item = {"name": item}  # tags given as plain names
            items.append(_conform(item, inner, f"{where}[{i}]"))
        return items
    raise TypeError(f"no rule for {dtype}")  # a schema change without a rule: a bug, not input


def conform_package(package: dict[str, Any]) -> dict[str, Any]:
    """Return the package's kept fields in the schema's shapes, or the first misfit as _problem."""
    kept: dict[str, Any] = {"_position": package.get("_position")}
    try:
        for name, dtype in PACKAGE_SCHEMA.items():
            kept[name] = _conform(package.get(name), dtype, name)
    except _Misfit as exc:
        label = package.get("name") if isinstance(package.get("name"), str) else None
        return {
            "_position": package.get("_position"),
            "_problem": str(exc),
            "id": package.get("id") if isinstance(package.get("id"), str) else None,
            "name": label,
        }
    return kept


class NotCkan(ValueError):
    """The file is not JSON, or not a CKAN Action API answer we know."""


@dataclass
class CkanContent:
    """What one CKAN answer holds: packages, organizations, and the listing's declared size."""

    packages: list[dict[str, Any]] = field(default_factory=list)
    organizations: list[dict[str, Any]] = field(default_factory=list)
    declared_count: int | None = None  # package_search's result.count


def read_json_bytes(data: bytes, source: str) -> Any:
    """Return the JSON in `data` (gunzipped first if it is gzip), or raise NotCkan naming source."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise NotCkan(f"{source}: truncated or corrupt gzip ({exc})") from exc
    try:
        return json.loads(data.decode("utf-8-sig"))
    except RecursionError as exc:
        raise NotCkan(
            f"{source}: JSON nested deeper than any CKAN answer ({sys.getrecursionlimit()}"
            " levels or more); not read"
        ) from exc
    except UnicodeDecodeError as exc:
        raise NotCkan(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise NotCkan(f"{source}: not JSON ({exc.msg} at line {exc.lineno})") from exc


def _is_package(obj: Any) -> bool:
    return isinstance(obj, dict) and ("resources" in obj or "owner_org" in obj or "type" in obj)


def _is_org(obj: Any) -> bool:
    return isinstance(obj, dict) and (
        obj.get("is_organization") is True or obj.get("type") == "organization"
    )


def ckan_content(doc: Any, source: str) -> CkanContent:
    """Return the packages/organizations of a CKAN answer, or raise NotCkan saying what it is."""
    if isinstance(doc, dict) and "success" in doc:
        if doc.get("success") is not True:
            error = doc.get("error") or {}
            raise NotCkan(f"{source}: CKAN reported failure: {error.get('message', error)}")
        doc = doc.get("result")
        if isinstance(doc, dict) and isinstance(doc.get("results"), list):
            count = doc.get("count")
            return _split(doc["results"], source, count if isinstance(count, int) else None)
    if isinstance(doc, dict):
        return _split([doc], source, None)
    if isinstance(doc, list):
        if doc and all(isinstance(x, str) for x in doc):
            raise NotCkan(
                f"{source}: a list of names (package_list/organization_list without"
                " all_fields); save package_search or organization_list?all_fields=true instead"
            )
        return _split(doc, source, None)
    raise NotCkan(f"{source}: not a CKAN Action API answer (top level is {type(doc).__name__})")


def _split(items: list[Any], source: str, count: int | None) -> CkanContent:
    content = CkanContent(declared_count=count)
    for position, item in enumerate(items):  # a page holds at most a few thousand packages
        if _is_org(item):
            try:
                content.organizations.append(_conform(item, _ORG, "organization"))
            except _Misfit as exc:
                content.packages.append({"_position": position, "_problem": str(exc)})
        elif _is_package(item) or isinstance(item, dict):
            content.packages.append(conform_package({**item, "_position": position}))
        else:
            content.packages.append({"_position": position, "_not_object": True})
    if not content.packages and not content.organizations and count is None:
        raise NotCkan(f"{source}: a CKAN answer without packages or organizations")
    return content


def packages_frame(packages: list[dict[str, Any]]) -> pl.DataFrame:
    """Return one row per package with the kept fields (nested lists kept for later steps)."""
    schema: dict[str, Any] = {
        "_position": pl.Int64(),
        "_not_object": pl.Boolean(),
        "_problem": pl.String(),
        **PACKAGE_SCHEMA,
    }
    return pl.from_dicts(packages, schema=schema, strict=False)


def organizations_frame(orgs: list[dict[str, Any]]) -> pl.DataFrame:
    """Return one row per organization."""
    return pl.from_dicts(orgs, schema=ORG_SCHEMA, strict=False)


def read_file(path: Path, allow_symlink: bool = False) -> CkanContent:
    """Return the CKAN content of a saved .json or .json.gz file (gzip detected by content);
    only a regular file, a symlink only when allowed (ingest/regular_files.py)."""
    try:
        with open_regular(path, allow_symlink) as fh:
            data = fh.read()
    except NotRegularFile as exc:
        raise NotCkan(f"{path}: {exc}") from exc
    except OSError as exc:
        raise NotCkan(f"{path}: cannot read ({exc.strerror})") from exc
    return ckan_content(read_json_bytes(data, str(path)), str(path))
