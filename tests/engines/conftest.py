"""Engine tests share the session-wide SparkSession of the rule tests."""

from tests.rules.conftest import spark_session

__all__ = ["spark_session"]
