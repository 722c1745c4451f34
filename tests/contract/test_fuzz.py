"""Property-based fuzzing of every shared route on every target: no input gives a 5xx.

Schemathesis generates requests from v2's OpenAPI document (valid bodies, and bodies that
break the schema on purpose) and sends each to v1, v2 and the gateway on either variant.
Whatever it sends, the answer must be a success or a 4xx in the one error shape.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

import app_v2.main
from core.settings import Settings
from tests.utils.targets import TARGET_NAMES, build_app

ERROR_KEYS = {"error", "message", "requestId"}
EXAMPLES_PER_ROUTE = 15


def check_operation(operation: Any) -> None:
    strategy = operation.as_strategy(generation_mode=GenerationMode.POSITIVE) | (
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    )

    @given(strategy)
    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def never_5xx(case: Any) -> None:
        response = case.call()
        case.validate_response(response, checks=[not_a_server_error])
        if response.status_code >= 400:
            assert ERROR_KEYS <= set(response.json()), response.text

    never_5xx()


@pytest.mark.parametrize("target_name", TARGET_NAMES)
def test_fuzz_shared_routes_never_answer_5xx(target_name: str, contract_settings: Settings) -> None:
    schema = schemathesis.openapi.from_dict(app_v2.main.create_app(contract_settings).openapi())
    schema.app = build_app(target_name, contract_settings)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 13
    for operation in operations:
        check_operation(operation)
