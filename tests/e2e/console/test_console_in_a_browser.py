"""The console in a real browser against the running local platform, as people use it:
an admin creates a program, enrolls people, previews a round, locks a pair and
publishes; the two members of that pair accept, one books a meeting and writes in the
journal; an HR analyst reads the program's charts. Each page is screenshotted (phone and
laptop width) and checked with axe-core: no serious or critical violation."""

from __future__ import annotations

import asyncio
import os
import re
import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.console.browser import CHROMIUM, CHROMIUM_ARGS, Recorder, missing
from tests.support.platform import RunningPlatform, running_platform
from tests.support.waiting import eventually
from tools.dev_issuer import issue_token

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(bool(missing()), reason=missing() or "-")]

TAG = uuid.uuid4().hex[:6]
ADMIN = f"adm-{TAG}"
MENTORS = {f"{TAG}-m1": "Mia Mentor", f"{TAG}-m2": "Noah Mentor"}
MENTEES = {f"{TAG}-s1": "Sara Senior", f"{TAG}-s2": "Tom Senior"}
LOCKED_MENTOR, LOCKED_MENTEE = f"{TAG}-m1", f"{TAG}-s2"


def _person(person_id: str, name: str, *, mentor: bool) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "display_name": name,
        "email": f"{person_id}@example.org",
        "level": 2 if mentor else 9,
        "department": "Engineering" if mentor else "Sales",
        "time_zone": "Europe/London",
        "languages": ["en"],
        "hire_date": "2024-03-01" if mentor else "2010-09-01",
        "skills": [{"name": "generative-ai", "proficiency": 4}] if mentor else [],
    }


async def _import_people(platform: RunningPlatform) -> None:
    """People come from HR (the import API); wait until the matcher knows each one."""
    matcher = platform.api("matcher")
    headers = {"Authorization": f"Bearer {issue_token(ADMIN, ['program_admin'])}"}
    rows = [_person(p, n, mentor=True) for p, n in MENTORS.items()]
    rows += [_person(p, n, mentor=False) for p, n in MENTEES.items()]
    async with httpx.AsyncClient(headers=headers, timeout=30) as http:
        answer = await http.post(f"{matcher}/people/import", json=rows)
        assert answer.status_code == 202 and answer.json()["accepted"] == 4, answer.text

        async def known() -> bool:
            found = [await http.get(f"{matcher}/people/{p}") for p in [*MENTORS, *MENTEES]]
            return all(r.status_code == 200 for r in found)

        await eventually(known, timeout_s=60, what="the matcher's projection of the people")


