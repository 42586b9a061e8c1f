"""Opaque clue ids: random, no vowels or look-alikes (so never a word), old form still valid."""

from __future__ import annotations

import re

from sanjianguan.clues.ids import ALPHABET, LENGTH, PREFIX, is_opaque, new_clue_id


def test_new_ids_use_only_the_alphabet_and_never_spell_a_word() -> None:
    ids = {new_clue_id() for _ in range(5000)}
    assert len(ids) == 5000  # random, no repeats at this size
    for clue_id in ids:
        assert clue_id.startswith(PREFIX)
        assert len(clue_id) == len(PREFIX) + LENGTH
        assert set(clue_id[len(PREFIX) :]) <= set(ALPHABET)
        assert is_opaque(clue_id)
    assert not set("AEIOUY01") & set(ALPHABET)  # no vowel: "HIT", "indicator" cannot appear
    used = set("".join(i[len(PREFIX) :] for i in ids))
    assert used == set(ALPHABET)  # every character is drawn


def test_ids_issued_before_in_base32_stay_valid() -> None:
    assert is_opaque("XSMFRGGZDFMZTWQ2LK")  # RFC 4648 base32, as issued before
    for bad in ("XS" + "A" * 15, "XS" + "a" * 16, "hit-0f3a", "XS" + "1" * 16, "XS" + "0" * 16):
        assert not is_opaque(bad), bad
    assert re.fullmatch(r"[A-Z2-9]+", ALPHABET)
