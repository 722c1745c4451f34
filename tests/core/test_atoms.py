"""The one suggestion atom model (DESIGN §6), shared by engines, schemas and routes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from core import atoms
from core.atoms import SuggestionAtom, SuggestionMetric
from core.contract import batch as contract_batch
from core.contract.wire import to_wire


def test_atom_model_single_definition_reexported() -> None:
    assert contract_batch.SuggestionAtom is atoms.SuggestionAtom
    assert contract_batch.SuggestionMetric is atoms.SuggestionMetric


@pytest.mark.parametrize(
    ("value", "expected"), [(2, 2), (2.5, 2.5), ("99.9", 99.9), ("3", 3), (0, 0)]
)
def test_metric_value_numbers_and_numeric_strings_accepted(value: Any, expected: float) -> None:
    metric = SuggestionMetric(name="availability", op=">=", value=value, unit="%")
    assert metric.value == expected and type(metric.value) is type(expected)


@pytest.mark.parametrize("value", ["high", True, float("inf"), float("nan"), None])
def test_metric_value_not_a_number_refused(value: Any) -> None:
    with pytest.raises(ValidationError):
        SuggestionMetric(name="n", op="<=", value=value)


@pytest.mark.parametrize("op", ["<", "<=", "=", ">=", ">", "!="])
def test_metric_op_known_accepted(op: str) -> None:
    assert SuggestionMetric(name="n", op=op, value=1).op == op  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"correction": "x" * 20_001},
        {"correction": "x", "acceptance_criteria": ["a"] * 51},
        {"correction": "x", "acceptance_criteria": ["a" * 2001]},
        {"correction": "x", "criteria": {"": True}},
        {"correction": "x", "criteria": {f"k{i}": True for i in range(101)}},
        {"correction": "x", "metrics": [{"name": "n", "op": "~", "value": 1}]},
        {"correction": "x", "findingCode": "Vague term"},
        {"correction": "x", "findingCode": "x" * 65},
    ],
)
def test_atom_out_of_limits_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        SuggestionAtom.model_validate(fields)


def test_atom_defaults_and_unknown_fields_ignored() -> None:
    atom = SuggestionAtom.model_validate({"correction": "shall", "extra": 1})
    assert atom.model_dump() == {
        "correction": "shall",
        "acceptance_criteria": [],
        "metrics": [],
        "criteria": {},
        "notes": "",
        "original_fragment": "",
        "needs_input": None,
        "question": None,
        "finding_code": None,
    }


def test_atom_needs_input_on_the_wire_only_when_set() -> None:
    plain = SuggestionAtom(correction="The system shall log every login.")
    asking = SuggestionAtom.model_validate(
        {
            "correction": "The system shall respond within [bound].",
            "needsInput": True,
            "question": "?",
        }
    )
    assert "needsInput" not in to_wire(plain) and "question" not in to_wire(plain)
    assert (to_wire(asking)["needsInput"], to_wire(asking)["question"]) == (True, "?")


def test_atom_finding_code_on_the_wire_only_when_set() -> None:
    """An addition to the original atom: absent unless an engine names the finding."""
    plain = SuggestionAtom(correction="The system shall log every login.")
    coded = SuggestionAtom.model_validate({"correction": "shall", "findingCode": "weak_modal"})
    assert "findingCode" not in to_wire(plain)
    assert to_wire(coded)["findingCode"] == "weak_modal" == coded.finding_code
