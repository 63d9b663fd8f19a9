# SLRT platform: the one entry point for building, testing and generating.
# `make help` lists the targets.

SHELL := /usr/bin/env bash -o pipefail
.SHELLFLAGS := -ec
.DEFAULT_GOAL := help

K8S_VERSION        ?= 1.37.2
CONTROLLER_TOOLS   ?= v0.23.0
HELM_VERSION       ?= v3.22.0
GOLANGCI_VERSION   ?= v2.15.0

BIN                := $(CURDIR)/bin
TOOLS              := $(BIN)/tools
KUBEBUILDER_ASSETS ?= $(BIN)/k8s-$(K8S_VERSION)
CONTROLLER_GEN     := $(TOOLS)/controller-gen-$(CONTROLLER_TOOLS)
HELM               := $(TOOLS)/helm-$(HELM_VERSION)
GOLANGCI_LINT      := $(TOOLS)/golangci-lint-$(GOLANGCI_VERSION)

export KUBEBUILDER_ASSETS
export SLRT_HELM := $(HELM)

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} \
	  /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2 } \
	  /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Development

.PHONY: dev
dev: ## Run the whole platform locally (PostgreSQL, control plane, operator, API, pilot kecamatan, demo data). FRESH=1 starts over.
	@echo "==> checking PostgreSQL and the control plane binaries (the first run builds kube-apiserver, etcd and kubectl: a few minutes)"
	@$(MAKE) --no-print-directory postgres envtest
	@echo "==> building slrt-api, slrt-operator, slrtctl, slrt-dev"
	@$(MAKE) --no-print-directory build
	@$(BIN)/slrt-dev --kube-assets $(KUBEBUILDER_ASSETS) $(if $(FRESH),--fresh) $(if $(API_ADDR),--api-listen $(API_ADDR))

.PHONY: generate
generate: $(CONTROLLER_GEN) ## Generate deepcopy code for the API types, and the web pages' Go code from their templ files.
	$(CONTROLLER_GEN) object paths=./api/...
	go tool templ generate -path internal/web

