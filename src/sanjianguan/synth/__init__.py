"""Synthetic region generator with planted cases and their truth (合成数据生成器)."""

from __future__ import annotations

from sanjianguan.synth.generate import SynthSummary, generate

__all__ = ["SynthSummary", "generate"]
