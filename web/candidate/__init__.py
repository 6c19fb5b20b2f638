from web.candidate import feedback, self_identification  # noqa: F401 - register their views
