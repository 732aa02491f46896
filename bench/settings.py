"""Settings for the benchmark's server: the product's, plus the bench-only URLs (bench/urls.py)."""

from lobby.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
