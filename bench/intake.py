"""Intake over HTTP: onramp's candidate pages against a minimal one-row Flask app, both under
the same gunicorn settings, driven by the same client threads."""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from cli.demo import fill, parse_form

CLIENT_THREADS = 4


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
            **parse_form(landing.text).hidden,
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
            answers = fill(parse_form(response.text), rng, 1.0)
            if stop_at_last_page and response.url.path.endswith("/review"):
                client.follow_redirects = False
                return requests, Prepared(client, str(response.url), answers)
            response = client.post(str(response.url), data=answers)
            requests += 1 + len(response.history)
        raise RuntimeError("the form never finished")
