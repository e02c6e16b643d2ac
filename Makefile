# moderato: build, run and test. `make run` and `make test` are all a new
# machine needs; see README.md.

GO      ?= go
DATA    ?= .moderato
DIST    := dist
# Lambda functions: one folder with a main package per function.
FUNCTIONS := $(notdir $(patsubst %/,%,$(wildcard functions/*/)))
# Reproducible builds: no paths, no VCS stamp, no build ID.
GOBUILD := CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=false -ldflags="-s -w -buildid="
TERRAFORM ?= terraform
TF_CLI_CONFIG ?= $(CURDIR)/terraform/terraformrc
# Every Terraform module and example; each is validated on its own.
TF_DIRS := $(patsubst %/,%,$(wildcard terraform/modules/*/ terraform/examples/*/))

.PHONY: all run test build check-reproducible lint clean check-go model terraform-check

all: build

check-go:
	@command -v $(GO) >/dev/null 2>&1 || { echo "Go 1.26 or newer is required: see https://go.dev/doc/install" >&2; exit 1; }

## model: install the image moderation model (nsfwjs weights, needs npm) into the user cache
model: check-go
	@if command -v npm >/dev/null 2>&1 && command -v node >/dev/null 2>&1; then \
		$(GO) run ./cmd/fetch-model || echo "the image moderation model was not installed, so images will go to review" >&2; \
	else \
		echo "npm is not installed, so the image moderation model cannot be fetched and images will go to review: install Node.js and npm (apt-get install npm), then run make model" >&2; \
	fi

## run: moderate the bundled samples in local mode and show the outcomes
run: check-go model
	$(GO) run ./cmd/moderato run --data $(DATA) samples

## test: unit, state machine and end-to-end tests
test: check-go terraform-check
	$(GO) vet ./...
	$(GO) run ./cmd/moderato statemachine validate --render statemachines/*.asl.json
	$(GO) test -count=1 -timeout 20m ./...

## terraform-check: terraform fmt -check, validate, and terraform test (mock providers) of every module and example
# terraform/terraformrc installs the AWS provider from the local mirror in
# /opt/tf-plugins; elsewhere run with TF_CLI_CONFIG=<your CLI config file>.
terraform-check: export TF_CLI_CONFIG_FILE = $(TF_CLI_CONFIG)
terraform-check:
	@if ! command -v $(TERRAFORM) >/dev/null 2>&1; then \
		echo "terraform is not installed, so the Terraform checks are skipped: install Terraform 1.7 or newer (https://developer.hashicorp.com/terraform/install)" >&2; \
		exit 0; \
	fi; \
	$(TERRAFORM) fmt -check -recursive terraform || exit 1; \
	for dir in $(TF_DIRS); do \
		echo "terraform validate $$dir"; \
		$(TERRAFORM) -chdir=$$dir init -backend=false -input=false -no-color >/dev/null || exit 1; \
		$(TERRAFORM) -chdir=$$dir validate -no-color >/dev/null || exit 1; \
		if [ -d $$dir/tests ]; then $(TERRAFORM) -chdir=$$dir test -no-color || exit 1; fi; \
	done

## build: the CLI for this machine and one Lambda zip per function (linux/arm64)
build: check-go
	@mkdir -p $(DIST)
	$(GOBUILD) -o $(DIST)/moderato ./cmd/moderato
	@for fn in $(FUNCTIONS); do \
		GOOS=linux GOARCH=arm64 $(GOBUILD) -tags lambda.norpc -o $(DIST)/$$fn/bootstrap ./functions/$$fn || exit 1; \
		$(DIST)/moderato tools lambda-zip --output $(DIST)/$$fn.zip $(DIST)/$$fn/bootstrap || exit 1; \
	done

## check-reproducible: build every Lambda zip a second time with an empty build cache and compare SHA-256 sums
# The second build compiles every package again (several minutes), so a
# result that depends on the cache or on the build's paths shows up as a
# different sum.
check-reproducible: build
	@rm -rf $(DIST)/rebuild && mkdir -p $(DIST)/rebuild/gocache
	@for fn in $(FUNCTIONS); do \
		GOCACHE=$(CURDIR)/$(DIST)/rebuild/gocache GOOS=linux GOARCH=arm64 $(GOBUILD) -tags lambda.norpc -o $(DIST)/rebuild/$$fn/bootstrap ./functions/$$fn || exit 1; \
		$(DIST)/moderato tools lambda-zip --output $(DIST)/rebuild/$$fn.zip $(DIST)/rebuild/$$fn/bootstrap >/dev/null || exit 1; \
	done
	@cd $(DIST) && sha256sum $(addsuffix .zip,$(FUNCTIONS)) > rebuild/SHA256SUMS
	@cd $(DIST)/rebuild && sha256sum --check --quiet SHA256SUMS && echo "$(words $(FUNCTIONS)) Lambda zips are reproducible"
	@chmod -R u+w $(DIST)/rebuild/gocache && rm -rf $(DIST)/rebuild/gocache

## lint: formatting, vet and staticcheck
lint: check-go
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

clean:
	rm -rf $(DIST) $(DATA)
