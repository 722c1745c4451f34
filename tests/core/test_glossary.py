"""Project glossaries: the CSV file, request entries, merging, the GLOSSARY_PATH setting and
the plumbing that hands a request's glossary to the engine (evaluate, refine, batch rows)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from core.batch import answer_table
from core.contract.batch import RefineCreate
from core.contract.bodies import BatchInput, checked_table, parse_evaluation
from core.contract.evaluations import EvaluationCreate, glossary_of
from core.evaluation import evaluate
from core.exceptions import ConfigError, InvalidRequest
from core.glossary import (
    MAX_FILE_ENTRIES,
    Glossary,
    GlossaryError,
    GlossaryTerm,
    current_glossary,
    merge,
    parse_csv,
    read_glossary,
)
from core.refine import refine
from core.runtime import open_store
from core.settings import Settings, load_settings

SettingsFactory = Callable[..., Settings]
GOOD_CSV = """# project terms
term,kind,definition,language
responsive,defined,p95 < 200 ms,en
reaktionsschnell~,defined,Antwort in unter 200 ms,de

asap,vague_term,"a deadline in working hours, e.g. 4 h",
Ought To,weak_modal,,
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- the CSV format --------------------------------------------------------------------------


def test_parse_csv_reads_entries_comments_and_languages() -> None:
    glossary = parse_csv(GOOD_CSV)
    assert glossary.terms == (
        GlossaryTerm("responsive", "defined", "p95 < 200 ms", "en"),
        GlossaryTerm("reaktionsschnell~", "defined", "Antwort in unter 200 ms", "de"),
        GlossaryTerm("asap", "vague_term", "a deadline in working hours, e.g. 4 h", None),
        GlossaryTerm("Ought To", "weak_modal", "", None),
    )
    assert [t.term for t in glossary.for_language("en")] == ["responsive", "asap", "Ought To"]
    assert [t.term for t in glossary.for_language("de")] == [
        "reaktionsschnell~",
        "asap",
        "Ought To",
    ]


def test_parse_csv_without_language_column_and_empty_kind_means_defined() -> None:
    glossary = parse_csv("Term, Kind ,Definition\nresponsive,,fast enough\n")
    assert glossary.terms == (GlossaryTerm("responsive", "defined", "fast enough"),)


@pytest.mark.parametrize(
    "text, line, problem",
    [
        ("", 1, "no header"),
        ("# only a comment\n", 1, "no header"),
        ("term,definition\nx,y\n", 1, "bad header"),
        ("term,kind,definition,colour\nx,defined,,red\n", 1, "bad header"),
        ("term,kind,definition\nasap,vague,\n", 2, "unknown kind 'vague'"),
        ("term,kind,definition\n# c\n,defined,x\n", 3, "term is empty"),
        ("term,kind,definition\n---,defined,x\n", 2, "no letter or digit"),
        (f"term,kind,definition\n{'t' * 101},defined,\n", 2, "term is longer than 100"),
        (f"term,kind,definition\nt,defined,{'d' * 501}\n", 2, "definition is longer than 500"),
        ("term,kind,definition,language\nt,defined,,fr\n", 2, "language must be de, en"),
        ("term,kind,definition\nt,defined,,extra\n", 2, "4 cells but the header has 3"),
        ('term,kind,definition\nt,defined,"open\n', 2, "not a CSV row"),
        ("term,kind,definition\nAsap,vague_term,\nasap ,loophole,\n", 3, "duplicate term"),
        (
            "term,kind,definition,language\nx,defined,,\nx,vague_term,,de\n",
            3,
            "first on line 2",
        ),
        (
            "term,kind,definition\n" + "".join(f"t{n},,\n" for n in range(MAX_FILE_ENTRIES + 1)),
            MAX_FILE_ENTRIES + 2,
            "too long",
        ),
    ],
)
def test_parse_csv_bad_file_names_line(text: str, line: int, problem: str) -> None:
    with pytest.raises(GlossaryError, match=f"line {line}: .*{problem}"):
        parse_csv(text)


def test_parse_csv_same_term_in_two_languages_is_fine() -> None:
    glossary = parse_csv("term,kind,definition,language\ngift,defined,,en\ngift,loophole,,de\n")
    assert [t.kind for t in glossary.for_language("de")] == ["loophole"]


# -- merging and identity ----------------------------------------------------------------------


