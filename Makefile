# moderato: build, run and test. `make run` and `make test` are all a new
# machine needs; see README.md.

GO      ?= go
DATA    ?= .moderato
DIST    := dist
# Lambda functions: one folder with a main package per function.
FUNCTIONS := $(notdir $(patsubst %/,%,$(wildcard functions/*/)))
# Reproducible builds: no paths, no VCS stamp, no build ID.
GOBUILD := CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=false -ldflags="-s -w -buildid="

.PHONY: all run test build lint clean check-go

all: build

check-go:
	@command -v $(GO) >/dev/null 2>&1 || { echo "Go 1.26 or newer is required: see https://go.dev/doc/install" >&2; exit 1; }

## run: moderate the bundled samples in local mode and show the outcomes
run: check-go
	$(GO) run ./cmd/moderato run --data $(DATA) samples

## test: unit, state machine and end-to-end tests
test: check-go
	$(GO) vet ./...
	$(GO) run ./cmd/moderato statemachine validate --render statemachines/*.asl.json
	$(GO) test -count=1 ./...

## build: the CLI for this machine and one Lambda zip per function (linux/arm64)
build: check-go
	@mkdir -p $(DIST)
	$(GOBUILD) -o $(DIST)/moderato ./cmd/moderato
	@for fn in $(FUNCTIONS); do \
		GOOS=linux GOARCH=arm64 $(GOBUILD) -tags lambda.norpc -o $(DIST)/$$fn/bootstrap ./functions/$$fn || exit 1; \
		$(DIST)/moderato tools lambda-zip --output $(DIST)/$$fn.zip $(DIST)/$$fn/bootstrap || exit 1; \
		printf '%-20s %9d bytes zipped, %9d bytes unzipped\n' $$fn $$(wc -c < $(DIST)/$$fn.zip) $$(wc -c < $(DIST)/$$fn/bootstrap); \
	done

## lint: formatting, vet and staticcheck
lint: check-go
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

clean:
	rm -rf $(DIST) $(DATA)
