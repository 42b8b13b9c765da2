"""How an import declares itself to the one import pipeline (issue 19).

Every import in OpenNRM (cases, the prosecutors' register, training completions, GRETA
recommendations, indicator catalogues) is an :class:`ImportSpec`. The pipeline
(``opennrm.imports``) owns everything that is the same for all of them: reading the file through
``core.tabular``, the column-mapping screen (suggested from each column's aliases, saved per source),
the value-mapping screen for every controlled vocabulary (unknown values with their counts, mapped
once and remembered), the preview, the background job with its progress, the report and the
template file. A spec owns only what is particular to its records:

- :meth:`ImportSpec.columns` — the columns it understands (:class:`Column`): a stable key, a label
  in the active language, whether it is required, the header spellings met in the wild (HTCDS
  names with their misspellings, Serbian Cyrillic and Latin, English), and, for a controlled value,
  its :class:`Vocabulary`;
- :meth:`ImportSpec.preview` and :meth:`ImportSpec.commit`, over rows that are already mapped:
  ``(row number, {column key: raw text})``, where the row number is the one a person sees in the
  spreadsheet (header = row 1) and every value of a column with a vocabulary is replaced by its
  code when the vocabulary recognises it or the user mapped it (the value mapping); a value
  neither recognises is passed as written, for the spec to report.

``commit`` is all or nothing: it raises ``core.tabular.TabularError`` (row, column, why) or another
``DomainError`` and writes nothing, or writes everything in one transaction. Committing the same
file twice must change nothing the second time.

A spec is registered with :func:`register` in a module ``<app>/import_specs.py``, which the imports
app imports at start-up (as Django's admin discovers ``admin.py``). A spec that works on one record
of the app (the training cohort a completion report belongs to) receives its key as ``target``.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Protocol, runtime_checkable

from django.utils.functional import Promise

from opennrm.accounts.models import User
from opennrm.core.tabular import RowError

Text = str | Promise
Rows = Iterable[tuple[int, dict[str, str]]]
Progress = Callable[[int, int], None]  # (done, total)


@runtime_checkable
class Vocabulary(Protocol):
    """A controlled vocabulary: the codes a column accepts and how raw text is recognised."""

    @property
    def name(self) -> str:
        """A stable key (``"cases.gender"``): value mappings are remembered under it."""
        ...

    def match(self, raw: str) -> str | None:
        """The code ``raw`` stands for, or None when it is not recognised (a code matches itself)."""
        ...

    def choices(self) -> list[tuple[str, str]]:
        """Every allowed ``(code, label)``, labels in the active language."""
        ...


@dataclass(frozen=True)
class Choices:
    """A vocabulary over a fixed list of codes, recognised by code, label or synonym.

    Matching ignores case, spaces and punctuation (``"Forced labour"`` = ``"forced_labour"``).
    ``labels`` may be lazy translations: ``choices()`` gives them in the active language, and
    matching tries them in each of the platform's languages.
    """

    name: str
    labels: Sequence[tuple[str, Text]]
    synonyms: dict[str, str] = field(default_factory=dict)  # raw text → code

    def choices(self) -> list[tuple[str, str]]:
        return [(code, str(label)) for code, label in self.labels]

    def match(self, raw: str) -> str | None:
        wanted = match_key(raw)
        if not wanted:
            return None
        for code, label in self.labels:
            if wanted in (match_key(code), match_key(str(label))):
                return code
        for text, code in self.synonyms.items():
            if match_key(text) == wanted:
                return code
        # A label in any of the platform's languages (a Serbian file read by an English user).
        from django.conf import settings
        from django.utils import translation

        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for code, label in self.labels:
                    if match_key(str(label)) == wanted:
                        return code
        return None


_NOT_KEY = re.compile(r"[\W_]+")


def match_key(text: str) -> str:
    """Text as compared with a vocabulary or a header: lower case, letters and digits only
    (any script: Cyrillic stays Cyrillic)."""
    return _NOT_KEY.sub("", text.casefold())


@dataclass(frozen=True)
class Column:
    """One column an import understands."""

    key: str
    label: Text
    required: bool = False
    # Header spellings recognised for this column besides its key and label, in any language:
    # "vic_TraffickinStatusDecisionMakingOrg", "Име", "Ime", "First name".
    aliases: tuple[str, ...] = ()
    vocabulary: Vocabulary | None = None
    # Several values in one cell, separated by ";" (or "," / "|"); each is mapped on its own.
    multiple: bool = False
    help: Text = ""
    example: str = ""  # the sample row of the template

    def headers(self) -> list[str]:
        """Every header this column is recognised by, as written."""
        return [self.key, str(self.label), *self.aliases]


@dataclass
class Preview:
    """What a commit would do, computed without writing."""

    rows: int = 0
    create: int = 0
    update: int = 0
    skip: int = 0
    # The first rows exactly as they will be stored: column labels, then display values.
    sample_columns: list[str] = field(default_factory=list)
    sample: list[list[str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Result:
    """What a commit did."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    # Further figures for the result page and report, e.g. ("Learners enrolled", 12).
    details: list[tuple[str, int]] = field(default_factory=list)
    # Per row: (row number, what happened, the reference of the record) for the report.
    outcomes: list[tuple[int, str, str]] = field(default_factory=list)
    # Machine-readable figures for the API and commands, e.g. {"learners_created": 12}.
    figures: dict[str, int] = field(default_factory=dict)


