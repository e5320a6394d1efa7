# raftkv build entry points. `make demo` and `make test` are the two commands a new user runs.

SWIFT        ?= swift
DEB_PACKAGES := git tmux libncurses-dev libjemalloc-dev
SEEDS        ?= 100
SEED         ?=
SIM_MS       ?= 10000
SIM_FLAGS    ?=
JOBS         ?= $(shell nproc 2>/dev/null || echo 2)
TEST_SEEDS   ?= 500
SCHEDULES    ?= 20
CHAOS_SECONDS ?= 60
CHAOS_FLAGS  ?=
RELEASE_BIN   = .build/release
DEBUG_BIN     = .build/debug
PLUGINS       = Tools/ProtoPlugins/.build/release
KEEP         ?=
PROTO_OUT     = Sources/RaftProto/Generated
ETCD_PROTO_OUT = Sources/EtcdProto/Generated

SEED_FLAG     = $(if $(SEED),--seed $(SEED),)

.PHONY: all build release demo test sim chaos bench-engine bench-storage bench-failover bench bench-etcd deps proto clean help

all: build

help:
	@echo "make build         debug build of every target"
	@echo "make demo          the live dashboard (raft-tui) on a local 5-node cluster; KEEP=1 leaves the cluster running"
	@echo "make test          build and run the whole test suite (unit, scenarios, $(TEST_SEEDS) random seeds)"
	@echo "make sim           run the deterministic simulator: SEEDS=N (default $(SEEDS)), SEED=n, SIM_MS=ms,"
	@echo "                   SIM_FLAGS=--storage-faults (every seed through the real write-ahead log)"
	@echo "make chaos         fault schedules against a real 5-node cluster, checked for linearizability:"
	@echo "                   SCHEDULES=N (default $(SCHEDULES)), SEED=s, CHAOS_SECONDS=s (default $(CHAOS_SECONDS)), CHAOS_FLAGS=..."
	@echo "make bench-engine  engine-only throughput on an in-memory 5-node cluster"
	@echo "make bench-storage durable appends/s and fsyncs/s for 1, 16 and 64 concurrent proposers"
	@echo "make bench-failover kill -9 the leader 20 times; time to the first acknowledged write"
	@echo "make bench         raftctl bench matrix on a fresh 5-node cluster; table in docs/benchmarks.md"
	@echo "make bench-etcd    the same matrix on a 5-member etcd; prints the raftkv/etcd ratios"
	@echo "make deps          install missing Debian packages"
	@echo "make proto         regenerate the Swift code for proto/ (the generated files are committed)"
	@echo "make clean         remove build outputs"

deps:
	@./scripts/install-deps.sh $(DEB_PACKAGES)

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product raft-sim
	$(SWIFT) build -c release --product engine-bench
	$(SWIFT) build -c release --product storage-bench

test: deps release
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(RELEASE_BIN)/raft-sim --seeds $(TEST_SEEDS) --first-seed 1 --duration-ms $(SIM_MS) --jobs $(JOBS)
	$(DEBUG_BIN)/raft-chaos --schedules 3 --duration 30s --nemesis mixed $(SEED_FLAG)

# Builds in release mode, starts `raftd cluster` (logs in raft_state/logs/), waits for a leader,
# opens raft-tui and stops the cluster when it quits (KEEP=1 leaves it running).
demo: deps
	$(SWIFT) build -c release --product raftd
	$(SWIFT) build -c release --product raftctl
	$(SWIFT) build -c release --product raft-tui
	KEEP=$(KEEP) ./scripts/demo.sh $(RELEASE_BIN)

sim: deps
	$(SWIFT) build -c release --product raft-sim
	$(RELEASE_BIN)/raft-sim --seeds $(SEEDS) $(SEED_FLAG) --duration-ms $(SIM_MS) --jobs $(JOBS) $(SIM_FLAGS)

chaos: deps
	$(SWIFT) build -c release --product raftd
	$(SWIFT) build -c release --product raft-chaos
	$(RELEASE_BIN)/raft-chaos --schedules $(SCHEDULES) --duration $(CHAOS_SECONDS)s $(SEED_FLAG) $(CHAOS_FLAGS)

bench-engine: deps
	$(SWIFT) build -c release --product engine-bench
	$(RELEASE_BIN)/engine-bench

bench-failover: deps
	$(SWIFT) build -c release --product raftd
	$(SWIFT) build -c release --product raftctl
	./scripts/failover-bench.sh 20 $(RELEASE_BIN)

bench-storage: deps
	$(SWIFT) build -c release --product storage-bench
	$(RELEASE_BIN)/storage-bench

bench: deps
	$(SWIFT) build -c release --product raftd
	$(SWIFT) build -c release --product raftctl
	./scripts/bench.sh raftkv $(RELEASE_BIN)

bench-etcd: deps
	@./scripts/install-deps.sh etcd-server curl
	$(SWIFT) build -c release --product raftctl
	./scripts/bench.sh etcd $(RELEASE_BIN)

# Needs protoc (Debian's protobuf-compiler) and builds the two protoc plugins from the pinned
# swift-protobuf and grpc-swift-protobuf; a normal build uses the committed output instead.
proto:
	@./scripts/install-deps.sh protobuf-compiler
	$(SWIFT) build -c release --package-path Tools/ProtoPlugins --product protoc-gen-swift
	$(SWIFT) build -c release --package-path Tools/ProtoPlugins --product protoc-gen-grpc-swift-2
	rm -rf $(PROTO_OUT) && mkdir -p $(PROTO_OUT)
	protoc -I proto --plugin=protoc-gen-swift=$(PLUGINS)/protoc-gen-swift \
	  --swift_out=$(PROTO_OUT) --swift_opt=Visibility=Public,FileNaming=PathToUnderscores \
	  proto/raftkv/v1/*.proto
	protoc -I proto --plugin=protoc-gen-grpc-swift=$(PLUGINS)/protoc-gen-grpc-swift-2 \
	  --grpc-swift_out=$(PROTO_OUT) --grpc-swift_opt=Visibility=Public,FileNaming=PathToUnderscores \
	  proto/raftkv/v1/*.proto
	rm -rf $(ETCD_PROTO_OUT) && mkdir -p $(ETCD_PROTO_OUT)
	protoc -I proto --plugin=protoc-gen-swift=$(PLUGINS)/protoc-gen-swift \
	  --swift_out=$(ETCD_PROTO_OUT) --swift_opt=Visibility=Public,FileNaming=PathToUnderscores \
	  proto/etcd/rpc.proto
	protoc -I proto --plugin=protoc-gen-grpc-swift=$(PLUGINS)/protoc-gen-grpc-swift-2 \
	  --grpc-swift_out=$(ETCD_PROTO_OUT) --grpc-swift_opt=Visibility=Public,FileNaming=PathToUnderscores \
	  proto/etcd/rpc.proto

clean:
	rm -rf .build Tools/ProtoPlugins/.build
