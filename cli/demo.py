"""`onramp demo`: synthetic candidates through the real HTTP form of a running instance."""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from html.parser import HTMLParser

import click
import httpx
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from screening.definition import (
    DEFAULT_ASSESSMENT,
    AssessmentDefinition,
    CheckItem,
    LikertItem,
    SjtItem,
    load_definition,
)
from screening.seed import DEMO_OPENING_SLUG

STRONG_ANSWERS = [
    "A customer called because her tent arrived without poles two days before a trip. "
    "I apologised, checked stock at the nearest store, and I arranged for poles "
    "to be couriered that afternoon. "
    "I called her the next morning to confirm they arrived, and she later left a kind review. "
    "I also told our warehouse team so the packing checklist was updated.",
    "In my last job a client was unhappy with a late refund. I listened to the whole story, "
    "explained what had gone wrong, and I took ownership of the case until it was solved. "
    "I asked our finance colleague for help, we fixed it the same day, "
    "and the customer stayed with us.",
]
WEAK_ANSWERS = [
    "That was not my fault, the other team messed up the order. I told the customer to call them "
    "because it was not my job to fix their mistakes.",
    "I do not really remember a specific time. Usually things go fine and I follow the rules that "
    "management gives us, so there are not many problems to deal with.",
]


@dataclass(frozen=True)
class Profile:
    """A kind of candidate: how often they give the keyed answer, whether they take their
    time over each page, and whether they finish."""

    name: str
    strength: float
    weight: float
    paced: bool = True
    abandons: bool = False
    contrary: float = 0.0  # how often a weak candidate picks the opposite of the keyed answer


# Most candidates take their time; a few rush (the "implausibly fast" flag). On top of the
# --candidates who finish, about one in ten more start and stop partway (abandoned).
PROFILES = (
    Profile("strong", 0.92, 0.25),
    Profile("solid", 0.7, 0.25),
    Profile("mixed", 0.45, 0.20),
    Profile("weak", 0.15, 0.20, contrary=0.6),
    Profile("rushed", 0.35, 0.10, paced=False),
)
ABANDONS = Profile("abandons", 0.6, 0.0, paced=False, abandons=True)
ABANDON_SHARE = 0.1
SECONDS_PER_ITEM = (4.0, 9.0)  # simulated reading time per question, on the shared clock
CLOCK_CACHE_SECONDS = 0.25  # processes cache the shared clock's offset for 0.2 s


@dataclass(frozen=True)
class AnswerKey:
    """What a strong candidate would answer, read from the assessment definition."""

    sjt: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (best, worst)
    agree: dict[str, int] = field(default_factory=dict)  # likert id -> keyed point
    checks: dict[str, CheckItem] = field(default_factory=dict)


def answer_key(definition: AssessmentDefinition) -> AnswerKey:
    key = AnswerKey()
    for item in definition.items.values():
        if isinstance(item, SjtItem):
            ranked = sorted(item.options, key=lambda option: option.effectiveness)
            key.sjt[item.id] = (ranked[-1].id, ranked[0].id)
        elif isinstance(item, LikertItem):
            key.agree[item.id] = 1 if item.reverse else 5
        elif isinstance(item, CheckItem):
            key.checks[item.id] = item
    return key


def _keyed_answers(
    page: FormPage,
    rng: random.Random,
    profile: Profile,
    key: AnswerKey,
    chosen: dict[str, int],
) -> dict[str, str]:
    """Radio answers for an assessment page: the keyed answer (or one point off it) with
    probability ``strength``, else anything; attention checks answered as asked unless the
    candidate is careless."""
    strength = profile.strength
    data: dict[str, str] = {}
    for name, values in page.radios.items():
        if name.endswith("__least"):
            continue
        if name.endswith("__most"):
            base = name.removesuffix("__most")
            best, worst = key.sjt.get(base, ("", ""))
            known = best in values and worst in values
            if known and rng.random() < strength:
                most, least = best, worst
            elif known and rng.random() < profile.contrary:
                most, least = worst, best
            else:
                most, least = rng.sample(values, 2)
            data[name], data[f"{base}__least"] = most, least
        elif name in key.checks:
            check = key.checks[name]
            careful = rng.random() < 0.5 + strength / 2
            if check.expect is not None and careful:
                value = check.expect
            elif check.mirrors in chosen and careful:
                mirrored = chosen[check.mirrors]
                value = 6 - mirrored if check.reverse else mirrored
            else:
                value = int(rng.choice(values))
            data[name] = str(value)
        elif name in key.agree:
            keyed = key.agree[name]
            if rng.random() < strength:
                value = keyed if rng.random() < 0.6 else (4 if keyed == 5 else 2)
            elif rng.random() < profile.contrary:
                value = 6 - keyed
            else:
                value = int(rng.choice(values))
            chosen[name] = value
            data[name] = str(value)
    return data