async def _console_answers(console: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as http:
            return (await http.get(f"{console}/healthz")).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    with running_platform(tmp_path_factory.mktemp("console"), trust_test_issuer=False) as up:
        asyncio.run(eventually(lambda: _console_answers(console_url(up)), 30, "the console"))
        asyncio.run(_import_people(up))
        yield up


def console_url(platform: RunningPlatform) -> str:
    return f"http://127.0.0.1:{platform.ports['CONSOLE_PORT']}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)  # as actions: a busy 2-core machine answers slower
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def recorder(tmp_path: Path) -> Recorder:
    directory = Path(os.environ.get("CONSOLE_E2E_ARTIFACTS", tmp_path / "screenshots"))
    print(f"screenshots in {directory}")
    return Recorder(directory)


def signed_in(browser: Any, platform: RunningPlatform, person: str, role: str) -> Any:
    """A fresh browser context (its own cookies) signed in through the sign-in page."""
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    page.goto(console_url(platform) + "/signin")
    page.get_by_label("Person id").fill(person)
    page.get_by_label("Role").select_option(role)
    page.get_by_role("button", name="Sign in").click()
    return page


def test_an_admin_publishes_a_locked_pair_its_members_accept_and_meet_an_analyst_reads(
    platform: RunningPlatform, browser: Any, recorder: Recorder, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    started = time.monotonic()
    admin = signed_in(browser, platform, ADMIN, "program_admin")
    expect(admin.get_by_role("heading", name="Programs", exact=True)).to_be_visible()
    recorder.page(admin, "programs")

    _import_from_an_hr_export(admin, recorder, tmp_path)
    admin.get_by_role("link", name="Programs").click()
    admin.get_by_label("Name", exact=True).fill(f"Reverse mentoring {TAG}")
    admin.get_by_role("button", name="Create program").click()
    expect(admin.get_by_role("heading", name=f"Reverse mentoring {TAG}")).to_be_visible()

    for person in MENTORS:
        admin.get_by_label("Person id").fill(person)
        admin.get_by_label("Role", exact=True).select_option("mentor")
        admin.get_by_role("button", name="Enroll", exact=True).click()
        expect(admin.get_by_role("status")).to_have_text(f"{person} enrolled as mentor")
    recorder.page(admin, "program")
    _enroll_the_mentees_from_a_file(admin, recorder, tmp_path)
    _watch_the_eligible_count_while_editing_rules(admin, recorder)

    admin.get_by_role("button", name="Preview a round").click()
    expect(admin.get_by_role("heading", name="Round preview")).to_be_visible()
    recorder.page(admin, "round-preview")

    # The solver paired m1 with s1; the admin wants m1 with s2: a lock re-solves the rest.
    admin.get_by_label("First person id").fill(LOCKED_MENTOR)
    admin.get_by_label("Second person id").fill(LOCKED_MENTEE)
    admin.get_by_role("button", name="Lock pair").click()
    expect(admin.get_by_role("status")).to_contain_text("locked")
    locked = admin.locator(".proposal", has_text=MENTORS[LOCKED_MENTOR])
    expect(locked).to_contain_text(MENTEES[LOCKED_MENTEE])
    expect(locked).to_contain_text("locked")
    other = f"Lock {MENTORS[f'{TAG}-m2']} with {MENTEES[f'{TAG}-s1']}"
    admin.get_by_role("button", name=other).click()  # the other pair, locked in place
    expect(admin.locator(".tag-locked")).to_have_count(2)
    recorder.page(admin, "round-locked")
    admin.get_by_role("button", name="Publish").click()
    expect(admin.get_by_role("status")).to_contain_text("Round published")

    for person in (LOCKED_MENTOR, LOCKED_MENTEE):
        member = signed_in(browser, platform, person, "employee")
        expect(member.get_by_role("heading", name="My matches")).to_be_visible()
        recorder.page(member, f"my-matches-{person}")
        member.get_by_role("button", name="Accept").first.click()
        expect(member.get_by_role("status")).to_have_text("Accepted")
    _schedule_and_journal(member, recorder)
    _goal_and_action_item(member, recorder)
    _inbox_and_preferences(member, recorder)

    admin.reload()
    matches = admin.get_by_role("region", name=re.compile(r"^Matches"))
    pair_row = matches.get_by_role("row").filter(has_text=LOCKED_MENTOR)
    expect(pair_row).to_contain_text(LOCKED_MENTEE)
    expect(pair_row).to_contain_text("active")
    recorder.page(admin, "program-after-publish")
    admin.locator("main").get_by_role("link", name="Audit trail").click()
    expect(admin.get_by_role("heading", name=re.compile("^Audit trail"))).to_be_visible()
    expect(admin.get_by_role("row").filter(has_text=ADMIN).first).to_be_visible()
    recorder.page(admin, "audit-trail")
    admin.go_back()
    expect(admin.get_by_role("region", name=re.compile("^Relationship health"))).to_contain_text(
        LOCKED_MENTEE
    )
    reports = admin.locator("main").get_by_role("link", name="Reports").get_attribute("href")
    _close_and_answer_the_survey(admin, member, recorder)
    _analyst_reads_the_figures(browser, platform, recorder, reports)
    assert {page: v for page, v in recorder.violations.items() if v} == {}
    print(f"browser walk took {time.monotonic() - started:.1f}s")


def _import_from_an_hr_export(admin: Any, recorder: Recorder, tmp_path: Path) -> None:
    """An HR export with one good line and one whose zone is not a zone: the report
    names the bad line and why."""
    from playwright.sync_api import expect

    export = tmp_path / "hr-export.csv"
    header = "person_id,display_name,email,level,department,time_zone"
    good = f"{TAG}-new,Nia New,{TAG}-new@example.org,3,Finance,Europe/Paris"
    bad = f"{TAG}-bad,Bad Zone,{TAG}-bad@example.org,3,Finance,Mars/Olympus"
    export.write_text("\n".join([header, good, bad]) + "\n")
    admin.get_by_role("link", name="People").click()
    admin.get_by_label("CSV file (at most 20 MiB)").set_input_files(str(export))
    admin.get_by_role("button", name="Import people").click()
    expect(admin.get_by_role("status")).to_contain_text("1 row accepted, 1 rejected")
    expect(admin.get_by_role("row").filter(has_text=f"{TAG}-bad")).to_contain_text("time_zone")
    recorder.page(admin, "people-import")


def _watch_the_eligible_count_while_editing_rules(admin: Any, recorder: Recorder) -> None:
    """Everyone has a partner under the program's rules; asking for twelve shared hours a
    day (a working day is eight) leaves nobody, and the count says so before any save."""
    from playwright.sync_api import expect

    preview = admin.locator("#eligibility")
    expect(preview).to_contain_text("4 of 4 enrolled people have at least one eligible partner")
    hours = admin.get_by_label("Minimum shared working hours a day")
    hours.fill("12")
    hours.press("Tab")
    expect(preview).to_contain_text("0 of 4 enrolled people")
    recorder.page(admin, "eligibility-preview")
    hours.fill("2")
    hours.press("Tab")
    expect(preview).to_contain_text("4 of 4 enrolled people")


def _enroll_the_mentees_from_a_file(admin: Any, recorder: Recorder, tmp_path: Path) -> None:
    """A CSV with the two mentees and a person HR never gave us: two enrolled, one
    row rejected in the per-row report; then back to the program's page."""
    from playwright.sync_api import expect

    csv = tmp_path / "mentees.csv"
    rows = [f"{p},mentee,generative-ai" for p in MENTEES] + [f"{TAG}-nobody,mentee,"]
    csv.write_text("person_id,role,skills_wanted\n" + "\n".join(rows) + "\n")
    admin.locator("main").get_by_role("link", name="Enroll many").click()
    admin.get_by_label("CSV file (at most 20 MiB)").set_input_files(str(csv))
    admin.get_by_role("button", name="Upload and enroll").click()
    expect(admin.get_by_role("status")).to_have_text("2 enrolled, 0 already enrolled, 1 rejected")
    rejected = admin.get_by_role("row").filter(has_text=f"{TAG}-nobody")
    expect(rejected).to_contain_text("Unknown person")
    recorder.page(admin, "bulk-enrollment-report")
    admin.get_by_role("link", name="← Back to the program").click()
    expect(admin.get_by_role("heading", name="Enrolled (4)")).to_be_visible()


def _close_and_answer_the_survey(admin: Any, member: Any, recorder: Recorder) -> None:
    """The admin closes the program: the relationship ends and its member is asked for
    the closing survey, which they answer."""
    from playwright.sync_api import expect

    admin.get_by_role("button", name="Close program").click()
    expect(admin.get_by_role("status")).to_contain_text("Program closed")
    member.get_by_role("link", name="My mentoring").click()
    survey = member.get_by_role("group", name="Closing survey: how did it go?")
    for _ in range(60):  # the matcher ends the match, then sessions the relationship
        if survey.count():
            break
        time.sleep(0.5)
        member.reload()
    recorder.page(member, "closing-survey")
    survey.get_by_label("Goals met").select_option("partly")
    survey.get_by_label("I would recommend this program").check()
    survey.get_by_role("button", name="Send the survey").click()
    expect(member.get_by_role("status")).to_have_text("Thank you: your closing survey is saved")


def _goal_and_action_item(member: Any, recorder: Recorder) -> None:
    """The mentee sets a goal, adds an action item towards it, and marks it done."""
    from playwright.sync_api import expect

    member.get_by_role("link", name=re.compile("^Goals and action items")).first.click()
    expect(
        member.get_by_role("heading", name=re.compile("^Goals and action items"))
    ).to_be_visible()
    member.get_by_label("New goal").fill("Ship one AI experiment")
    member.get_by_role("button", name="Set goal").click()
    expect(member.get_by_role("status")).to_have_text("Goal set: Ship one AI experiment")
    member.get_by_label("To do").fill("Draft the experiment's one-pager")
    member.get_by_label("Due on").fill((date.today() + timedelta(days=7)).isoformat())
    member.get_by_label("Towards goal").select_option(label="Ship one AI experiment")
    member.get_by_role("button", name="Add action item").click()
    expect(member.get_by_role("status")).to_contain_text("Action item added")
    recorder.page(member, "goals-and-action-items")
    row = member.get_by_role("row").filter(has_text="Draft the experiment's one-pager")
    row.get_by_role("button", name=re.compile("^Done")).click()
    expect(member.get_by_role("status")).to_have_text("Action item done")
    expect(row).to_contain_text("done")
    member.get_by_role("link", name="← My mentoring").click()


def _inbox_and_preferences(member: Any, recorder: Recorder) -> None:
    """The member's match notice is in their inbox; they read it, download their
    meeting's invitation and set quiet hours."""
    from playwright.sync_api import expect

    with member.expect_download() as download:
        member.get_by_role("link", name=re.compile("^Add to my calendar")).first.click()
    invitation = Path(download.value.path()).read_text()
    assert invitation.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in invitation
    member.get_by_role("link", name="Inbox").click()
    expect(member.get_by_role("heading", name="Inbox", exact=True)).to_be_visible()
    unread = member.locator("form[action$='/read']")
    for _ in range(40):  # the notifier plans and delivers the notice in the background
        if unread.count():
            break
        time.sleep(0.5)
        member.reload()
    recorder.page(member, "inbox")
    assert unread.count() >= 1, "no notice reached the member's inbox"
    action = unread.first.get_attribute("action")
    unread.first.get_by_role("button", name=re.compile("^Mark as read")).click()
    expect(member.get_by_role("status")).to_have_text("Marked as read")
    expect(member.locator(f"form[action='{action}']")).to_have_count(0)
    member.get_by_label("Quiet hours start (HH:MM)").fill("22:00")
    member.get_by_label("Quiet hours end (HH:MM)").fill("07:00")
    member.get_by_role("button", name="Save preferences").click()
    expect(member.get_by_role("status")).to_have_text("Preferences saved")
    expect(member.get_by_label("Quiet hours start (HH:MM)")).to_have_value("22:00")


def _schedule_and_journal(member: Any, recorder: Recorder) -> None:
    """The mentee books the first free time the picker offers and writes an entry."""
    from playwright.sync_api import expect

    member.get_by_role("link", name="My mentoring").click()
    expect(member.get_by_role("heading", name="My mentoring")).to_be_visible()
    relationship = member.get_by_role("article").filter(has_text=LOCKED_MENTOR)
    for _ in range(40):  # the relationship starts once the sessions worker hears of it
        if relationship.count() and relationship.get_by_text("active").count():
            break
        time.sleep(0.5)
        member.reload()
    relationship.get_by_role("button", name="Find free times").click()
    expect(member.get_by_role("group", name="Free for everyone (in your zone)")).to_be_visible()
    recorder.page(member, "my-mentoring-slots")
    member.get_by_role("button", name="Schedule").click()
    expect(member.get_by_role("status")).to_contain_text("Meeting scheduled")
    expect(member.get_by_role("region", name="Meetings")).to_contain_text("scheduled")
    member.get_by_label("Entry").fill("We agreed on a first small experiment.")
    member.get_by_role("button", name="Save entry").click()
    expect(member.get_by_role("status")).to_have_text("Journal entry saved")
    expect(member.get_by_text("this week: 1 entry")).to_be_visible()
    recorder.page(member, "my-mentoring")


def _analyst_reads_the_figures(
    browser: Any, platform: RunningPlatform, recorder: Recorder, reports_link: str
) -> None:
    """Two members are fewer than five: every cell of theirs shows as suppressed."""
    from playwright.sync_api import expect

    analyst = _signed_in_by_keyboard(browser, platform, f"hr-{TAG}", "hr_analyst")
    expect(analyst.get_by_role("heading", name="Program reports")).to_be_visible()
    analyst.get_by_label("Program id").fill(reports_link.split("program_id=")[1])
    analyst.get_by_role("button", name="Show figures").click()
    expect(analyst.get_by_role("img", name=re.compile("^Relationship health"))).to_be_visible()
    expect(analyst.get_by_role("link", name="Download the figures as CSV")).to_be_visible()
    recorder.page(analyst, "reports")


def _signed_in_by_keyboard(browser: Any, platform: RunningPlatform, person: str, role: str) -> Any:
    """Sign in with the keyboard alone; each control shows where the focus is."""
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    page.goto(console_url(platform) + "/signin")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")  # to the page's content, past the header
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "person_id"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.type(person)
    page.keyboard.press("Tab")
    page.keyboard.type(role.replace("_", " "))  # a select picks the option typed
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Sign in"
    page.keyboard.press("Enter")
    return page


def test_an_employee_requests_a_suggested_partner_who_accepts_it(
    platform: RunningPlatform, browser: Any, recorder: Recorder
) -> None:
    """A self-match program (set up through the API): one peer sees the other
    suggested with why, requests them, and the other accepts in their matches."""
    from playwright.sync_api import expect

    asker, partner = f"{TAG}-m2", f"{TAG}-s1"
    name = f"Peer coaching {TAG}"
    _self_match_program(platform, name, [asker, partner])  # sync: Playwright holds the loop
    peer = signed_in(browser, platform, asker, "employee")
    peer.get_by_role("link", name="Find a partner").click()
    peer.get_by_label("Self-match program").select_option(label=name)
    peer.get_by_role("button", name="Show suggestions").click()
    suggested = peer.get_by_role("listitem").filter(has_text=partner)
    expect(suggested.get_by_label("Why this match: each criterion's contribution")).to_be_visible()
    recorder.page(peer, "find-a-partner")
    suggested.get_by_role("button", name=re.compile("^Request")).click()
    expect(peer.get_by_role("status")).to_contain_text(f"Request sent to {partner}")

    other = signed_in(browser, platform, partner, "employee")
    other.get_by_role("button", name=f"Accept the peer coaching match with {asker}").click()
    expect(other.get_by_role("status")).to_have_text("Accepted")
    _report_and_block(browser, platform, recorder, other, asker, name)
    assert {page: v for page, v in recorder.violations.items() if v} == {}


def _report_and_block(
    browser: Any, platform: RunningPlatform, recorder: Recorder, other: Any, asker: str, name: str
) -> None:
    """The partner reports a concern about the asker, which only the program's admin
    reads, then blocks them: the match between them ends."""
    from playwright.sync_api import expect

    other.get_by_role("link", name="Check-ins and safety").click()
    recorder.page(other, "check-ins-and-safety")
    concern = other.get_by_role("region", name="Report a concern")
    which = concern.get_by_label("About which match")
    which.select_option(which.locator("option", has_text="peer coaching").get_attribute("value"))
    concern.get_by_label("About whom (optional)").select_option(asker)
    concern.get_by_label("What happened").fill(f"Pushy messages at night ({TAG})")
    concern.get_by_role("button", name="Send to the admins").click()
    expect(other.get_by_role("status")).to_contain_text("Concern sent")

    admin = signed_in(browser, platform, ADMIN, "program_admin")
    admin.get_by_role("link", name=name).click()
    concerns = admin.get_by_role("region", name=re.compile("^Concerns reported"))
    expect(concerns).to_contain_text(f"Pushy messages at night ({TAG})")
    recorder.page(admin, "program-with-a-concern")

    other.get_by_label("Person id").fill(asker)
    other.get_by_role("button", name="Block", exact=True).click()
    expect(other.get_by_role("status")).to_contain_text(f"{asker} is blocked")
    other.get_by_role("link", name="My matches").click()
    ended = other.get_by_role("listitem").filter(has_text="Peer coaching").filter(has_text=asker)
    for _ in range(40):  # the matcher ends the match as it stores the block
        if ended.get_by_text("ended").count():
            break
        time.sleep(0.5)
        other.reload()
    expect(ended).to_contain_text("ended")


def _self_match_program(platform: RunningPlatform, name: str, peers: list[str]) -> None:
    headers = {"Authorization": f"Bearer {issue_token(ADMIN, ['program_admin'])}"}
    matcher = platform.api("matcher")
    with httpx.Client(headers=headers, timeout=30) as http:
        body = {
            "name": name,
            "kind": "peer_coaching",
            "matching_mode": "self_match",
            "admin_ids": [ADMIN],
        }
        created = http.post(f"{matcher}/programs", json=body)
        assert created.status_code == 201, created.text
        for person in peers:
            enrolled = http.post(
                f"{matcher}/programs/{created.json()['id']}/enrollments",
                json={"person_id": person, "role": "peer"},
            )
            assert enrolled.status_code in (200, 201, 202), enrolled.text


def test_one_person_offers_a_flash_slot_another_books_it_and_meets_them(
    platform: RunningPlatform, browser: Any, recorder: Recorder
) -> None:
    """A flash program (set up through the API): a host offers a slot on a topic, a
    colleague books it, and the booked meeting is in the colleague's My mentoring."""
    from playwright.sync_api import expect

    host, guest = f"{TAG}-s1", f"{TAG}-m2"
    name, topic = f"Flash Fridays {TAG}", f"Kafka basics {TAG}"
    _flash_program(platform, name, [host, guest])  # sync: Playwright holds the loop
    day = date.today() + timedelta(days=3)

    offering = signed_in(browser, platform, host, "employee")
    offering.get_by_role("link", name="Flash sessions").click()
    offering.get_by_label("Program").select_option(label=name)
    offering.get_by_role("button", name="Show open slots").click()
    # the chosen program's page swapped in (its address says so) before filling its form:
    # a form filled before the swap is replaced by an empty one
    offering.wait_for_url(re.compile(r"program_id="))
    offering.wait_for_load_state("networkidle")
    offering.get_by_label("Topic to talk about").fill(topic)
    offering.get_by_label("Time zone of the start times").fill("Europe/London")
    offering.get_by_label("Minutes each").fill("30")
    offering.get_by_label("Start 1").fill(f"{day.isoformat()}T10:00")
    offering.get_by_role("button", name="Offer slots").click()
    expect(offering.get_by_role("status")).to_have_text(f"Offered 1 slot on {topic}")
    expect(offering.get_by_role("button", name=re.compile(f"^Withdraw\\W+{topic}"))).to_be_visible()
    recorder.page(offering, "flash-offered")

    booking = signed_in(browser, platform, guest, "employee")
    booking.get_by_role("link", name="Flash sessions").click()
    booking.get_by_label("Program").select_option(label=name)
    booking.get_by_role("button", name="Show open slots").click()
    booking.wait_for_url(re.compile(r"program_id="))
    booking.wait_for_load_state("networkidle")
    booking.get_by_role("button", name=re.compile(f"^Book\\W+{topic} with {host}")).click()
    expect(booking.get_by_role("status")).to_contain_text("Booked")
    cancel = booking.get_by_role("button", name=re.compile(f"^Cancel booking\\W+{topic}"))
    expect(cancel).to_be_visible()
    recorder.page(booking, "flash-booked")
    booking.get_by_role("link", name=re.compile("^See the meeting in My mentoring")).click()
    flash = booking.get_by_role("article", name=f"With {host}").filter(has_text="Flash ·")
    expect(flash).to_be_visible()
    when = f"{day:%a} {day.day} {day:%b}, 10:00–10:30"
    expect(booking.get_by_role("listitem").filter(has_text=when).first).to_be_visible()
    recorder.page(booking, "flash-in-my-mentoring")
    assert {page: v for page, v in recorder.violations.items() if v} == {}


def _flash_program(platform: RunningPlatform, name: str, people: list[str]) -> None:
    """Opened and its people enrolled in the matcher; back once sessions knows them all
    (the enrollments travel as events: each may list the offers then)."""
    headers = {"Authorization": f"Bearer {issue_token(ADMIN, ['program_admin'])}"}
    matcher, sessions = platform.api("matcher"), platform.api("sessions")
    with httpx.Client(timeout=30) as http:
        body = {"name": name, "kind": "flash", "admin_ids": [ADMIN]}
        created = http.post(f"{matcher}/programs", json=body, headers=headers)
        assert created.status_code == 201, created.text
        offers = f"{sessions}/programs/{created.json()['id']}/offers"
        for person in people:
            enrolled = http.post(
                f"{matcher}/programs/{created.json()['id']}/enrollments",
                json={"person_id": person, "role": "peer"},
                headers=headers,
            )
            assert enrolled.status_code in (200, 201, 202), enrolled.text
        deadline = time.monotonic() + 60
        for person in people:
            mine = {"Authorization": f"Bearer {issue_token(person, ['employee'])}"}
            while http.get(offers, headers=mine).status_code != 200:
                assert time.monotonic() < deadline, f"sessions never learnt {person} enrolled"
                time.sleep(0.5)
