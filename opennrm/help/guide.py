"""The user guide: each role's main tasks, step by step, in English and Serbian (issue 20).

Why this shape. A guide goes stale when its words name a button that was renamed or a page that
moved. So the guide is split in two:

- **The skeleton, here, in Python**: for every role its tasks, and for every step the page it happens
  on (a URL name), the navigation entry that opens it and the button or link it names, each as the
  interface's own message id. The help pages put the interface's current label in the reader's
  language into the text (``gettext`` of the same message id), the browser test
  (``tests/e2e/test_user_guide.py``) walks the same steps and clicks or finds the same labels in
  the three languages, and ``tests/help`` checks that every label is translated. A renamed button
  fails a test instead of leaving the guide wrong.
- **The prose, in one content file per language** (``content/en.yaml``, ``content/sr.yaml``), so
  that a translator reads and writes a whole task in context, not sentence by sentence in a ``.po``
  catalogue. YAML (PyYAML is already a dependency) rather than Markdown: the prose is short plain
  sentences bound to steps, the structure is the skeleton's, and no Markdown library is a
  dependency. ``sr.yaml`` is Cyrillic, the master; Serbian Latin is produced from it by
  ``core.translit.to_latin`` when a page is rendered, never kept as a third copy.

Placeholders in the prose: ``{control}`` (the step's button or link), ``{nav}`` (the navigation
entry) and ``[[Message id]]`` (any other label of the interface), each shown as the interface shows
it in the reader's language. Screenshots are taken by the browser test under
``<var>/guide/<language>/<role>.<task>.<n>.png`` (``./dev guide``) and shown when present.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils import translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

from opennrm.accounts.roles import Role
from opennrm.core.translit import to_latin

CONTENT_DIR = Path(__file__).resolve().parent / "content"
EVERYONE = "everyone"
# The content file of each interface language; sr-latn is derived from sr.
CONTENT_LANGUAGES = ("en", "sr")
LANGUAGES = ("en", "sr", "sr-latn")


@dataclass(frozen=True)
class Step:
    page: str  # the URL name of the page the step happens on
    nav: str = ""  # message id of the navigation entry that opens the page
    control: str = ""  # message id of the button or link the step names
    kind: str = "button"  # the control's ARIA role: "button" or "link"


@dataclass(frozen=True)
class Task:
    key: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class RoleGuide:
    key: str  # a Role value, or EVERYONE
    tasks: tuple[Task, ...]

    def task(self, key: str) -> Task | None:
        return next((task for task in self.tasks if task.key == key), None)


GUIDE: tuple[RoleGuide, ...] = (
    RoleGuide(
        EVERYONE,
        (
            Task(
                "sign-in",
                (
                    Step("account_login", control="Sign in"),
                    Step("mfa_authenticate", control="Sign In"),
                    Step("home"),
                ),
            ),
            Task(
                "account",
                (
                    Step("accounts:profile", control="Issue token"),
                    Step("accounts:profile", control="Change password", kind="link"),
                ),
            ),
        ),
    ),
    RoleGuide(
        Role.SCREENER,
        (
            Task(
                "screen",
                (
                    Step("screening:list", nav="Screenings", control="New screening", kind="link"),
                    Step("screening:start", control="Start the interview"),
                    Step("screening:edit", control="Submit and see the result"),
                ),
            ),
            Task(
                "refer",
                (
                    Step(
                        "cases:referral_create", nav="Refer a person", control="Send the referral"
                    ),
                    Step("cases:referral_list", nav="Referrals", control="Filter"),
                ),
            ),
        ),
    ),
    RoleGuide(
        Role.CASE_MANAGER,
        (
            Task(
                "referrals",
                (
                    Step("cases:referral_list", nav="Referrals", control="Filter"),
                    Step("cases:referral_detail", control="Acknowledge receipt"),
                    Step("cases:referral_detail", control="Accept and register a new person"),
                ),
            ),
            Task(
                "case",
                (
                    Step("cases:case_list", nav="Cases", control="Search"),
                    Step("cases:case_detail", control="Begin assessment", kind="link"),
                ),
            ),
            Task(
                "deadlines",
                (Step("cases:deadlines", nav="Deadlines"),),
            ),
        ),
    ),
    RoleGuide(
        Role.SERVICE_PROVIDER,
        (
            Task(
                "requests",
                (
                    Step("cases:service_inbox", nav="Service requests", control="Accept"),
                    Step("cases:service_inbox", control="Filter"),
                ),
            ),
        ),
    ),
    RoleGuide(
        Role.JUSTICE,
        (
            Task(
                "proceedings",
                (
                    Step("justice:list", nav="Proceedings", control="New proceeding", kind="link"),
                    Step("justice:new", control="Save"),
                    Step("justice:detail", control="Schedule a hearing", kind="link"),
                ),
            ),
        ),
    ),
    RoleGuide(
        Role.TRAINER,
        (
            Task(
                "cohorts",
                (Step("training:cohorts", nav="Training", control="Download XLSX", kind="link"),),
            ),
            Task(
                "coverage",
                (Step("training:coverage", nav="Coverage", control="Download XLSX", kind="link"),),
            ),
        ),
    ),
    RoleGuide(
        Role.COORDINATOR,
        (
            Task(
                "monitoring",
                (
                    Step("monitoring:dashboard", nav="Monitoring"),
                    Step("monitoring:reports", control="Start the report"),
                ),
            ),
            Task(
                "statistics",
                (Step("statistics:index", nav="Statistics", control="Show"),),
            ),
        ),
    ),
    RoleGuide(
        Role.NATIONAL_COORDINATOR,
        (
            Task(
                "statistics",
                (
                    Step("statistics:index", nav="Statistics", control="Show"),
                    Step("statistics:index", control="Download XLSX", kind="link"),
                ),
            ),
            Task(
                "monitoring",
                (Step("monitoring:dashboard", nav="Monitoring"),),
            ),
        ),
    ),
    RoleGuide(
        Role.AUDITOR,
        (
            Task(
                "audit",
                (
                    Step("audit:list", nav="Audit trail", control="Apply"),
                    Step("audit:list", control="Verify the chain"),
                ),
            ),
            Task(
                "break-glass",
                (Step("accounts:break_glass", nav="Break-the-glass review"),),
            ),
        ),
    ),
    RoleGuide(
        Role.ADMIN,
        (
            Task(
                "users",
                (
                    Step("accounts:users", nav="Users", control="Create user"),
                    Step("accounts:grants", nav="Role approvals"),
                ),
            ),
            Task(
                "devices",
                (Step("field:devices", nav="Field devices"),),
            ),
        ),
    ),
)

ROLES: dict[str, RoleGuide] = {role.key: role for role in GUIDE}


def sections() -> set[str]:
    """Every section's id: a role (``"auditor"``) or one of its tasks (``"auditor/audit"``)."""
    ids = set(ROLES)
    for role in GUIDE:
        ids.update(f"{role.key}/{task.key}" for task in role.tasks)
    return ids


