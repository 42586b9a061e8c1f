# The two quick-start commands (see README): `make demo` and `make test`.
.PHONY: demo test lint docs bench

demo:
	scripts/setup
	.venv/bin/sjg demo

test:
	scripts/setup --system
	.venv/bin/ruff check src tests bench
	.venv/bin/ruff format --check src tests bench
	.venv/bin/mypy
	scripts/ci-plain-install
	.venv/bin/pytest -q

lint:
	.venv/bin/ruff check src tests bench
	.venv/bin/mypy

docs:  # every generated page; tests fail when one is stale
	.venv/bin/python -m sanjianguan.gendocs
	.venv/bin/python -m sanjianguan.rules.docs
	.venv/bin/python -m sanjianguan.indicators.docs

bench:
	.venv/bin/python bench/ingest.py