.PHONY: manifests
manifests: $(CONTROLLER_GEN) ## Generate the CRD and RBAC manifests into config/ and the Helm chart.
	$(CONTROLLER_GEN) crd rbac:roleName=slrt-operator paths=./api/... paths=./operator/... \
	  output:crd:artifacts:config=config/crd output:rbac:artifacts:config=config/rbac
	$(CONTROLLER_GEN) rbac:roleName=slrt-api paths=./internal/apiserver/... output:rbac:artifacts:config=config/rbac/api
	cp config/crd/*.yaml charts/slrt/crds/
	cp config/rbac/role.yaml charts/slrt/files/operator-role.yaml
	cp config/rbac/api/role.yaml charts/slrt/files/api-role.yaml
	cp config/rbac/credentials-reader.yaml charts/slrt/files/credentials-reader.yaml

.PHONY: fmt
fmt: ## Format the Go code and the web pages' templ files.
	gofmt -s -w $$(git ls-files '*.go')
	go tool templ fmt internal/web

.PHONY: lint
lint: ## Check formatting, that the web pages' generated code is up to date, go vet, and golangci-lint.
	@out=$$(gofmt -s -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go tool templ generate -check -path internal/web
	go vet ./...
	$(MAKE) --no-print-directory $(GOLANGCI_LINT)
	$(GOLANGCI_LINT) run ./...

##@ Build

.PHONY: build
build: ## Build the binaries into bin/.
	go build -o $(BIN)/ ./cmd/...

# The images' version (annotation and tag); empty: the commit's short hash.
VERSION ?=

.PHONY: images
images: postgres ## Build the slrt-operator and slrt-api images (OCI layouts and tarballs, SBOMs, values.yaml) into bin/images; no container engine needed.
	go run ./hack/images -out $(BIN)/images $(if $(VERSION),-version $(VERSION))

.PHONY: push
push: postgres ## Build the images and push them to REGISTRY (a repository, e.g. registry.example.org/slrt): REGISTRY/slrt-operator, REGISTRY/slrt-api.
	@[ -n "$(REGISTRY)" ] || { echo "usage: make push REGISTRY=registry.example.org/slrt" >&2; exit 1; }
	go run ./hack/images -out $(BIN)/images $(if $(VERSION),-version $(VERSION)) -push $(REGISTRY)

##@ Test

.PHONY: test
test: test-deps ## Run every test with the race detector (installs what it needs first).
	go test -race -count=1 ./...

.PHONY: test-deps
test-deps: postgres envtest chromium axe podman $(HELM) ## Install or build what the tests need: PostgreSQL, envtest binaries, Chromium, axe-core, podman, helm.

.PHONY: postgres
postgres: ## Install the PostgreSQL server binaries when missing.
	@hack/ensure-postgres.sh

.PHONY: podman
podman: ## Install podman and runc for the container test when missing.
	@hack/ensure-podman.sh

.PHONY: chromium
chromium: ## Install Chromium for the web app's browser tests when missing.
	@hack/ensure-chromium.sh

.PHONY: axe
axe: ## Fetch axe-core (pinned) for the web app's accessibility test when missing.
	@hack/ensure-axe.sh bin

.PHONY: envtest
envtest: ## Build kube-apiserver, etcd and kubectl into bin/k8s-$(K8S_VERSION) when missing.
	@hack/envtest-binaries.sh $(KUBEBUILDER_ASSETS) >/dev/null

IDN_AREA_DATA_VERSION ?= 4.0.1

.PHONY: wilayah
wilayah: ## Remake the embedded reference data of Indonesia's areas from idn-area-data (needs npm; see internal/wilayah/SOURCE.md).
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	(cd "$$tmp" && npm pack --silent idn-area-data@$(IDN_AREA_DATA_VERSION) >/dev/null && tar xzf idn-area-data-$(IDN_AREA_DATA_VERSION).tgz) && \
	go run ./hack/wilayah -data "$$tmp/package/data" -city internal/wilayah/wilayah-kota-bandung.csv \
		-out internal/wilayah/wilayah-indonesia.csv.gz

.PHONY: bench
bench: test-deps ## Run the benchmarks; figures go in docs/benchmarks.md.
	@# Each provisioning run needs a fresh control plane: one process per run.
	for i in 1 2 3; do go test -run '^$$' -bench ProvisionCity -benchtime 1x ./operator | grep ^Benchmark; done
	go test -run '^$$' -bench SteadyState -count 3 ./operator
	go test -run '^$$' -bench . -count 3 ./internal/authz
	for i in 1 2 3; do go test -run '^$$' -bench ReadXLSX -benchtime 1x ./internal/bnba | grep ^Benchmark; done
	for i in 1 2 3; do go test -run '^$$' -bench 'PlatformOverhead|MemoryWith30|WebPage' -benchtime 1x ./test/apibench | grep ^Benchmark; done
	go test -run '^$$' -bench 'BenchmarkTransfer$$' -benchtime 1x -count 3 ./test/apibench | grep ^Benchmark
	for i in 1 2 3; do go test -run '^$$' -bench TracingOverhead -benchtime 1x ./test/e2e | grep ^Benchmark; done
	go test -run '^$$' -bench CityScale -benchtime 1x -timeout 60m ./test/registrybench | grep ^Benchmark
	$(MAKE) bench-national

# Where the national scale run keeps its servers: a folder on this disk when
# it has 70 GB free, else a compressed volume mounted for the run
# (hack/scale-volume.sh); SLRT_SCALE_DIR names another folder instead.
SCALE_VOLUME ?= /var/tmp/slrt-scale-volume

.PHONY: bench-national
bench-national: test-deps ## Provision every kecamatan of Indonesia (7,285) over 4 PostgreSQL servers; 15 to 45 minutes (progress: tail -f bin/bench-national.log; profiles: bin/national-*).
	@mkdir -p bin; if [ -n "$$SLRT_SCALE_DIR" ]; then dir="$$SLRT_SCALE_DIR"; else dir=$$(hack/scale-volume.sh up $(SCALE_VOLUME)); fi && \
	SLRT_SCALE_DIR="$$dir" SLRT_SCALE_PROFILES="$(CURDIR)/bin" go test -run '^$$' -bench NationalScale -benchtime 1x -timeout 150m -v ./test/e2e > bin/bench-national.log 2>&1; \
	status=$$?; [ -n "$$SLRT_SCALE_DIR" ] || hack/scale-volume.sh down $(SCALE_VOLUME); \
	grep -E '^Benchmark|national_bench' bin/bench-national.log; exit $$status

##@ Tools

$(CONTROLLER_GEN):
	GOBIN=$(TOOLS) go install sigs.k8s.io/controller-tools/cmd/controller-gen@$(CONTROLLER_TOOLS)
	mv $(TOOLS)/controller-gen $@

$(HELM):
	@echo "building helm $(HELM_VERSION) (first time only)" >&2
	GOBIN=$(TOOLS) go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)
	mv $(TOOLS)/helm $@

$(GOLANGCI_LINT):
	@echo "building golangci-lint $(GOLANGCI_VERSION) (first time only)" >&2
	GOBIN=$(TOOLS) go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)
	mv $(TOOLS)/golangci-lint $@

.PHONY: clean
clean: ## Remove built binaries (the envtest and tool binaries too).
	rm -rf $(BIN)
