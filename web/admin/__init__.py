"""The admin area (admins only). ``routes`` holds the blueprint and its guard; each module
imported here adds its pages to it."""

from web.admin import api_keys as api_keys  # registers the API keys page
from web.admin import customize as customize  # registers the customization pages
from web.admin import impact_alerts as impact_alerts  # the fairness banner on admin pages
from web.admin import insights as insights  # registers the insight pages (funnel, fairness, …)
from web.admin import operations as operations  # registers the hires and audit pages
from web.admin import people  # noqa: F401 - registers the people pages on the admin blueprint
from web.admin import settings as settings  # registers the company settings page
from web.admin import webhooks as webhooks  # registers the outbound webhook pages