def test_merge_request_wins_on_same_term() -> None:
    base = Glossary((GlossaryTerm("Responsive"), GlossaryTerm("asap", "vague_term")))
    override = Glossary((GlossaryTerm("responsive", "subjective_term", "say how fast"),))
    merged = merge(base, override)
    assert merged is not None
    assert merged.terms == (GlossaryTerm("asap", "vague_term"), override.terms[0])
    assert merge(None, override) == override
    assert merge(base, None) == base
    assert merge(None, Glossary()) is None


def test_glossary_hashable_checksum_per_language() -> None:
    one = Glossary((GlossaryTerm("a"), GlossaryTerm("b", "loophole", language="de")))
    same = Glossary((GlossaryTerm("b", "loophole", language="de"), GlossaryTerm("A")))
    assert hash(one) == hash(Glossary(one.terms))
    assert one.checksum("de") == same.checksum("de")
    assert one.checksum("en") != one.checksum("de")


# -- the file ----------------------------------------------------------------------------------


def test_read_glossary_once_per_file_version(tmp_path: Path) -> None:
    path = _write(tmp_path / "g.csv", GOOD_CSV)
    first = read_glossary(path)
    assert read_glossary(path) is first
    _write(path, "term,kind,definition\nasap,loophole,\n")
    os.utime(path, ns=(1, 1))  # a new version even on coarse file-system clocks
    assert read_glossary(path).terms == (GlossaryTerm("asap", "loophole"),)


@pytest.mark.parametrize(
    "content, problem",
    [
        (None, "file not found"),
        (b"term,kind,definition\nt\xff,defined,\n", "line 2: not UTF-8"),
        (b"x" * (1024 * 1024 + 1), "too long"),
    ],
)
def test_read_glossary_unusable_file(tmp_path: Path, content: bytes | None, problem: str) -> None:
    path = tmp_path / "g.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(GlossaryError, match=f"g.csv.*{problem}"):
        read_glossary(path)


def test_current_glossary_keeps_last_good_when_file_breaks(tmp_path: Path) -> None:
    path = _write(tmp_path / "g.csv", GOOD_CSV)
    good = current_glossary(path)
    _write(path, "term,kind,definition\nasap,nonsense,\n")
    os.utime(path, ns=(2, 2))
    assert current_glossary(path) == good
    path.unlink()
    assert current_glossary(path) == good
    assert current_glossary(tmp_path / "never.csv") == Glossary()


def test_load_settings_bad_glossary_names_variable_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "g.csv", "term,kind,definition\nok,defined,\nasap,vague,\n")
    with pytest.raises(ConfigError, match=r"GLOSSARY_PATH: .*g\.csv line 3: unknown kind"):
        load_settings(_env_file=None, glossary_path=path)
    with pytest.raises(ConfigError, match="GLOSSARY_PATH: .*file not found"):
        load_settings(_env_file=None, glossary_path=tmp_path / "missing.csv")


def test_load_settings_glossary_from_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "g.csv", GOOD_CSV)
    assert load_settings(_env_file=None).glossary is None
    settings = load_settings(_env_file=None, glossary_path=path)
    assert settings.glossary == parse_csv(GOOD_CSV)


# -- request entries -----------------------------------------------------------------------


def test_glossary_of_request_defaults_kind_defined() -> None:
    request = EvaluationCreate.model_validate(
        {
            "requirementText": "x",
            "context": {
                "glossary": [
                    {"term": " responsive "},
                    {"term": "asap", "kind": "vague_term", "definition": "4 h", "language": ""},
                ]
            },
        }
    )
    assert glossary_of(request.context) == Glossary(
        (GlossaryTerm("responsive"), GlossaryTerm("asap", "vague_term", "4 h"))
    )
    assert glossary_of(None) is None
    assert glossary_of(EvaluationCreate(requirement_text="x").context) is None


