"""Fixtures shared by the test modules (the environment is set in the root conftest.py)."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
