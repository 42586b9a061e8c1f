"""Planted cases for every level-1 rule, with near misses, and their truth."""

from __future__ import annotations

from collections.abc import Callable

from sanjianguan.synth.plants import behaviour, charges, drugs, materials_exams, records
from sanjianguan.synth.plants.benchmark import Benchmark, benchmark, plant_s01_s02, plant_s03_s04
from sanjianguan.synth.plants.builder import PlantBook

PLANTS: tuple[Callable[[PlantBook], None], ...] = (
    *charges.PLANTS,
    *drugs.PLANTS,
    *materials_exams.PLANTS,
    *behaviour.PLANTS,
    *records.PLANTS,
    plant_s03_s04,
    # Planted last, so that every earlier plant keeps its identifiers (and its truth keys).
    charges.plant_c14,
)

__all__ = ["PLANTS", "Benchmark", "PlantBook", "benchmark", "plant_s01_s02"]
