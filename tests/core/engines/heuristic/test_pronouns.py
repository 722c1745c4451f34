"""The ambiguous-pronoun detector: each rule with positive and negative examples, EN and DE."""

from __future__ import annotations

import re

import pytest

from core.engines.base import Language
from core.engines.heuristic import analyse

# Rules English needs and German does not have (German marks person by grammatical gender,
# has no '-s' verb forms and puts relative clauses after the verb as a matter of course), and
# the German formal address. Quantity nouns are tested for both in test_antecedents.py.
ENGLISH_ONLY = {
    "person",
    "singular they",
    "demonstrative before a verb",
    "demonstrative for a noun",
    "relative cut off by a verb",
    "relative after its noun",
    "'which' as a determiner",
    "'that' after a verb",
    "quantity noun",
}
GERMAN_ONLY = {"formal address"}

# (rule, language, text, pronoun that must be reported)
POSITIVE = [
    (
        "agreement",
        "en",
        "The controller sends a message to the display and it shall show a warning.",
        "it",
    ),
    ("agreement", "en", "The sensors send alerts to the operators when they fail.", "they"),
    ("possessive", "en", "The client shall send the request to the server with its key.", "its"),
    (
        "coordination",
        "en",
        "If the sensor or the controller is faulty, it shall be restarted.",
        "it",
    ),
    (
        "previous sentence",
        "en",
        "After the upload, the server sends the report to the archive. It shall keep a copy.",
        "It",
    ),
    ("person", "en", "The operator shall call the driver when he stops the train.", "he"),
    ("singular they", "en", "The operator shall inform the driver before they leave.", "they"),
    ("demonstrative", "en", "The server forwards the request. This shall be logged.", "This"),
    (
        "demonstrative before a verb",
        "en",
        "The server restarts the proxy. This triggers an alarm.",
        "This",
    ),
    (
        "demonstrative for a noun",
        "en",
        "The client timeout shall be shorter than that of the server.",
        "that",
    ),
    (
        "demonstrative for a noun",
        "en",
        "The limits shall be stricter than those defined in section 4.",
        "those",
    ),
    (
        "relative cut off by a verb",
        "en",
        "A log shall be provided which records every access.",
        "which",
    ),
    (
        "non-restrictive relative",
        "en",
        "The server sends the report to the archive, which keeps it.",
        "which",
    ),
    (
        "elliptic",
        "en",
        "The train shall pass from one area to another without stopping.",
        "another",
    ),
    (
        "agreement",
        "de",
        "Wenn der Sensor ein Signal an das Steuergerät sendet, muss es die Warnung anzeigen.",
        "es",
    ),
    ("agreement", "de", "Der Server sendet den Bericht an den Client, bevor er neu startet.", "er"),
    (
        "agreement",
        "de",
        "Die Steuerung sendet die Meldung an die Anzeige, sobald sie bereit ist.",
        "sie",
    ),
    ("possessive", "de", "Das Steuergerät überträgt das Signal mit seinem Zeitstempel.", "seinem"),
    ("coordination", "de", "Wenn der Sensor oder der Regler ausfällt, muss er neu starten.", "er"),
    (
        "previous sentence",
        "de",
        "Nach dem Start sendet der Server den Bericht an den Client. Er muss ihn bestätigen.",
        "Er",
    ),
    (
        "demonstrative",
        "de",
        "Der Server sendet die Anfrage an den Proxy. Dies muss protokolliert werden.",
        "Dies",
    ),
    (
        "demonstrative",
        "de",
        "Der Server sendet die Daten an die Datenbank. Diese müssen verschlüsselt sein.",
        "Diese",
    ),
    (
        "non-restrictive relative",
        "de",
        "Der Server startet den Dienst neu, was protokolliert werden muss.",
        "was",
    ),
    ("elliptic", "de", "Der Zug muss von einem Bereich zu einem anderen wechseln.", "anderen"),
]

