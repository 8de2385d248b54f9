# onemap: `make demo` runs the product on its embedded store, `make test` runs every test.
SHELL := /bin/bash
CARGO ?= cargo
export DATABASE_URL ?= postgres://onemap:onemap@127.0.0.1:5432/postgres
export ONEMAP_BIN := $(CURDIR)/target/release/onemap

.PHONY: demo test build web setup lint rust-test web-test schemathesis fuzz bench clean

demo: build
	./target/release/onemap serve --listen 127.0.0.1:8080 --store onemap.gpkg --demo

build: web
	$(CARGO) build --release --bin onemap

web: web/dist/index.html

web/dist/index.html: web/package.json web/package-lock.json web/build.mjs $(shell find web/src web/style -type f 2>/dev/null)
	@command -v npm >/dev/null || { echo "make: npm is missing: install Node.js 20+"; exit 1; }
	cd web && npm ci --no-audit --no-fund && npm run build

setup:
	bash scripts/setup.sh

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --release --all-targets -- -D warnings

rust-test: build
	$(CARGO) test --release --workspace

web-test: build
	cd web && npm test

# The running server against its OpenAPI document (no 5xx, every status, body and header as
# documented), without and with a token; a venv under target/ holds the pinned schemathesis.
schemathesis: build
	bash scripts/schemathesis.sh

# Every parser a caller reaches, fuzzed for FUZZ_SECONDS each (cargo-fuzz on the stable
# toolchain: RUSTC_BOOTSTRAP lets it pass libFuzzer's flags; no sanitizer, a panic is the bug).
FUZZ_SECONDS ?= 20
FUZZ_TARGETS := geojson geometry_blob requests
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked --version 0.13.2
	cd fuzz && for t in $(FUZZ_TARGETS); do \
		mkdir -p corpus/$$t && \
		RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run --sanitizer none -O $$t corpus/$$t seeds/$$t -- \
			-max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 -print_final_stats=1 || exit 1; \
	done

test: setup lint rust-test web-test schemathesis fuzz
	@echo "make test: all suites passed"

bench: build target/duckdb-venv/bin/python
	./target/release/onemap bench

# The DuckDB anchor of the incident figures: DuckDB with its spatial extension, from PyPI.
target/duckdb-venv/bin/python:
	python3 -m venv target/duckdb-venv
	target/duckdb-venv/bin/pip install --quiet --disable-pip-version-check duckdb==1.4.4 duckdb-ext-spatial==1.4.4.20260205

clean:
	$(CARGO) clean
	rm -rf web/dist web/node_modules
