"""The structure a DSR must have, as a JSON Schema (draft 7).

Taken from DataCite's hub (datacite/sashimi lib/sushi_schema/sushi_usage_schema.json, copied to
tests/data/standards/: counter_dataset_usage, counter_dataset_performance and its instance),
made stricter where the COUNTER Code of Practice for Research Data and issue 15 are: the header
fields are required, instances carry `access-method` and count > 0 (CoP-RD "Zero Usage"), and no
unknown keys. What the hub itself accepts is checked by tests/analytics/hub.py.
"""

from __future__ import annotations

_ID = {
    "type": "object",
    "required": ["type", "value"],
    "additionalProperties": False,
    "properties": {"type": {"type": "string"}, "value": {"type": "string", "minLength": 1}},
}
_NAME_VALUE = {
    "type": "object",
    "required": ["name", "value"],
    "additionalProperties": False,
    "properties": {"name": {"type": "string"}, "value": {"type": "string"}},
}
_DATE = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}

DSR_SCHEMA = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "type": "object",
    "required": ["report-header", "report-datasets"],
    "additionalProperties": False,
    "properties": {
        "report-header": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "report-name",
                "report-id",
                "release",
                "created",
                "created-by",
                "reporting-period",
                "report-filters",
                "report-attributes",
                "exceptions",
            ],
            "properties": {
                "report-name": {"const": "dataset report"},
                "report-id": {"const": "DSR"},
                "release": {"const": "rd1"},
                "created": _DATE,
                "created-by": {"type": "string", "minLength": 1},
                "reporting-period": {
                    "type": "object",
                    "required": ["begin-date", "end-date"],
                    "additionalProperties": False,
                    "properties": {"begin-date": _DATE, "end-date": _DATE},
                },
                "report-filters": {"type": "array", "items": _NAME_VALUE},
                "report-attributes": {"type": "array", "items": _NAME_VALUE},
                "exceptions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["code", "severity", "message"],
                        "properties": {
                            "code": {"type": "integer"},
                            "severity": {"enum": ["warning", "error", "fatal", "debug", "info"]},
                            "message": {"type": "string"},
                            "data": {"type": "string"},
                        },
                    },
                },
            },
        },
        "report-datasets": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "dataset-title",
                    "dataset-id",
                    "platform",
                    "publisher",
                    "publisher-id",
                    "data-type",
                    "yop",
                    "uri",
                    "performance",
                ],
                "properties": {
                    "dataset-title": {"type": "string", "minLength": 1},
                    "dataset-id": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            **_ID,
                            "properties": {
                                **_ID["properties"],
                                "type": {"enum": ["doi", "DOI", "proprietary", "uri"]},
                            },
                        },
                    },
                    "dataset-dates": {
                        "type": "array",
                        "items": {
                            **_ID,
                            "properties": {
                                "type": {"enum": ["pub-date", "first-accessed-online"]},
                                "value": _DATE,
                            },
                        },
                    },
                    "platform": {"type": "string", "minLength": 1},
                    "publisher": {"type": "string", "minLength": 1},
                    "publisher-id": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            **_ID,
                            "properties": {
                                **_ID["properties"],
                                "type": {"enum": ["isni", "orcid", "grid", "urn", "client-id"]},
                            },
                        },
                    },
                    "data-type": {"const": "dataset"},
                    "yop": {"type": "string", "pattern": r"^\d{4}$"},
                    "uri": {"type": "string", "pattern": "^https://"},
                    "performance": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "required": ["period", "instance"],
                            "additionalProperties": False,
                            "properties": {
                                "period": {
                                    "type": "object",
                                    "required": ["begin-date", "end-date"],
                                    "additionalProperties": False,
                                    "properties": {"begin-date": _DATE, "end-date": _DATE},
                                },
                                "instance": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "type": "object",
                                        "required": ["access-method", "metric-type", "count"],
                                        "additionalProperties": False,
                                        "properties": {
                                            "access-method": {"enum": ["regular", "machine"]},
                                            "metric-type": {
                                                "enum": [
                                                    "total-dataset-requests",
                                                    "unique-dataset-requests",
                                                    "total-dataset-investigations",
                                                    "unique-dataset-investigations",
                                                ]
                                            },
                                            "count": {"type": "integer", "minimum": 1},
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}