@pytest.mark.parametrize(
    "glossary, field",
    [
        ([{"term": f"t{n}"} for n in range(201)], "context.glossary"),
        ([{"term": ""}], "context.glossary.0.term"),
        ([{"term": "ok"}, {"term": "t" * 101}], "context.glossary.1.term"),
        ([{"term": "!?"}], "context.glossary.0.term"),
        ([{"term": "ok", "kind": "vague"}], "context.glossary.0.kind"),
        ([{"term": "ok", "definition": "d" * 501}], "context.glossary.0.definition"),
        ([{"term": "ok", "language": "fr"}], "context.glossary.0.language"),
        ([{"term": "Asap"}, {"term": "asap", "kind": "loophole"}], "context.glossary"),
        ({"term": "ok"}, "context.glossary"),
        ([{"kind": "defined"}], "context.glossary.0.term"),
    ],
)
def test_parse_evaluation_bad_glossary_names_field(
    settings: Settings, glossary: Any, field: str
) -> None:
    body = {"requirementText": "The system shall start.", "context": {"glossary": glossary}}
    with pytest.raises(InvalidRequest) as caught:
        parse_evaluation(body, settings)
    assert [d["field"] for d in caught.value.details] == [field]


# -- plumbing: evaluate, refine, batch rows, the file ---------------------------------------


def _codes(result: Any) -> list[tuple[str, str]]:
    return [(f.code, f.fragment) for d in result.details for f in d.findings]


def _evaluate(settings: Settings, text: str, context: dict[str, Any] | None = None) -> Any:
    request = parse_evaluation({"requirementText": text, "context": context}, settings)
    with Session(open_store(settings)) as session:
        return evaluate(session=session, settings=settings, request=request, variant="v2")


def test_evaluate_request_glossary_reaches_engine(settings: Settings) -> None:
    text = "The system shall be responsive and reply asap."
    assert ("vague_term", "responsive") in _codes(_evaluate(settings, text))
    result = _evaluate(
        settings,
        text,
        {"glossary": [{"term": "responsive"}, {"term": "asap", "kind": "vague_term"}]},
    )
    assert ("vague_term", "responsive") not in _codes(result)
    assert ("vague_term", "asap") in _codes(result)


def test_evaluate_file_glossary_and_request_on_top(
    make_settings: SettingsFactory, tmp_path: Path
) -> None:
    path = _write(tmp_path / "g.csv", "term,kind,definition\nresponsive,defined,p95 < 200 ms\n")
    settings = make_settings(glossary_path=path)
    text = "The system shall be responsive."
    assert _codes(_evaluate(settings, text)) == []
    override = {"glossary": [{"term": "Responsive", "kind": "subjective_term"}]}
    assert ("subjective_term", "responsive") in _codes(_evaluate(settings, text, override))


def _refine(settings: Settings, context: dict[str, Any]) -> Any:
    request = RefineCreate.model_validate(
        {"requirementText": "Das System sollte reaktionsschnell sein.", "context": context}
    )
    with Session(open_store(settings)) as session:
        return refine(session=session, settings=settings, request=request, variant="v2")


def test_refine_keeps_defined_term(settings: Settings) -> None:
    plain = _refine(settings, {"language": "de"})
    defined = _refine(settings, {"language": "de", "glossary": [{"term": "reaktionsschnell"}]})
    assert defined.iterations[0].score > plain.iterations[0].score
    assert all("[" not in i.text for i in defined.iterations)  # no note asks for a measure
    assert "reaktionsschnell" in defined.final_text


def test_run_table_row_glossary(settings: Settings) -> None:
    markdown = (
        "| id | requirementText | context |\n|---|---|---|\n"
        '| R1 | The system shall be responsive. | {"glossary": [{"term": "responsive"}]} |\n'
        "| R2 | The system shall be responsive. | |\n"
    )
    source = BatchInput(checked_table(markdown, settings))
    with Session(open_store(settings)) as session:
        result = answer_table(
            session=session, settings=settings, source=source, mode="suggest", variant="v2"
        ).public()
    assert _codes(result.items["R1"].evaluation) == []
    assert ("vague_term", "responsive") in _codes(result.items["R2"].evaluation)
    assert result.items["R1"].suggestions == []


def test_checked_table_bad_row_glossary_names_line(settings: Settings) -> None:
    markdown = (
        "| id | requirementText | context |\n|---|---|---|\n"
        "| R1 | The system shall start. | |\n"
        '| R2 | The system shall stop. | {"glossary": [{"term": "x", "kind": "nope"}]} |\n'
    )
    with pytest.raises(InvalidRequest) as caught:
        checked_table(markdown, settings)
    [problem] = caught.value.details
    assert problem["line"] == 4
    assert problem["message"].startswith("context.glossary.0.kind: Input should be 'defined'")
