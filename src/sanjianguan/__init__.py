"""医疗“三监管”信息化监管平台 (sanjianguan)."""

__version__ = "0.1.0"
