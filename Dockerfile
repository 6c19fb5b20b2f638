FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md ./
COPY core core
COPY screening screening
COPY onboarding onboarding
COPY workers workers
COPY web web
COPY cli cli
COPY migrations migrations
RUN pip install --no-cache-dir . && useradd --system onramp
USER onramp
EXPOSE 8000
CMD ["gunicorn", "web:create_app()", "--bind", "0.0.0.0:8000", "--workers", "4", \
     "--logger-class", "web.access_log.RedactingLogger"]
