# ProofLayer simulator. `make demo` and `make test` are all a fresh machine needs.
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
export PATH := $(dir $(SWIFT)):$(PATH)

.PHONY: setup build release demo curl-demo serve test unit e2e bench screenshots clean

setup:
	@bash scripts/setup.sh

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product simrun

## The main job: the live agent-to-agent demo, with its reports in reports/demo/.
demo: release
	.build/release/simrun scenarios/demo.json

## The seed page's flow with curl against `simrun serve`.
curl-demo: release
	@bash scripts/curl-demo.sh

## Serve the market over HTTP on 127.0.0.1:8402 (Ctrl-C to stop).
serve: release
	.build/release/simrun serve

## Everything CI runs: the Swift test suite, then end-to-end checks against `simrun serve`: curl and standard
## decoders, the dashboard in headless Chromium (installed if missing), and schemathesis from the OpenAPI description.
test: setup
	$(SWIFT) test
	$(SWIFT) build --product simrun
	@REQUIRE_CHROMIUM=1 SIMRUN=.build/debug/simrun bash scripts/e2e.sh

unit: setup
	$(SWIFT) test

e2e: build
	@SIMRUN=.build/debug/simrun bash scripts/e2e.sh

## Benchmarks (bench/run.sh): kernel, full-contract throughput and memory, the SimPy peer.
bench: setup
	@bash bench/run.sh

## Refresh docs/screenshots/ (desktop and phone) from a paced demo, with the browser test.
screenshots: build
	@SIMRUN=.build/debug/simrun bash scripts/browser-test.sh --screenshots

clean:
	rm -rf .build reports
