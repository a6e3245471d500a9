# The one image behind web (gunicorn), worker and beat in docker-compose.yml, and its init step.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint draws the PDF reports and quotes with Pango; DejaVu gives them a font.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
        fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# pyproject lists no packages, so it alone installs the dependencies: a layer that stays
# cached until the dependencies change.
COPY pyproject.toml ./
RUN pip install . && rm -rf build *.egg-info

COPY . .
# collectstatic reads settings but touches no database or Redis: placeholders are enough.
RUN DATABASE_URL=postgresql://build@localhost/build DJANGO_SECRET_KEY=build-only \
    python manage.py collectstatic --noinput \
 && python -m polyplus.catalogues \
 && useradd --system --uid 10001 --home-dir /app portal \
 && mkdir -p var/media \
 && chown -R portal var

USER portal
EXPOSE 8000
CMD ["gunicorn", "polyplus.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
