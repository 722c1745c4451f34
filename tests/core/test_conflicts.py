"""Duplicates and conflicts of a requirement set (core.mining.find_pairs): what a requirement
bounds and negates, and which pairs contradict, German and English."""

from __future__ import annotations

import pytest

from core.engines.base import Language
from core.mining import find_pairs
from core.mining._conflicts import Bound, statement
from core.similarity import MAX_PAIRS


def pair_of(a: str, b: str, language: Language | None = None) -> tuple[str, str] | None:
    found = find_pairs([a, b], language=language, duplicate_threshold=0.8, conflict_threshold=0.6)
    return (found[0].kind, found[0].reason) if found else None


@pytest.mark.parametrize(
    ("text", "language", "bounds"),
    [
        ("The page shall load within 2 s.", "en", [Bound("<=", 2.0, "s")]),
        ("The page shall load in less than 300ms.", "en", [Bound("<=", 0.3, "s")]),
        ("Die Seite muss innerhalb von 2 Sekunden laden.", "de", [Bound("<=", 2.0, "s")]),
        ("Die Antwortzeit darf 2 s nicht überschreiten.", "de", [Bound("<=", 2.0, "s")]),
        ("The response must not take more than 2 s.", "en", [Bound("<=", 2.0, "s")]),
        ("It shall support at least 500 concurrent users.", "en", [Bound(">=", 500, "concurrent")]),
        ("Es muss mindestens 1.000 Nutzer bedienen.", "de", [Bound(">=", 1000.0, "nutzer")]),
        ("Uploads shall be up to 10 MB.", "en", [Bound("<=", 10.0 * 1024**2, "B")]),
        ("Verfügbarkeit: mindestens 99,9 %.", "de", [Bound(">=", 99.9, "%")]),
        ("Logs shall be kept for 90 days.", "en", [Bound("=", 90 * 86400.0, "s")]),
        ("Lock it after five failed attempts.", "en", [Bound("=", 5.0, "failed")]),
        (
            "Die Seite muss zwischen 2 und 5 Sekunden laden.",
            "de",
            [Bound(">=", 2.0, "s"), Bound("<=", 5.0, "s")],
        ),
        ("The system shall comply with ISO 9001.", "en", []),  # names a standard
        ("Das Verfahren folgt Kapitel 5.", "de", []),
        ("The tool shall print page 3 first.", "en", []),  # a bare number with no bound word
    ],
)
def test_statement_bounds(text: str, language: Language, bounds: list[Bound]) -> None:
    assert list(statement(text, language).bounds) == bounds


@pytest.mark.parametrize(
    ("text", "language", "negated"),
    [
        ("The system shall store the IP address.", "en", False),
        ("The system shall not store the IP address.", "en", True),
        ("The system shall never store the IP address.", "en", True),
        ("The response shall not exceed 2 s.", "en", False),  # a bound, not a prohibition
        ("Das System darf keine IP-Adressen speichern.", "de", True),
        ("Das System darf nicht mehr als 5 Versuche erlauben.", "de", False),
        ("Das System darf IP-Adressen nicht speichern.", "de", True),
    ],
)
def test_statement_polarity(text: str, language: Language, negated: bool) -> None:
    assert statement(text, language).negated is negated


def test_statement_subject_words_leave_out_claim_words() -> None:
    said = statement("The search page shall not display results within 2 seconds.", "en")
    assert said.about == "search page display results"
    assert statement("Das System muss die Norm ISO 9001 erfüllen.", "de").about == (
        "system norm iso 9001 erfüllen"
    )


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        # contradicting bounds: two limits of one kind that differ, ranges that do not meet
        ("The search shall answer within 2 s.", "The search shall answer within 5 s.", "conflict"),
        ("The login shall answer in 300 ms.", "The login shall answer in 1 s.", "conflict"),
        ("It shall serve at least 500 users.", "It shall serve at most 200 users.", "conflict"),
        ("Logs shall be kept for 90 days.", "Logs shall be kept for 30 days.", "conflict"),
        (
            "Die Antwortzeit der Suche muss unter 2 s liegen.",
            "Die Antwortzeit der Suche darf 5 s nicht überschreiten.",
            "conflict",
        ),
        # opposite polarity
        ("The app shall play a sound.", "The app shall not play a sound.", "conflict"),
        ("Das System muss Daten speichern.", "Das System darf Daten nicht speichern.", "conflict"),
        ("Gäste müssen die Preise sehen.", "Gäste dürfen die Preise niemals sehen.", "conflict"),
        # the same claim: a duplicate, whatever the wording of the bound
        ("The search shall answer within 2 s.", "The search shall answer within 2000 ms.", "dup"),
        ("The job shall take at most 2 h.", "The job shall not take more than 2 h.", "dup"),
        ("The report lists all orders.", "The report lists all the orders.", "dup"),
    ],
)
def test_find_pairs_kinds(a: str, b: str, kind: str) -> None:
    found = pair_of(a, b)
    assert found is not None and found[0] == ("duplicate" if kind == "dup" else kind), found


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (
            "Usernames shall have at least 3 characters.",
            "Usernames shall have at most 30 characters.",
        ),
        ("Lock it after 5 failed attempts.", "Lock it after at most 10 failed attempts."),
        ("The page shall load in 2 to 5 s.", "The page shall load within 5 s."),
        ("The search shall answer within 2 s.", "The export shall finish within 60 s."),
        ("The system shall comply with ISO 9001.", "The system shall comply with ISO 27001."),
        ("The system shall encrypt customer data.", "The system shall not delete customer data."),
        ("Das System muss Aufträge als PDF exportieren.", "Das System muss Rechnungen drucken."),
        ("The app shall play a sound.", "The app shall play a sound within 2 s."),
    ],
)
def test_find_pairs_leaves_compatible_or_unrelated_alone(a: str, b: str) -> None:
    assert pair_of(a, b) is None


def test_find_pairs_answers_indexes_in_input_order_and_never_text() -> None:
    texts = [
        "The report shall list open orders.",
        "The export shall run nightly.",
        "The search shall answer within 5 s.",
        "The search shall answer within 2 s.",
        "The export shall run nightly.",
    ]
    found = find_pairs(texts, duplicate_threshold=0.8, conflict_threshold=0.6)
    assert [(p.a, p.b, p.kind) for p in found] == [(1, 4, "duplicate"), (2, 3, "conflict")]
    assert found[0].similarity == 1.0 and 0 < found[1].similarity < 1
    assert found[1].reason == "contradicting bounds: <= 5 s vs <= 2 s"
    assert all("search" not in p.reason for p in found)


def test_find_pairs_thresholds_come_from_the_caller() -> None:
    a, b = "The search shall answer within 2 s.", "The search page shall answer queries within 5 s."
    assert find_pairs([a, b], duplicate_threshold=0.8, conflict_threshold=0.6) == []
    loose = find_pairs([a, b], duplicate_threshold=0.8, conflict_threshold=0.4)
    assert [p.kind for p in loose] == ["conflict"]


def test_find_pairs_without_words_finds_nothing() -> None:
    assert find_pairs(["...", "!!!", ""], duplicate_threshold=0.8, conflict_threshold=0.6) == []


def test_find_pairs_keeps_at_most_max_pairs() -> None:
    texts = ["The export shall run nightly."] * 50  # 50 * 49 / 2 = 1,225 duplicate pairs
    found = find_pairs(texts, duplicate_threshold=0.8, conflict_threshold=0.6)
    assert len(found) == MAX_PAIRS
    assert [(p.a, p.b) for p in found] == sorted((p.a, p.b) for p in found)
