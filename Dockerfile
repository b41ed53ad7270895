# syntax=docker/dockerfile:1
# One image for every process; the command picks it (Procfile names the same commands):
#   python -m services.matcher api | worker        (and sessions, notifications)
# Build:  docker build -t mentoring-platform:0.1.0 .
# The base is pinned by exact tag; pin it by digest too (python:3.11.14-slim-bookworm@sha256:...)
# once your registry mirror is known.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# ---- build: resolve and install the pinned dependencies into a venv --------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Metadata first: the dependency layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml README.md ./
RUN mkdir -p shared services \
    && touch shared/__init__.py services/__init__.py \
    && pip install --no-cache-dir . \
    && pip uninstall --yes mentoring-platform
COPY shared/ shared/
COPY services/ services/
# Runtime only: no `local` (broker, database) or `dev` extra in the image.
# (pip's compiled .pyc files stay: a read-only container cannot write them at start-up.)
RUN pip install --no-cache-dir --no-deps . \
    && rm -rf /opt/venv/lib/python3.11/site-packages/pip /opt/venv/bin/pip*

# ---- runtime: the venv and nothing else, as a non-root numeric user ---------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="mentoring-platform" \
      org.opencontainers.image.description="Matcher, sessions and notifications: API and worker processes." \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONFAULTHANDLER=1 \
    # faust keeps its (empty, memory-store) data dir here: /tmp is the one writable path
    # when the root filesystem is read-only (Kubernetes mounts an emptyDir there).
    APP_DATADIR=/tmp/faust-data \
    # numba caches the matcher's compiled kernels on disk; beside the code is read-only.
    NUMBA_CACHE_DIR=/tmp/numba-cache \
    # In a container the API and the worker's metrics endpoint listen on every interface.
    MATCHER_HTTP_HOST=0.0.0.0 \
    SESSIONS_HTTP_HOST=0.0.0.0 \
    NOTIFICATIONS_HTTP_HOST=0.0.0.0
COPY --from=build /opt/venv /opt/venv
# An empty working directory owned by root: nothing is written next to the code.
WORKDIR /app
USER 10001:10001
EXPOSE 8001 8002 8003 9101 9102 9103
CMD ["python", "-m", "services.matcher", "api"]
