"""DataCite's usage hub as it accepts a COUNTER Dataset Report, for tests: its JSON Schema applied
the way datacite/sashimi applies it (tests/data/standards/sushi_usage_schema.PROVENANCE.md)."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import jsonschema

from tests.conftest import DATA

SCHEMA = json.loads((DATA / "standards" / "sushi_usage_schema.json").read_text(encoding="utf-8"))

# reports_controller.rb usage_report_params: what `header.permit(...)` lets through (None: a
# scalar; a dict: an object, or a list of objects, with these keys). Anything else raises.
_NAMES = {"name": None, "value": None}
_TYPES = {"type": None, "value": None}
_DATASET = {
    "dataset-title": None,
    "yop": None,
    "uri": None,
    "platform": None,
    "data-type": None,
    "publisher": None,
    "publisher-id": _TYPES,
    "dataset-dates": _TYPES,
    "performance": {
        "period": {"end-date": None, "begin-date": None},
        "instance": {"access-method": None, "metric-type": None, "count": None},
    },
    "dataset-contributors": _TYPES,
    "dataset-attributes": _TYPES,
    "dataset-id": _TYPES,
}
_HEADER = {
    "report_name": None,
    "report_id": None,
    "release": None,
    "created": None,
    "created_by": None,
    "report_attributes": _NAMES,
    "report_filters": _NAMES,
    "reporting_period": {"end_date": None, "begin_date": None},
    "exceptions": {"message": None, "severity": None, "data": None, "code": None, "help_url": None},
    "report_datasets": _DATASET,
}
_CREATED_BY = re.compile(r"[-\._;()\/:a-zA-Z0-9\*~\$\=]+\Z")  # report.rb, unanchored at the start


def _unpermitted(value: Any, rule: dict[str, Any] | None, where: str) -> list[str]:
    """Return what Rails' strong parameters would refuse in value under rule."""
    if rule is None:
        scalar = value is None or isinstance(value, str | int | float | bool)
        return [] if scalar else [f"{where}: an object or list where a value belongs"]
    found = []
    for item in value if isinstance(value, list) else [value]:
        if not isinstance(item, dict):
            found.append(f"{where}: a value where an object belongs")
            continue
        for key, inner in item.items():
            if key not in rule:
                found.append(f"found unpermitted parameter: :{key} (in {where})")
            else:
                found += _unpermitted(inner, rule[key], f"{where}.{key}")
    return found


def _underscored(value: Any) -> Any:
    """The header's keys as json_param_key_transform.rb gives them: dashes become underscores."""
    if isinstance(value, dict):
        return {k.replace("-", "_"): _underscored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_underscored(v) for v in value]
    return value


def hub_errors(report: dict[str, Any]) -> list[str]:
    """Return why DataCite's hub would refuse the report (empty: it accepts it)."""
    if "report-header" not in report or not report.get("report-datasets"):
        return ["You need to provide a payload following the SUSHI specification"]
    header = _underscored(report["report-header"])
    if header.get("release") != "rd1":
        return ["Report protocol is incorrect"]
    header["report_datasets"] = report["report-datasets"]
    errors = _unpermitted(header, _HEADER, "report")
    period = header.get("reporting_period") or {}
    try:
        begin = date.fromisoformat(period["begin_date"])
        end = date.fromisoformat(period["end_date"])
    except (KeyError, TypeError, ValueError):
        return [*errors, "reporting-period: begin-date and end-date as YYYY-MM-DD are required"]
    if (begin.year, begin.month) != (end.year, end.month):
        errors.append("Reports are monthly, reporting dates need to be within the same month")
    for key in ("report_id", "created_by", "created"):
        if not header.get(key):
            errors.append(f"{key} can't be blank")
    if not _CREATED_BY.search(str(header.get("created_by", ""))):
        errors.append("created_by is invalid")
    record = {k.replace("_", "-"): v for k, v in header.items()}  # metadatable.rb validate_sushi
    validator = jsonschema.Draft4Validator(SCHEMA)
    errors += [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(record)
    ]
    return errors


def cop_errors(report: dict[str, Any]) -> list[str]:
    """Return what the Code of Practice asks beyond the hub: whole months, begin on a first."""
    period = report["report-header"]["reporting-period"]
    begin, end = date.fromisoformat(period["begin-date"]), date.fromisoformat(period["end-date"])
    found = [] if begin.day == 1 else [f"begin-date {begin} is not the first of a month"]
    for item in report["report-datasets"]:
        for entry in item["performance"]:
            if not begin <= date.fromisoformat(entry["period"]["begin-date"]) <= end:
                found.append(f"{item['uri']}: a performance period outside the report's")
    return found
