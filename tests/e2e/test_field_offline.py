"""Field work with no network: a cold start offline (browser restarted, network off), screenings
and a referral draft synced once; two devices editing one note get a conflict, not a loss; a
remote wipe leaves nothing readable in IndexedDB."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from opennrm.accounts.models import User
from opennrm.audit.models import AuditEntry
from opennrm.cases import services as cases
from opennrm.cases.models import CaseNote, Referral
from opennrm.field import services as field
from opennrm.field.models import SyncItem
from opennrm.screening.models import Screening
from tests.cases.helpers import accepted_case
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.screening.helpers import ADULT_POSITIVE

pytestmark = pytest.mark.django_db(transaction=True)

PIN = "482193"
POSITIVE = "Screening result — indicators of trafficking present."
NEGATIVE = "Screening result — insufficient indicators."


@pytest.fixture(autouse=True)
def catalogues(transactional_db: None) -> None:
    """Transactional tests flush the tables, including the catalogues loaded by migration 0002."""
    from opennrm.screening.catalogue_io import bundled_specs, create_version
    from opennrm.screening.models import Indicator, IndicatorCatalogue

    for spec in bundled_specs():
        if not IndicatorCatalogue.objects.filter(list_name=spec.list_name).exists():
            create_version(
                spec,
                catalogue_model=IndicatorCatalogue,
                indicator_model=Indicator,
                imported_by_id=None,
            )


@pytest.fixture
def launch(
    browser: Browser, server_url: str, tmp_path: Path
) -> Iterator[Callable[..., BrowserContext]]:
    """A phone's browser with a profile on disk, so that closing and launching it again is a
    restart: the service worker, its caches and IndexedDB survive, memory does not."""
    opened: list[BrowserContext] = []

    def start(name: str, *, offline: bool = False) -> BrowserContext:
        context = browser.browser_type.launch_persistent_context(
            str(tmp_path / name),
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            base_url=server_url,
            viewport={"width": 360, "height": 740},
        )
        context.set_default_timeout(15_000)
        if offline:
            go_offline(context)
        opened.append(context)
        return context

    yield start
    for context in opened:
        context.close()


def _refuse(route: Route) -> None:
    route.abort("internetdisconnected")


def go_offline(context: BrowserContext) -> None:
    """No network for the pages nor for the service worker's own requests (which the offline
    emulation alone lets through)."""
    context.set_offline(True)
    context.route("**/*", _refuse)


def go_online(context: BrowserContext) -> None:
    context.unroute("**/*", _refuse)
    context.set_offline(False)


def _page(context: BrowserContext) -> Page:
    return context.pages[0] if context.pages else context.new_page()


def _open_field(page: Page) -> None:
    page.goto("/field/")
    expect(page.locator("#field")).to_have_attribute("data-state", "locked")
    page.fill("#fw-pin", PIN)
    page.locator("#fw-unlock button[type=submit]").click()
    expect(page.locator("#field")).to_have_attribute("data-state", "open")


def _installed(page: Page) -> None:
    """Wait until the service worker is active: its install step has cached the shell."""
    # ``ready`` never settles when the install fails: bounded, so a failure reads as one.
    installed = page.evaluate(
        "Promise.race([navigator.serviceWorker.ready.then(() => true),"
        " new Promise((done) => setTimeout(() => done(false), 60000))])"
    )
    assert installed is True, "the service worker did not install within 60 s"


def _screen(page: Page, answers: dict[str, str], headline: str) -> None:
    page.locator("#fw-new").click()
    page.locator("#fw-start button[type=submit]").click()
    for code, value in answers.items():
        page.locator(f"label[for='fw-{code}-{value}']").click()
    page.locator("#fw-finish").click()
    expect(page.locator("#fw-result .fw-headline").first).to_have_text(headline)


def test_cold_start_offline_two_screenings_and_a_referral_sync_once(
    launch: Callable[..., BrowserContext],
    login_as: Callable[[Page, str], None],
    personas: dict[str, User],
) -> None:
    # One signed-in visit while online: the app installs and the device gets its key.
    first = launch("phone")
    page = _page(first)
    login_as(page, "ana")
    _open_field(page)
    _installed(page)
    first.close()

    # The browser restarted in airplane mode.
    phone = launch("phone", offline=True)
    page = _page(phone)
    _open_field(page)
    assert page.evaluate("navigator.onLine") is False
    expect(page.locator("#fw-net")).to_have_text("Offline")
    _screen(page, ADULT_POSITIVE, POSITIVE)
    page.locator("#fw-refer").click()
    page.fill("#fw-given", "Marko")
    page.fill("#fw-family", "Jovanović")
    page.fill("#fw-yob", "1990")
    page.check("#fw-consent")
    page.locator("#fw-referral button[type=submit]").click()
    _screen(page, {"AL-DR-01": "present"}, NEGATIVE)
    expect(page.locator("#fw-queue")).to_have_text("3")
    assert not Screening.objects.exists()

    # Back online: the restarted browser's session is gone, so the user signs in again.
    go_online(phone)
    expect(page.locator("#fw-message")).to_have_text("Sign in again to sync.")
    login_as(page, "ana")
    _open_field(page)
    expect(page.locator("#fw-queue")).to_have_text("0")
    expect(page.locator("#fw-message")).to_have_text("Everything is synced.")
    assert sorted(Screening.objects.values_list("outcome", flat=True)) == [
        "indicators_of_trafficking",
        "insufficient_indicators",
    ]
    referral = Referral.objects.get()
    assert referral.source_screening.outcome == "indicators_of_trafficking"
    assert referral.subject_family_name == "Jovanović"
    assert SyncItem.objects.count() == 3
    assert AuditEntry.objects.filter(verb="field.sync").count() == 3

    # Synced once: another round (and another start) sends nothing again.
    page.locator("#fw-lock").click()
    _open_field(page)
    expect(page.locator("#fw-message")).to_have_text("Everything is synced.")
    assert Screening.objects.count() == 2
    assert Referral.objects.count() == 1


def test_two_devices_editing_one_note_offline_see_the_conflict(
    launch: Callable[..., BrowserContext],
    login_as: Callable[[Page, str], None],
    personas: dict[str, User],
) -> None:
    case = accepted_case(personas["ana"], personas["vesna"])
    note = cases.case_note_add(
        actor=personas["vesna"], case=case, body="Met at the shelter.", sensitivity=2
    )
    devices = []
    for name in ("phone", "tablet"):
        context = launch(name)
        page = _page(context)
        login_as(page, "vesna")
        _open_field(page)
        expect(page.locator(f"textarea[data-note='{note.pk}']")).to_have_value(
            "Met at the shelter."
        )
        go_offline(context)
        expect(page.locator("#fw-net")).to_have_text("Offline")
        devices.append((context, page))
    (phone, on_phone), (tablet, on_tablet) = devices
    for page, text in ((on_phone, "Wants to go home."), (on_tablet, "Her sister is in Novi Sad.")):
        page.fill(f"textarea[data-note='{note.pk}']", text)
        page.locator(f"[data-save-note='{note.pk}']").click()
        expect(page.locator("#fw-queue")).to_have_text("1")

    go_online(phone)
    expect(on_phone.locator("#fw-queue")).to_have_text("0")
    expect(on_phone.locator("#fw-conflicts")).to_have_text("0")
    go_online(tablet)
    expect(on_tablet.locator("#fw-conflicts")).to_have_text("1")
    conflict = on_tablet.locator(".fw-conflict")
    expect(conflict.locator(".fw-mine")).to_have_text("Her sister is in Novi Sad.")
    expect(conflict.locator(".fw-theirs")).to_have_text("Wants to go home.")
    note.refresh_from_db()
    assert note.body == "Wants to go home."

    # The user keeps the tablet's text: it is applied on top of the phone's version.
    conflict.get_by_role("button", name=re.compile("this device")).click()
    expect(on_tablet.locator("#fw-conflicts")).to_have_text("0")
    expect(on_tablet.locator("#fw-queue")).to_have_text("0")
    note.refresh_from_db()
    assert note.body == "Her sister is in Novi Sad."
    assert note.version == 3
    assert CaseNote.objects.count() == 1


def test_typing_in_a_note_while_a_sync_redraws_the_work_keeps_the_cursor(
    launch: Callable[..., BrowserContext],
    login_as: Callable[[Page, str], None],
    personas: dict[str, User],
) -> None:
    """A background sync redraws the assigned work; the person typing in a note keeps the text,
    the focus and the cursor, so the next keystrokes land where they were going."""
    case = accepted_case(personas["ana"], personas["vesna"])
    note = cases.case_note_add(
        actor=personas["vesna"], case=case, body="Met at the shelter.", sensitivity=2
    )
    page = _page(launch("phone"))
    login_as(page, "vesna")
    _open_field(page)
    expect(page.locator("#fw-message")).to_have_text("Everything is synced.")
    area = page.locator(f"textarea[data-note='{note.pk}']")
    area.focus()
    page.keyboard.press("ControlOrMeta+End")
    page.keyboard.type(" She")
    typed_in = area.element_handle()
    # What the connection coming back does: a contact, a sync and a redraw of the work.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("(area) => !area.isConnected", arg=typed_in)
    page.keyboard.type(" wants to go home.")
    expect(area).to_have_value("Met at the shelter. She wants to go home.")
    expect(area).to_be_focused()


READ_IDB = """async () => {
  const names = (await indexedDB.databases()).map((d) => d.name);
  if (!names.includes("onrm-field")) { return {names, dump: ""}; }
  const db = await new Promise((ok, ko) => { const r = indexedDB.open("onrm-field"); r.onsuccess = () => ok(r.result); r.onerror = ko; });
  const read = (store) => new Promise((ok) => {
    const out = [];
    const c = db.transaction(store).objectStore(store).openCursor();
    c.onsuccess = () => { const cur = c.result; if (!cur) { ok(out); return; } out.push([cur.key, cur.value]); cur.continue(); };
  });
  const text = (v) => v instanceof ArrayBuffer || ArrayBuffer.isView(v)
    ? new TextDecoder("utf-8", {fatal: false}).decode(v) : JSON.stringify(v, (k, x) =>
      x instanceof ArrayBuffer || ArrayBuffer.isView(x) ? new TextDecoder().decode(x) : x);
  const rows = [...(await read("meta")), ...(await read("sealed"))];
  db.close();
  return {names, count: rows.length, dump: rows.map(([k, v]) => k + "=" + text(v)).join("\\n")};
}"""


def test_remote_wipe_leaves_no_readable_data(
    launch: Callable[..., BrowserContext],
    login_as: Callable[[Page, str], None],
    personas: dict[str, User],
) -> None:
    context = launch("phone")
    page = _page(context)
    login_as(page, "ana")
    _open_field(page)
    go_offline(context)
    _screen(page, ADULT_POSITIVE, POSITIVE)
    page.locator("#fw-refer").click()
    page.fill("#fw-given", "Marko")
    page.fill("#fw-family", "Jovanović")
    page.check("#fw-consent")
    page.locator("#fw-referral button[type=submit]").click()
    expect(page.locator("#fw-queue")).to_have_text("2")
    stored = page.evaluate(READ_IDB)
    assert stored["count"] >= 4
    # Encrypted at rest on the device: the name is nowhere in the database.
    assert "Jovanović" not in stored["dump"]
    assert "Marko" not in stored["dump"]

    # The phone is lost; an administrator asks for a wipe; it is honoured at the next contact.
    assert field.device_wipe_request(actor=personas["ivan"], user=personas["ana"]) == 1
    go_online(context)
    expect(page.locator("#field")).to_have_attribute("data-state", "wiped")
    expect(page.locator("#fw-message")).to_have_text(
        "The field work data on this device was erased."
    )
    after = page.evaluate(READ_IDB)
    assert "onrm-field" not in after["names"]
    assert page.evaluate("caches.keys()") == []
    assert not Screening.objects.exists()
