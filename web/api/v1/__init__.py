"""The JSON API, version 1: ``routes`` holds the blueprint, its guard and the OpenAPI
registry; each module imported here adds one resource's operations to it."""

from web.api.v1 import applications as applications  # registers /applications
from web.api.v1 import decisions as decisions  # registers /applications/{id}/decisions
from web.api.v1 import enrollments as enrollments  # registers /enrollments
from web.api.v1 import hires as hires  # registers /hires
from web.api.v1 import openings as openings  # registers /openings
from web.api.v1.docs import docs_bp as docs_bp
from web.api.v1.routes import bp as bp