@dataclass
class FormPage:
    action: str | None = None
    hidden: dict[str, str] = field(default_factory=dict)
    radios: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    textareas: dict[str, int] = field(default_factory=dict)  # name -> maxlength
    checkboxes: list[str] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = FormPage()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self.page.action = a.get("action") or ""
        elif tag == "input" and a.get("type") == "hidden":
            self.page.hidden[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") == "radio":
            self.page.radios[a["name"]].append(a["value"])
        elif tag == "input" and a.get("type") == "checkbox":
            self.page.checkboxes.append(a["name"])
        elif tag == "textarea":
            self.page.textareas[a["name"]] = int(a.get("maxlength") or 1500)


def parse_form(html: str) -> FormPage:
    parser = _FormParser()
    parser.feed(html)
    return parser.page


def fill(page: FormPage, rng: random.Random, strength: float) -> dict[str, str]:
    """Answers with a per-candidate tendency, so the demo shows a spread of results."""
    data = dict(page.hidden)
    for name, values in page.radios.items():
        if name.endswith("__least"):
            continue
        if name.endswith("__most"):
            base = name.removesuffix("__most")
            most, least = rng.sample(values, 2)
            data[name], data[f"{base}__least"] = most, least
        else:
            high = [v for v in values if v.isdigit() and int(v) >= 4] or values
            data[name] = rng.choice(high) if rng.random() < strength else rng.choice(values)
    for name, maxlength in page.textareas.items():
        pool = STRONG_ANSWERS if rng.random() < strength else WEAK_ANSWERS
        data[name] = rng.choice(pool)[:maxlength]
    for name in page.checkboxes:
        data[name] = "y"
    return data


FIRST_NAMES = ("Ada", "Bea", "Chidi", "Dana", "Emre", "Farah", "Goran", "Hana", "Ines", "Jonas")
LAST_NAMES = ("Okafor", "Lindqvist", "Moreau", "Nakamura", "Silva", "Kowalski", "Haddad")


def profile_of(number: int, seed: int, finishing: int | None = None) -> Profile:
    """Candidates numbered past the ``finishing`` ones are those who abandon."""
    if finishing is not None and number > finishing:
        return ABANDONS
    rng = random.Random(seed * 104729 + number)
    return rng.choices(PROFILES, weights=[p.weight for p in PROFILES])[0]


def run_candidate(
    base_url: str,
    opening: str,
    number: int,
    seed: int,
    key: AnswerKey | None = None,
    pace: Callable[[float], None] | None = None,
    finishing: int | None = None,
) -> str | None:
    """Complete one application the way its profile says; returns its status.json URL, or
    None for a candidate who stopped partway (abandoned)."""
    rng = random.Random(seed * 7919 + number)
    profile = profile_of(number, seed, finishing)
    name = f"{FIRST_NAMES[number % len(FIRST_NAMES)]} {LAST_NAMES[number % len(LAST_NAMES)]}"
    stop_after = rng.randint(1, 3) if profile.abandons else None
    chosen: dict[str, int] = {}
    with httpx.Client(base_url=base_url, follow_redirects=True, timeout=30) as client:
        landing = client.get(f"/o/{opening}")
        landing.raise_for_status()
        start = parse_form(landing.text)
        data = {
            **start.hidden,
            "name": name,
            "email": f"candidate{number}@example.com",
            "consent": "y",
        }
        response = client.post(f"/o/{opening}", data=data)
        for pages_done in range(50):
            if response.status_code != 200:
                raise RuntimeError(f"{response.url} answered {response.status_code}")
            if str(response.url.path).endswith("/done"):
                base = str(response.url).removesuffix("/done")
                if rng.random() < SELF_ID_SHARE:
                    answer_self_identification(client, base + "/about-you", rng)
                return base + "/status.json"
            if stop_after is not None and pages_done >= stop_after:
                return None
            page = parse_form(response.text)
            answers = fill(page, rng, profile.strength)
            if key is not None:
                answers |= _keyed_answers(page, rng, profile, key, chosen)
            if pace is not None and profile.paced:
                questions = len(page.radios) - sum(n.endswith("__least") for n in page.radios)
                pace(max(1, questions + len(page.textareas)) * rng.uniform(*SECONDS_PER_ITEM))
            response = client.post(str(response.url), data=answers)
        raise RuntimeError("the form never finished")


# Most demo candidates answer the voluntary questions (the fairness pages need them); the rest
# leave them blank, as real candidates do.
SELF_ID_SHARE = 0.85
DEMO_SEXES = ("female", "male", "prefer_not_to_say")
DEMO_RACES = (
    "white",
    "hispanic_or_latino",
    "black_or_african_american",
    "asian",
    "two_or_more_races",
    "american_indian_or_alaska_native",
    "native_hawaiian_or_pacific_islander",
    "prefer_not_to_say",
)


def answer_self_identification(client: httpx.Client, url: str, rng: random.Random) -> None:
    form = client.get(url)
    form.raise_for_status()
    data = {
        **parse_form(form.text).hidden,
        "sex": rng.choices(DEMO_SEXES, weights=(48, 48, 4))[0],
        "race_ethnicity": rng.choices(DEMO_RACES, weights=(50, 18, 13, 10, 4, 1, 1, 3))[0],
    }
    client.post(url, data=data).raise_for_status()


def wait_processed(status_urls: list[str], timeout: float, progress: Progress) -> tuple[int, int]:
    task = progress.add_task("scored", total=len(status_urls))
    pending, scored = set(status_urls), 0
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=10) as client:
        while pending and time.monotonic() < deadline:
            for url in list(pending):
                if client.get(url).json().get("status") == "scored":
                    pending.discard(url)
                    scored += 1
                    progress.advance(task)
            if pending:
                time.sleep(0.5)
    return scored, len(pending)


