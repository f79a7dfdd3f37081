"""Benchmarks are commands, not timed tests: ``amparo bench NAME`` prints one JSON line.

Each benchmark measures its subject and, in the same run, a baseline to compare
with, so figures from different machines can be read as ratios. Apps register
benchmarks in their ``bench.py``, which ``amparo bench`` imports.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from django.apps import apps

BenchFunction = Callable[..., dict[str, Any]]

_registry: dict[str, BenchFunction] = {}


def register_bench(name: str) -> Callable[[BenchFunction], BenchFunction]:
    def decorator(function: BenchFunction) -> BenchFunction:
        _registry[name] = function
        return function

    return decorator


def discover() -> dict[str, BenchFunction]:
    """Import every installed Amparo app's ``bench`` module and return the registry."""
    for config in apps.get_app_configs():
        if config.name.startswith("amparo."):
            try:
                importlib.import_module(f"{config.name}.bench")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.bench":
                    raise
    return dict(sorted(_registry.items()))


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]
