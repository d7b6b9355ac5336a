# The production image: gunicorn serving kam, static files collected for whitenoise.
FROM node:20-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 KAM_ENVIRONMENT=production
WORKDIR /app
# WeasyPrint (the PDFs) draws with Pango and HarfBuzz and needs a font; the slim image has none of them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
COPY --from=frontend /app/node_modules ./node_modules
# Translation catalogues compiled with Babel (pure Python); fonts come with node_modules above.
RUN python -m kam.core.catalogues compile
# Settings need these in production; only collectstatic runs here, nothing is sent or linked.
RUN DJANGO_SECRET_KEY=build-only KAM_BASE_URL=http://build.invalid \
    EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend python manage.py collectstatic --noinput
RUN useradd --create-home kam
USER kam
EXPOSE 8000
CMD ["gunicorn", "kam.wsgi:application", "--config", "kam/gunicorn.conf.py"]
