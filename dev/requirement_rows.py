"""Varied, realistic requirement rows for load tests and benchmarks, made deterministically.

Each row is one long requirement in English or German (alternating), built from sentence
parts of the kind real specifications hold: a binding or weak modal, a measurable or a
vague bound, a condition, now and then a loophole, a passive clause or a TBD. Rows are
padded with further sentences up to `row_chars`, so a 1,000-row table of 1,000-character
rows is about the 1 MiB that MAX_BODY_BYTES admits.
"""

from __future__ import annotations

import json
import random

from core.markdown import render_table

_EN = {
    "subject": [
        "The billing service",
        "The mobile app",
        "The export module",
        "The operator console",
        "The authentication gateway",
        "The reporting job",
        "The sensor bridge",
        "The search index",
    ],
    "modal": ["shall", "shall", "should", "must", "may", "will"],
    "action": [
        "store every invoice in the archive",
        "send a confirmation e-mail to the customer",
        "lock the account after five failed log-ins",
        "render the dashboard",
        "export the monthly report as PDF",
        "reject malformed sensor frames",
        "refresh the search results",
        "log each change of a user's role",
    ],
    "bound": [
        "within 2 seconds (p95)",
        "within 200 ms",
        "quickly",
        "as fast as possible",
        "in a user-friendly way",
        "at least 99.9 % of the time per month",
        "without noticeable delay",
        "within 5 minutes of the trigger",
    ],
    "condition": [
        "when the user presses Save",
        "if the network is available",
        "after each nightly import",
        "while the system is under peak load",
        "if possible",
        "when an administrator approves it",
    ],
    "extra": [
        "The data is validated by the backend before it is stored.",
        "It should also be easy to maintain, etc.",
        "The retention period is TBD.",
        "Errors are shown to the user in plain language.",
        "The format of the file shall follow the agreed interface specification.",
        "Performance should be appropriate for normal use.",
    ],
}
_DE = {
    "subject": [
        "Das Abrechnungssystem",
        "Die mobile App",
        "Das Exportmodul",
        "Die Bedienkonsole",
        "Der Anmeldedienst",
        "Der Berichtsjob",
        "Die Sensorbrücke",
        "Der Suchindex",
    ],
    "modal": ["muss", "muss", "sollte", "soll", "kann", "wird"],
    "action": [
        "jede Rechnung im Archiv speichern",
        "dem Kunden eine Bestätigung per E-Mail senden",
        "das Konto nach fünf fehlgeschlagenen Anmeldungen sperren",
        "das Dashboard anzeigen",
        "den Monatsbericht als PDF exportieren",
        "fehlerhafte Sensordaten verwerfen",
        "die Suchergebnisse aktualisieren",
        "jede Änderung einer Benutzerrolle protokollieren",
    ],
    "bound": [
        "innerhalb von 2 Sekunden (p95)",
        "innerhalb von 200 ms",
        "schnell",
        "möglichst zügig",
        "benutzerfreundlich",
        "zu mindestens 99,9 % der Zeit pro Monat",
        "ohne merkliche Verzögerung",
        "innerhalb von 5 Minuten nach dem Auslöser",
    ],
    "condition": [
        "wenn der Benutzer auf Speichern drückt",
        "falls das Netzwerk verfügbar ist",
        "nach jedem nächtlichen Import",
        "während das System unter Spitzenlast steht",
        "wenn möglich",
        "sobald ein Administrator zustimmt",
    ],
    "extra": [
        "Die Daten werden vor dem Speichern vom Backend geprüft.",
        "Es sollte außerdem leicht wartbar sein, usw.",
        "Die Aufbewahrungsfrist ist TBD.",
        "Fehler werden dem Benutzer verständlich angezeigt.",
        "Das Dateiformat muss der vereinbarten Schnittstellenspezifikation entsprechen.",
        "Die Leistung sollte für den normalen Betrieb angemessen sein.",
    ],
}


def _sentence(parts: dict[str, list[str]], rng: random.Random) -> str:
    subject, modal = rng.choice(parts["subject"]), rng.choice(parts["modal"])
    action, bound = rng.choice(parts["action"]), rng.choice(parts["bound"])
    condition = rng.choice(parts["condition"])
    if parts is _DE:
        return f"{subject} {modal} {condition} {bound} {action}."
    return f"{subject} {modal} {action} {bound} {condition}."


def requirement_text(index: int, *, row_chars: int = 1000, seed: int = 12) -> str:
    """The index-th requirement: English for even, German for odd indexes."""
    rng = random.Random(seed * 1_000_003 + index)
    parts = _EN if index % 2 == 0 else _DE
    sentences = [_sentence(parts, rng)]
    while True:
        extra = rng.random() < 0.5
        sentence = rng.choice(parts["extra"]) if extra else _sentence(parts, rng)
        if sum(len(s) + 1 for s in sentences) + len(sentence) > row_chars:
            return " ".join(sentences)
        sentences.append(sentence)


def requirements_table(rows: int, *, row_chars: int = 1000, seed: int = 12) -> str:
    """A markdown table `| id | requirementText | context |` of `rows` requirements."""
    body = [
        (
            f"REQ-{index + 1:04d}",
            requirement_text(index, row_chars=row_chars, seed=seed),
            json.dumps({"language": "en" if index % 2 == 0 else "de"}),
        )
        for index in range(rows)
    ]
    return render_table(["id", "requirementText", "context"], body) + "\n"
