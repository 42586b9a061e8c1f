"""Hits → clues (线索生成), jurisdiction routing, push and sampling."""