@cache
def _content(language: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((CONTENT_DIR / f"{language}.yaml").read_text("utf-8"))
    return data


def content(language: str) -> dict[str, Any]:
    """The prose in an interface language; Serbian Latin transliterated from the Cyrillic."""
    if settings.DEBUG:  # the development server does not restart when a content file changes
        _content.cache_clear()
        _latin.cache_clear()
    if language == "sr-latn":
        return _latin()
    return _content(language if language in CONTENT_LANGUAGES else "en")


@cache
def _latin() -> dict[str, Any]:
    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return to_latin(value)
        if isinstance(value, list):
            return [walk(item) for item in value]
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        return value

    result: dict[str, Any] = walk(_content("sr"))
    return result


def shots_dir() -> Path:
    """Where ``./dev guide`` (the browser test) leaves the screenshots."""
    return Path(settings.VAR_DIR) / "guide"


def shot_name(role: str, task: str, number: int) -> str:
    return f"{role}.{task}.{number}.png"


def _label(message_id: str) -> SafeString:
    return format_html("<strong>{}</strong>", translation.gettext(message_id))


# [[Message id]] in the prose: another label of the interface, named as the interface names it.
LABEL = re.compile(r"\[\[(.+?)\]\]")


def labels_in(text: str) -> list[str]:
    """The message ids the prose names with ``[[…]]``."""
    return LABEL.findall(text)


def render_text(text: str, *, step: Step | None = None) -> SafeString:
    """The prose with its placeholders replaced by the interface's labels in the current language."""
    values: dict[str, Any] = {"control": "", "nav": ""}
    if step is not None:
        values["control"] = _label(step.control) if step.control else ""
        values["nav"] = _label(step.nav) if step.nav else ""
    parts = []
    for number, piece in enumerate(LABEL.split(text)):
        # split() with one group alternates: prose, label, prose, label, …
        if number % 2:
            parts.append(_label(piece))
        else:
            parts.append(format_html(str(conditional_escape(piece)), **values))
    return SafeString("".join(parts))


@dataclass(frozen=True)
class RenderedStep:
    number: int
    text: SafeString
    shot: str  # the screenshot's file name, or "" when none was taken


@dataclass(frozen=True)
class RenderedTask:
    role: str
    key: str
    title: str
    intro: SafeString
    steps: tuple[RenderedStep, ...]


@dataclass(frozen=True)
class RenderedRole:
    key: str
    title: str
    intro: SafeString
    tasks: tuple[RenderedTask, ...]


def render_task(role: RoleGuide, task: Task, language: str) -> RenderedTask:
    text = content(language)[role.key]["tasks"][task.key]
    folder = shots_dir() / language
    steps = []
    for number, (step, words) in enumerate(zip(task.steps, text["steps"], strict=True), start=1):
        name = shot_name(role.key, task.key, number)
        steps.append(
            RenderedStep(
                number,
                render_text(words, step=step),
                name if (folder / name).is_file() else "",
            )
        )
    return RenderedTask(
        role.key, task.key, text["title"], render_text(text.get("intro", "")), tuple(steps)
    )


def render_role(role: RoleGuide, language: str, *, with_steps: bool = True) -> RenderedRole:
    text = content(language)[role.key]
    tasks = tuple(render_task(role, task, language) for task in role.tasks)
    if not with_steps:
        tasks = tuple(RenderedTask(t.role, t.key, t.title, t.intro, ()) for t in tasks)
    # A role is called what the interface calls it (its label in accounts.roles).
    title = str(Role(role.key).label) if role.key in Role.values else text["title"]
    return RenderedRole(role.key, title, render_text(text.get("intro", "")), tasks)


def ordered_roles(user_roles: set[str]) -> list[RoleGuide]:
    """The user's own roles first, then what every user does, then the other roles."""
    own = [role for role in GUIDE if role.key in user_roles]
    rest = [role for role in GUIDE if role.key not in user_roles and role.key != EVERYONE]
    return [*own, ROLES[EVERYONE], *rest]
