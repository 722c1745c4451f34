"""Extraction: accepted types by extension and content, their text, and safe file names."""

from __future__ import annotations

import pytest

from core.exceptions import InvalidRequest, UnsupportedMediaType
from core.vectors._extract import Block, extract, safe_name, source_type
from tests.utils.documents import make_docx, make_pdf


def test_extract_pdf_gives_each_page_its_text_and_number() -> None:
    data = make_pdf(["The system shall log every login.", "Das System muss Fehler melden."])
    assert source_type("spec.pdf", data) == "pdf"
    blocks = extract("spec.pdf", "pdf", data)
    assert [(b.text.strip(), b.page_no) for b in blocks] == [
        ("The system shall log every login.", 1),
        ("Das System muss Fehler melden.", 2),
    ]


def test_extract_docx_gives_its_paragraphs() -> None:
    data = make_docx(["Glossar", "Der Nutzer muss sich anmelden können."])
    assert source_type("glossar.docx", data) == "docx"
    assert extract("glossar.docx", "docx", data) == [
        Block("Glossar\nDer Nutzer muss sich anmelden können.")
    ]


@pytest.mark.parametrize(
    ("name", "data", "text"),
    [
        ("a.md", b"# Title\nshall work", "# Title\nshall work"),
        ("a.txt", "\ufeffÄnderung".encode(), "Änderung"),
        ("a.json", b'{"id": "R1", "text": "must"}', '{\n "id": "R1",\n "text": "must"\n}'),
        ("a.csv", b"id,text\nR1, must log \n", "id | text\nR1 | must log"),
    ],
)
def test_extract_text_types(name: str, data: bytes, text: str) -> None:
    kind = source_type(name, data)
    assert extract(name, kind, data) == [Block(text)]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("tool.exe", b"MZ"),
        ("noext", b"text"),
        ("fake.pdf", b"just text"),
        ("fake.docx", b"just text"),
        ("binary.txt", b"a\x00b"),
        ("latin1.md", "Änderung".encode("latin-1")),
    ],
)
def test_source_type_refuses_unsupported_or_disguised_files_415(name: str, data: bytes) -> None:
    with pytest.raises(UnsupportedMediaType):
        source_type(name, data)


def test_source_type_refuses_empty_files_400() -> None:
    with pytest.raises(InvalidRequest, match="empty"):
        source_type("empty.md", b"")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b'{"open": ', "json"),
        (b"[" * 100_000, "json"),
        (b"%PDF-1.4 broken", "pdf"),
        (b"PK\x03\x04x", "docx"),
    ],
)
def test_extract_unreadable_file_400(data: bytes, kind: str) -> None:
    with pytest.raises(InvalidRequest, match="cannot be read"):
        extract(f"x.{kind}", kind, data)


@pytest.mark.parametrize(
    ("raw", "name"),
    [("../../etc/passwd.md", "passwd.md"), ("C:\\docs\\spec.md", "spec.md"), (" a.md ", "a.md")],
)
def test_safe_name_strips_directories(raw: str, name: str) -> None:
    assert safe_name(raw) == name


@pytest.mark.parametrize("raw", [None, "", "a/..", " ", "bad\nname.md", "bell\x07.md", "x" * 300])
def test_safe_name_refuses_unusable_names_400(raw: str | None) -> None:
    with pytest.raises(InvalidRequest):
        safe_name(raw)
