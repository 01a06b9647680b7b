"""Accounts shared by the decisions tests."""

from __future__ import annotations

from decisions.auth import User

STAFF = User("somchai", "staff")
AGENCY = User("ddc-head", "agency", "ddc")
OTHER_AGENCY = User("cdd-head", "agency", "cdd")
PUBLIC = User("stage", "public")
NON_STAFF = (AGENCY, PUBLIC)