# (rule, language, text, pronoun that must not be reported)
NEGATIVE = [
    ("agreement", "en", "The sensors send the alarm to the display when they fail.", "they"),
    ("possessive", "en", "The gateway shall record its activities.", "its"),
    (
        "dummy subject",
        "en",
        "The server and the client shall run. It shall be possible to stop them.",
        "It",
    ),
    (
        "dummy object",
        "en",
        "The design of the housing shall make it possible to replace the fan.",
        "it",
    ),
    (
        "dummy verb",
        "en",
        "The server and the client disagree; it seems that the clock is wrong.",
        "it",
    ),
    ("person", "en", "The operator shall restart the server when he arrives.", "he"),
    ("person", "en", "The operator shall restart the server when it fails.", "it"),
    ("singular they", "en", "The user shall confirm the order before they log out.", "they"),
    ("centering", "en", "The server sends the report to the archive. It shall keep a copy.", "It"),
    (
        "quantity noun",
        "en",
        "The number of retries shall be stored by the client in its cache.",
        "its",
    ),
    ("complex preposition", "en", "On behalf of users, the server shall rotate its keys.", "its"),
    (
        "relative after its noun",
        "en",
        "The server shall keep a log which records every access.",
        "which",
    ),
    (
        "'which' as a determiner",
        "en",
        "The user shall select, before the call, which identity is shown.",
        "which",
    ),
    ("'that' after a verb", "en", "It shall be ensured that users are informed.", "that"),
    ("demonstrative", "en", "This function shall log errors.", "This"),
    ("elliptic", "en", "The train shall switch to another mode.", "another"),
    ("agreement", "de", "Der Sensor sendet das Signal an die Anzeige, wenn er ausfällt.", "er"),
    ("possessive", "de", "Das Steuergerät muss seinen Zustand speichern.", "seinen"),
    (
        "dummy subject",
        "de",
        "Der Server und der Client laufen. Es muss sichergestellt sein, dass die Uhr stimmt.",
        "Es",
    ),
    (
        "dummy object",
        "de",
        "Der Server und das Modul laufen. Das Design macht es möglich, den Lüfter zu tauschen.",
        "es",
    ),
    ("dummy verb", "de", "Der Server und das Modul laufen. Es gibt einen Zeitstempel.", "Es"),
    (
        "centering",
        "de",
        "Der Server sendet den Bericht an den Client. Er muss eine Kopie behalten.",
        "Er",
    ),
    (
        "complex preposition",
        "de",
        "In Bezug auf das Protokoll muss die Steuerung ihre Uhr stellen.",
        "ihre",
    ),
    ("formal address", "de", "Die Anzeige zeigt die Meldung an, die Sie angefordert haben.", "Sie"),
    ("demonstrative", "de", "Dieses Modul muss Fehler protokollieren.", "Dieses"),
    ("elliptic", "de", "Der Zug muss in einen anderen Modus wechseln.", "anderen"),
]


def flagged(text: str, language: Language) -> list[str]:
    """Fragments reported as ambiguous pronouns."""
    hits, _ = analyse(text, language)
    return [text[h.start : h.end] for h in hits if h.code == "ambiguous_pronoun"]


@pytest.mark.parametrize(("rule", "language", "text", "pronoun"), POSITIVE)
def test_detect_pronoun_positive(rule: str, language: Language, text: str, pronoun: str) -> None:
    assert pronoun in flagged(text, language), rule


@pytest.mark.parametrize(("rule", "language", "text", "pronoun"), NEGATIVE)
def test_detect_pronoun_negative(rule: str, language: Language, text: str, pronoun: str) -> None:
    assert re.search(rf"\b{pronoun}\b", text)
    assert pronoun not in flagged(text, language), rule


@pytest.mark.parametrize("examples", ["positive", "negative"])
def test_detect_pronoun_rules_tested_in_both_languages(examples: str) -> None:
    rows = POSITIVE if examples == "positive" else NEGATIVE
    english = {rule for rule, language, _, _ in rows if language == "en"}
    german = {rule for rule, language, _, _ in rows if language == "de"}
    assert english - ENGLISH_ONLY == german - GERMAN_ONLY
