"""`onramp demo`: synthetic candidates through the real HTTP form of a running instance."""

from __future__ import annotations

import json
import random
import re
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from html.parser import HTMLParser

import click
import httpx
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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


def run_candidate(base_url: str, opening: str, number: int, seed: int) -> str:
    """Complete one application; returns its status.json URL."""
    rng = random.Random(seed * 7919 + number)
    with httpx.Client(base_url=base_url, follow_redirects=True, timeout=30) as client:
        landing = client.get(f"/o/{opening}")
        landing.raise_for_status()
        start = parse_form(landing.text)
        data = {
            **start.hidden,
            "name": f"Demo Candidate {number}",
            "email": f"candidate{number}@example.com",
            "consent": "y",
        }
        response = client.post(f"/o/{opening}", data=data)
        strength = rng.random()
        for _ in range(50):
            if response.status_code != 200:
                raise RuntimeError(f"{response.url} answered {response.status_code}")
            if str(response.url.path).endswith("/done"):
                return str(response.url).removesuffix("/done") + "/status.json"
            page = parse_form(response.text)
            response = client.post(str(response.url), data=fill(page, rng, strength))
        raise RuntimeError("the form never finished")


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
        task = progress.add_task("submitted", total=candidates)
        with ThreadPoolExecutor(concurrency) as pool:
            futures = [
                pool.submit(run_candidate, base_url, opening, n, seed)
                for n in range(1, candidates + 1)
            ]
            for future in as_completed(futures):
                try:
                    status_urls.append(future.result())
                except (httpx.HTTPError, RuntimeError) as exc:
                    failures.append(re.sub(r"/a/[^/]+", "/a/…", str(exc)))
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
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(", ".join(f"{key} {value}" for key, value in summary.items()))
        for failure in failures[:5]:
            click.echo(f"  {failure}", err=True)
    if summary["failed"] or summary.get("onboarding_ok") is False:
        raise SystemExit(1)
