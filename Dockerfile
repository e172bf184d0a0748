# Production image: migrations run before gunicorn (bin/boot), as a non-root user.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    GIS_BIND=0.0.0.0:8000 PROMETHEUS_MULTIPROC_DIR=/tmp/gis-metrics GIS_ENV=production
WORKDIR /app
# Pango and CJK fonts: WeasyPrint lays out the emergency sheet's PDF (Chinese text) with them.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY incentives incentives
COPY policies policies
COPY api api
RUN pip install .
COPY gunicorn.conf.py ./
COPY bin/boot /usr/local/bin/boot
COPY sample_data sample_data
RUN useradd --system --uid 10001 --home /app gis && mkdir -p /app/var && chown -R gis /app/var
USER gis
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4)"
CMD ["boot"]
