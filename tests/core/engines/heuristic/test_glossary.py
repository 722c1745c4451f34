"""A project glossary in the heuristic engine: defined terms are not vague, project weak
words are reported with their code, in English and German; whole words only."""

from __future__ import annotations

import pytest

from core.engines.base import Language
from core.engines.heuristic import analyse, assess, suggest
from core.glossary import KINDS, Glossary, GlossaryKind, GlossaryTerm

T = GlossaryTerm
PROJECT = Glossary(
    (
        T("responsive", "defined", "p95 < 200 ms", "en"),
        T("reaktionsschnell~", "defined", "Antwort in unter 200 ms", "de"),
        T("high availability", "defined", "99.9 % per month"),
        T("asap", "vague_term", "a deadline in working hours"),
        T("baldmöglichst", "vague_term", "innerhalb von 2 Arbeitstagen", "de"),
        T("flott", "vague_term", "", "de"),
        T("in due course", "loophole", "", "en"),
        T("ought to", "weak_modal", "", "en"),
    )
)


def _found(text: str, language: Language, glossary: Glossary | None = PROJECT) -> set[str]:
    hits, _ears = analyse(text, language, glossary)
    return {f"{h.code}:{text[h.start : h.end]}" for h in hits}


@pytest.mark.parametrize(
    "language, text, gone",
    [
        ("en", "The system shall be responsive.", "vague_term:responsive"),
        ("en", "The UI shall be RESPONSIVE at all times.", "vague_term:RESPONSIVE"),
        ("de", "Das System muss reaktionsschnell sein.", "vague_term:reaktionsschnell"),
        ("de", "Es muss eine reaktionsschnelle Oberfläche geben.", "vague_term:reaktionsschnelle"),
        ("en", "The system shall have high availability.", "missing_measure:availability"),
        ("en", "The system shall have high availability.", "vague_term:high"),
    ],
)
def test_analyse_defined_term_not_reported(language: Language, text: str, gone: str) -> None:
    assert gone in _found(text, language, None)
    assert gone not in _found(text, language)


@pytest.mark.parametrize(
    "language, text, found",
    [
        ("en", "The system shall reply asap.", "vague_term:asap"),
        ("en", "The report shall be sent in due course.", "loophole:in due course"),
        ("en", "The system ought to log every error.", "weak_modal:ought to"),
        ("de", "Das System muss baldmöglichst antworten.", "vague_term:baldmöglichst"),
        ("de", "Das System muss ASAP antworten.", "vague_term:ASAP"),
        ("de", "Die Meldung muss flott erscheinen.", "vague_term:flott"),
    ],
)
def test_analyse_project_word_reported(language: Language, text: str, found: str) -> None:
    assert found not in _found(text, language, None)
    assert found in _found(text, language)


@pytest.mark.parametrize(
    "language, text",
    [
        ("en", "The system shall store the asaph field."),  # inside a longer word
        ("en", "The system shall reply within 2 hours, not asap-style."),  # part of a compound
        ("en", "The UI shall be unresponsive to clicks during a save."),
        ("en", "The report shall be sent in due time."),  # only part of the phrase
        ("de", "Die Flotte muss gemeldet werden."),  # 'flott' without '~' takes no endings
        ("de", "Das System muss baldmöglichstens antworten."),
        ("de", "Die Antwort muss in due course kommen."),  # an English-only entry
        ("en", "The system shall respond baldmöglichst."),  # a German-only entry
        ("en", "The system shall reply asap within 2 hours."),  # a number quantifies it
    ],
)
def test_analyse_project_word_only_as_whole_words(language: Language, text: str) -> None:
    assert _found(text, language) == _found(text, language, None)


def test_analyse_defined_term_only_in_its_language() -> None:
    text = "Das System muss responsive sein."
    glossary = Glossary((T("responsive", language="en"),))
    assert _found(text, "de", glossary) == _found(text, "de", None)


@pytest.mark.parametrize("kind", [kind for kind in KINDS if kind != "defined"])
@pytest.mark.parametrize(
    "language, text",
    [("en", "The gizmo shall zorp the file."), ("de", "Das Gerät muss zorp sein.")],
)
def test_analyse_project_word_takes_its_kind(
    kind: GlossaryKind, language: Language, text: str
) -> None:
    assert f"{kind}:zorp" in _found(text, language, Glossary((T("zorp", kind),)))


def test_assess_project_word_message_in_requirement_language_with_definition_hint() -> None:
    english = assess("The system shall reply asap.", criteria=["clarity"], glossary=PROJECT)
    [finding] = english.results[0].findings
    assert (finding.code, finding.fragment, finding.start) == ("vague_term", "asap", 23)
    assert finding.message == "Vague term 'asap': it has no measurable meaning."
    assert "a deadline in working hours" in " ".join(s.text for s in english.suggestions)
    assert (
        english.rewrite
        == "The system shall reply [measurable bound, e.g. a deadline in working hours]."
    )

    german = assess(
        "Das System muss baldmöglichst antworten.",
        criteria=["clarity"],
        language="de",
        glossary=PROJECT,
    )
    [finding] = german.results[0].findings
    assert finding.message.startswith("Vager Begriff „baldmöglichst“")
    assert "innerhalb von 2 Arbeitstagen" in german.rewrite  # type: ignore[operator]


def test_assess_defined_term_scores_like_clean_text() -> None:
    criteria = ["clarity", "measurability"]
    defined = assess("The system shall be responsive.", criteria=criteria, glossary=PROJECT)
    plain = assess("The system shall be responsive.", criteria=criteria)
    assert all(not r.findings for r in defined.results)
    assert sum(r.score for r in defined.results) > sum(r.score for r in plain.results)
    assert defined.rewrite is None


def test_assess_weak_modal_without_definition_becomes_binding() -> None:
    en = assess("The system ought to log every error.", criteria=["clarity"], glossary=PROJECT)
    assert en.rewrite == "The system shall log every error."
    de = assess(
        "Das System mag jeden Fehler protokollieren.",
        criteria=["clarity"],
        language="de",
        glossary=Glossary((T("mag", "weak_modal"),)),
    )
    assert de.rewrite == "Das System muss jeden Fehler protokollieren."


def test_suggest_atoms_follow_the_glossary() -> None:
    text = "The system shall be responsive to reply asap."
    fragments = [a.original_fragment for a in suggest(text, criteria=["clarity"])]
    assert "responsive" in fragments and "asap" not in fragments
    atoms = {a.original_fragment: a for a in suggest(text, criteria=["clarity"], glossary=PROJECT)}
    assert "responsive" not in atoms
    assert atoms["asap"].correction == (
        "The system shall be responsive to reply "
        "[measurable bound, e.g. a deadline in working hours]."
    )


def test_analyse_request_definition_replaces_lexicon_hint() -> None:
    glossary = Glossary((T("fast", "vague_term", "within 50 ms at p99"),))
    hits, _ = analyse("The system shall be fast.", "en", glossary)
    assert [(h.code, h.hint) for h in hits] == [("vague_term", "within 50 ms at p99")]
