"""Registers the repository's published kvserver fixtures (python/kvserver_pytest) and gives
boto3 dummy credentials and a region when the environment has none."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "python"))

from kvserver_pytest import kvserver, kvserver_factory, kvserver_process  # noqa: E402,F401  (fixtures)

os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIAEXAMPLEKVSERVER01")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "example-secret-not-checked")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
