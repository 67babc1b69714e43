# ConvScope for a classroom: `docker build -t convscope .` then `docker run -p 8000:8000 convscope`.
# Works offline once built: weights, templates and static files are inside; nothing from a CDN.
# Plain Dockerfile syntax (no BuildKit features): the legacy builder builds it too.
#   BASE        the runtime base; any Debian-like image with python3 >= 3.11 and the venv module
#   BUILD_BASE  the base of the build stage (defaults to BASE; CI adds its offline wheelhouse here)
ARG BASE=python:3.12-slim
ARG BUILD_BASE=${BASE}

# ---- build: a virtualenv with ConvScope and its server extra --------------------------------
FROM ${BUILD_BASE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python3 -m venv /opt/convscope
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
RUN /opt/convscope/bin/pip install --no-cache-dir ".[server]" \
    && /opt/convscope/bin/pip uninstall --yes pip \
    && find /opt/convscope -name '__pycache__' -prune -exec rm -rf {} +
COPY templates /opt/convscope/share/templates
COPY static /opt/convscope/share/static

# ---- runtime: the venv only; no compilers, no pip, no build files ----------------------------
FROM ${BASE}
LABEL org.opencontainers.image.title="ConvScope" \
      org.opencontainers.image.description="A visual explorer of convolutional neural networks" \
      org.opencontainers.image.licenses="MIT"
# Fashion-MNIST for training runs, from Debian's dataset-fashion-mnist (upstream Zalando, Expat/MIT
# licence per /usr/share/doc/dataset-fashion-mnist/copyright); offered as "fashion-mnist".
# The version follows the base image's Debian release, so it is not pinned.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends dataset-fashion-mnist \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 convscope \
    && useradd --system --uid 10001 --gid convscope --no-create-home \
       --home-dir /tmp --shell /usr/sbin/nologin convscope \
    && mkdir -p /data && chown 10001:10001 /data
COPY --from=build /opt/convscope /opt/convscope
ENV PATH=/opt/convscope/bin:$PATH \
    HOME=/tmp \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    MALLOC_ARENA_MAX=2 \
    HOST=0.0.0.0 \
    PORT=8000 \
    CONVSCOPE_STATIC_DIR=/opt/convscope/share/static \
    CONVSCOPE_TEMPLATES_DIR=/opt/convscope/share/templates \
    CONVSCOPE_DATA_DIR=/data \
    CONVSCOPE_DATASET_DIRS=/usr/share/datasets/fashion-mnist \
    CONVSCOPE_WORKER_TIMEOUT=60 \
    CONVSCOPE_GRACEFUL_TIMEOUT=30
USER 10001:10001
WORKDIR /tmp
# Shared state (classes, uploaded models, images by hash, training runs): SQLite in /data.
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python3", "-c", "import os, urllib.request as u; u.urlopen('http://127.0.0.1:%s/api/health' % os.environ.get('PORT', '8000'), timeout=4)"]
STOPSIGNAL SIGTERM
CMD ["gunicorn", "-c", "python:app.gunicorn_conf", "app.main:app"]