def shared_clock_pacer(
    base_url: str, admin_login: str, password: str
) -> Callable[[float], None] | None:
    """Page times come from the server's clock: on a demo instance the shared clock moves on
    instead of the demo waiting minutes per page. None where the clock cannot be moved."""
    from cli.demo_onboarding import Staff

    try:
        admin = Staff(base_url, admin_login, password)
        admin.api("POST", "/api/clock/advance", json={"days": 1 / 86400})
    except (httpx.HTTPError, RuntimeError):
        return None
    lock = threading.Lock()

    def pace(seconds: float) -> None:
        with lock:
            admin.api("POST", "/api/clock/advance", json={"days": seconds / 86400})
        time.sleep(CLOCK_CACHE_SECONDS)  # until every web process reads the new time

    return pace


# A few decisions the demo manager records on the newest candidates (hires take the oldest).
DEMO_DECISIONS = (
    ("advance", "Clear, customer-first answers; invite to a first interview."),
    ("advance", "Good judgement in the situations; check product knowledge at interview."),
    ("reject", "Hands problems to other teams; not a fit for this role now."),
    ("offer", "Strong interview with the store manager."),
)


def decide_some(base_url: str, manager_login: str, password: str) -> int:
    from cli.demo_onboarding import Staff

    try:
        manager = Staff(base_url, manager_login, password)
    except (httpx.HTTPError, RuntimeError):
        return 0
    dashboard = manager.client.get("/manager/").text
    ids: list[str] = []
    for opening_id in re.findall(r'href="/manager/openings/(\d+)"', dashboard):
        page = manager.client.get(f"/manager/openings/{opening_id}").text
        ids += [i for i in re.findall(r'href="/manager/applications/(\d+)"', page) if i not in ids]
    decided = 0
    newest_first = sorted(ids, key=int, reverse=True)
    for application_id, (decision, reason) in zip(newest_first, DEMO_DECISIONS, strict=False):
        response = manager.post_form(
            f"/manager/applications/{application_id}/decision",
            {"decision": decision, "reason": reason},
        )
        decided += response.status_code == 200
    return decided


