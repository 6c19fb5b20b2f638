# syntax=docker/dockerfile:1
# Two stages: wheels are built with the toolchain, the runtime image has none of it.
FROM python:3.11-slim AS build
WORKDIR /src
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml README.md ./
COPY core core
COPY screening screening
COPY onboarding onboarding
COPY workers workers
COPY web web
COPY cli cli
COPY migrations migrations
RUN pip wheel --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links /wheels onramp \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin onramp \
    && mkdir -p /app/var && chown onramp /app/var
WORKDIR /app
USER 10001:10001
EXPOSE 8000
# docker-compose.yml runs every process from this image; alone it serves the web app.
CMD ["gunicorn", "web:create_app()", "--config", "python:web.gunicorn_hooks", \
     "--bind", "0.0.0.0:8000", "--workers", "2", \
     "--logger-class", "web.access_log.RedactingLogger"]
