"""NotFoundError.no_such: the one wording of "no such X" for the workflow stages."""

from __future__ import annotations

from sanjianguan.errors import NotFoundError, WorkflowError


def test_no_such_names_the_noun_and_key_in_both_languages() -> None:
    error = NotFoundError.no_such("台账记录", "record", 42)
    assert isinstance(error, WorkflowError)
    assert error.message_zh == "台账记录不存在：42"
    assert error.message_en == "no such record: 42"
    assert error.code == "record_not_found"
    assert NotFoundError.code == "not_found"  # the class default is untouched
    assert str(error) == "台账记录不存在：42 / no such record: 42"