@click.command()
@click.option("--candidates", default=20, show_default=True, type=click.IntRange(1, 100_000))
@click.option(
    "--url", "base_url", default=None, help="Running instance (default: ONRAMP_BASE_URL)."
)
@click.option("--opening", default=DEMO_OPENING_SLUG, show_default=True)
@click.option("--concurrency", default=8, show_default=True, type=click.IntRange(1, 64))
@click.option("--timeout", default=300.0, show_default=True, help="Seconds to wait for scoring.")
@click.option("--seed", default=1, show_default=True, help="Random seed for the answers.")
@click.option(
    "--hires",
    default=0,
    show_default=True,
    type=click.IntRange(0, 1000),
    help="Accept offers for this many candidates (as the demo manager).",
)
@click.option(
    "--days",
    default=0,
    show_default=True,
    type=click.IntRange(0, 365),
    help="Then move the shared clock this many days past the start date, "
    "completing steps as the new hires and their manager.",
)
@click.option("--manager", "manager_login", default="manager@northwind.example", show_default=True)
@click.option("--admin", "admin_login", default="admin@northwind.example", show_default=True)
@click.option("--password", default="northwind-demo", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary only.")
def demo(
    candidates: int,
    base_url: str | None,
    opening: str,
    concurrency: int,
    timeout: float,
    seed: int,
    hires: int,
    days: int,
    manager_login: str,
    admin_login: str,
    password: str,
    as_json: bool,
) -> None:
    """Submit N synthetic candidates through the real form and wait until all are scored."""
    from cli.main import load_settings

    base_url = (base_url or load_settings().base_url).rstrip("/")
    status_urls: list[str] = []
    failures: list[str] = []
    with Progress(
        TextColumn("{task.description:>10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        disable=as_json,
    ) as progress:
        numbers = range(1, candidates + round(candidates * ABANDON_SHARE) + 1)
        task = progress.add_task("started", total=len(numbers))
        key = answer_key(load_definition(DEFAULT_ASSESSMENT))
        pace = shared_clock_pacer(base_url, admin_login, password)
        abandoned = 0
        # Those who rush go first, while nobody moves the clock; then the others, each page
        # taking simulated minutes on the shared clock.
        for group in (
            [n for n in numbers if not profile_of(n, seed, candidates).paced],
            [n for n in numbers if profile_of(n, seed, candidates).paced],
        ):
            with ThreadPoolExecutor(concurrency) as pool:
                futures = [
                    pool.submit(run_candidate, base_url, opening, n, seed, key, pace, candidates)
                    for n in group
                ]
                for future in as_completed(futures):
                    try:
                        url = future.result()
                    except (httpx.HTTPError, RuntimeError) as exc:
                        failures.append(re.sub(r"/a/[^/]+", "/a/…", str(exc)))
                    else:
                        if url is None:
                            abandoned += 1
                        else:
                            status_urls.append(url)
                    progress.advance(task)
        scored, unscored = wait_processed(status_urls, timeout, progress)
        summary: dict[str, object] = {
            "submitted": len(status_urls),
            "scored": scored,
            "failed": len(failures) + unscored,
        }
        if hires:
            from cli.demo_onboarding import run_onboarding

            summary |= run_onboarding(
                base_url, hires, days, (manager_login, admin_login, password), seed, progress
            )
        decided = 0
        if hires and scored >= hires + len(DEMO_DECISIONS) + 2:  # the full demo
            decided = decide_some(base_url, manager_login, password)
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(", ".join(f"{key} {value}" for key, value in summary.items()))
        click.echo(f"  also: {abandoned} started and stopped partway, {decided} decided")
        for failure in failures[:5]:
            click.echo(f"  {failure}", err=True)
    if summary["failed"] or summary.get("onboarding_ok") is False:
        raise SystemExit(1)