class ImportSpec(ABC):
    """One kind of import. Subclasses set the class attributes and implement the three methods."""

    key: ClassVar[str]  # "cases", "justice.register", "training.completions", ...
    title: ClassVar[Text]
    permission: ClassVar[str]  # the policy action an importer needs
    # A label for the record the import belongs to ("Cohort"), when the spec needs one.
    target_label: ClassVar[Text | None] = None

    def __init__(self, *, target: str = "") -> None:
        self.target = target

    @abstractmethod
    def columns(self) -> Sequence[Column]:
        """The columns, in the order of the template file."""

    @abstractmethod
    def preview(self, rows: Rows, *, actor: User) -> Preview:
        """Validate every row and say what a commit would do; writes nothing."""

    @abstractmethod
    def commit(self, rows: Rows, *, actor: User, progress: Progress) -> Result:
        """Write every row in one transaction, or raise ``TabularError``/``DomainError``.

        ``rows`` may be iterated more than once (each pass reads the stored file again), so a
        spec can check a large file in one pass and write it in a second without holding it."""

    def reshape(
        self, header: list[str], rows: Iterable[tuple[int, list[str]]]
    ) -> tuple[list[str], Iterable[tuple[int, list[str]]]]:
        """Turn a platform's own export layout into one header row and data rows (e.g. Moodle's
        two columns per activity into one); the raw grid unchanged by default."""
        return header, rows

    def suggest(self, header: Sequence[str], suggested: list[str]) -> list[str]:
        """The column mapping to offer for ``header``, given the one matched by names and
        aliases (a column key or "" per header cell); that one by default."""
        return suggested

    def targets(self, *, actor: User) -> list[tuple[str, str]]:
        """The records an import may belong to, ``(target, label)``; none by default."""
        return []


_REGISTRY: dict[str, type[ImportSpec]] = {}


def register[S: type[ImportSpec]](spec: S) -> S:
    """Class decorator: make ``spec`` one of the pipeline's imports."""
    _REGISTRY[spec.key] = spec
    return spec


def get_spec(key: str, *, target: str = "") -> ImportSpec:
    """The spec registered as ``key``; KeyError when there is none."""
    return _REGISTRY[key](target=target)


def registered() -> list[type[ImportSpec]]:
    return sorted(_REGISTRY.values(), key=lambda spec: spec.key)
