"""Intake over HTTP: onramp's candidate pages against a minimal one-row Flask app, both under
the same gunicorn settings, driven by the same client threads."""

from __future__ import annotations

import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import unescape as html_unescape

import httpx

from cli.demo import FormPage, fill, parse_form

CLIENT_THREADS = 4
# A hidden input's name and value, whatever the attributes' order (as WTForms writes them).
HIDDEN = re.compile(r'<input\b(?=[^>]*\btype="hidden")[^>]*>')
ATTRIBUTE = re.compile(r'\b(name|value)="([^"]*)"')


class Forms:
    """The client's view of the candidate pages, like a load generator's script: each page of
    the flow is parsed once (its radio buttons and text boxes are the same for everyone),
    and each response only has its hidden fields read (the CSRF token). Parsing every
    response with ``html.parser`` cost the client about as much CPU as onramp's own web
    workers, on the same two cores, while the baseline's client parses nothing."""

    def __init__(self) -> None:
        self._pages: dict[str, FormPage] = {}
        self._lock = threading.Lock()

    def of(self, url: httpx.URL, html: str) -> FormPage:
        # The page's place in the flow: /a/<token>/3 → "3", /a/<token>/review → "review".
        place = url.path.rsplit("/", 1)[-1] if url.path.startswith("/a/") else url.path
        with self._lock:
            shape = self._pages.get(place)
            if shape is None:
                shape = self._pages[place] = parse_form(html)
        return FormPage(shape.action, hidden(html), shape.radios, shape.textareas, shape.checkboxes)


def hidden(html: str) -> dict[str, str]:
    fields = {}
    for tag in HIDDEN.findall(html):
        attributes = dict(ATTRIBUTE.findall(tag))
        if "name" in attributes:
            fields[attributes["name"]] = html_unescape(attributes.get("value", ""))
    return fields


@dataclass
class Prepared:
    """A candidate on the review page, ready to submit (their own cookies, the page's form)."""

    client: httpx.Client
    url: str
    data: dict[str, str]


@dataclass
class Intake:
    web_url: str
    minimal_url: str
    slug: str
    pages: int
    forms: Forms = field(default_factory=Forms)

    def flow_requests_per_second(self, candidates: int) -> tuple[float, int]:
        """Whole candidate flows (landing, start, every page shown and posted, thank-you),
        ``CLIENT_THREADS`` at a time; returns requests/s and how many requests were made."""
        counted = [0]
        lock = threading.Lock()

        def one(number: int) -> None:
            with self._client() as client:
                requests, _ = self._walk(client, number, stop_at_last_page=False)
            with lock:
                counted[0] += requests

        started = time.perf_counter()
        with ThreadPoolExecutor(CLIENT_THREADS) as pool:
            list(pool.map(one, range(candidates)))
        return counted[0] / (time.perf_counter() - started), counted[0]

    def prepare_final_submits(self, candidates: int) -> list[Prepared]:
        def one(number: int) -> Prepared:
            client = self._client()
            _, prepared = self._walk(client, number, stop_at_last_page=True)
            assert prepared is not None
            return prepared

        with ThreadPoolExecutor(CLIENT_THREADS) as pool:
            return list(pool.map(one, range(candidates)))

    def final_submits_per_second(self, prepared: list[Prepared]) -> float:
        def one(candidate: Prepared) -> None:
            response = candidate.client.post(candidate.url, data=candidate.data)
            if response.status_code != 302 or not response.headers["location"].endswith("/done"):
                raise RuntimeError(f"final submit answered {response.status_code}")
            candidate.client.close()

        started = time.perf_counter()
        with ThreadPoolExecutor(CLIENT_THREADS) as pool:
            list(pool.map(one, prepared))
        return len(prepared) / (time.perf_counter() - started)

    def minimal_requests_per_second(self, requests: int) -> float:
        clients = [httpx.Client(base_url=self.minimal_url) for _ in range(CLIENT_THREADS)]

        def one(number: int) -> None:
            client = clients[number % CLIENT_THREADS]
            if client.post("/row").status_code != 200:
                raise RuntimeError("minimal app failed")

        started = time.perf_counter()
        with ThreadPoolExecutor(CLIENT_THREADS) as pool:
            list(pool.map(one, range(requests)))
        rate = requests / (time.perf_counter() - started)
        for client in clients:
            client.close()
        return rate

    def _client(self) -> httpx.Client:
        return httpx.Client(base_url=self.web_url, follow_redirects=True, timeout=60)

    def _walk(
        self, client: httpx.Client, number: int, stop_at_last_page: bool
    ) -> tuple[int, Prepared | None]:
        rng = random.Random(number)
        landing = client.get(f"/o/{self.slug}")
        landing.raise_for_status()
        data = {
            **hidden(landing.text),
            "name": f"Bench Candidate {number}",
            "email": f"bench{number}@example.com",
            "consent": "y",
        }
        response = client.post(f"/o/{self.slug}", data=data)
        requests = 2 + len(response.history)
        for _ in range(self.pages + 2):  # every page, the review page, the thank-you page
            if response.status_code != 200:
                raise RuntimeError(f"{response.url} answered {response.status_code}")
            if response.url.path.endswith("/done"):
                return requests, None
            answers = fill(self.forms.of(response.url, response.text), rng, 1.0)
            if stop_at_last_page and response.url.path.endswith("/review"):
                client.follow_redirects = False
                return requests, Prepared(client, str(response.url), answers)
            response = client.post(str(response.url), data=answers)
            requests += 1 + len(response.history)
        raise RuntimeError("the form never finished")
