FROM python:3.13-slim-bookworm

# Pango for WeasyPrint; Liberation 2.x for Times New Roman-compatible Vietnamese text.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY cascade cascade
COPY units units
COPY plans plans
COPY tasks tasks
COPY reports reports
COPY audit audit
COPY notifications notifications
COPY dashboard dashboard
RUN pip install --no-cache-dir ".[prod]"
COPY . .
RUN DEBUG=false SECRET_KEY=build-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz \
    python manage.py collectstatic --no-input
RUN useradd --create-home --uid 1000 cascade && mkdir -p /data/media && chown cascade /data/media
USER cascade
EXPOSE 8000
