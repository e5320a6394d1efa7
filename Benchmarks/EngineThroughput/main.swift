// Engine-only throughput: five RaftNode values in one thread, messages delivered in memory and
// storage acknowledged at once, so the figure is the engine's own CPU cost per committed entry.

import ArgumentParser
import DequeModule
import RaftEngine

struct EngineThroughput: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "engine-bench",
        abstract: "Entries committed per second by a 5-node in-memory cluster of engines, on one core.")

    @Option(help: "Entries to commit per measurement.")
    var entries = 1_000_000

    @Option(help: "Payload bytes per entry.")
    var entrySize = 256

    @Option(parsing: .upToNextOption, help: "Proposals per batch (one propose call each).")
    var batch: [Int] = [1, 16, 64, 256]

    func run() throws {
        print("engine-bench: 5 nodes, \(entrySize)-byte entries, \(entries) entries per row, one thread")
        print("batch  entries/s     messages/entry")
        for size in batch {
            var cluster = InMemoryCluster(nodeCount: 5)
            let result = cluster.measure(entries: entries, batch: size, entrySize: entrySize)
            let rate = Double(result.committed) / result.seconds
            let perEntry = Double(result.messages) / Double(result.committed)
            let thousandths = Int((perEntry * 1000).rounded())
            let perEntryText = "\(thousandths / 1000).\(pad(thousandths % 1000, 3, fill: "0"))"
            print("\(pad(size, 5))  \(pad(Int(rate), 12))  \(perEntryText)")
        }
    }

    private func pad(_ value: Int, _ width: Int, fill: Character = " ") -> String {
        let text = String(value)
        return String(repeating: fill, count: max(0, width - text.count)) + text
    }
}

/// Five engines with instant storage and an in-memory FIFO network.
struct InMemoryCluster {
    var nodes: [RaftNode]
    var network: Deque<Message> = []
    var messages = 0
    var committedOnLeader: LogIndex = 0

    init(nodeCount: Int) {
        let voters = (1...nodeCount).map { NodeID($0) }
        nodes = voters.map { id in
            try! RaftNode(config: RaftConfig(id: id, voters: voters, maxInflightMessages: 1024, randomSeed: 7))
        }
    }

    mutating func measure(entries: Int, batch: Int, entrySize: Int) -> (committed: Int, seconds: Double, messages: Int) {
        let leader = electLeader()
        let payload = [UInt8](repeating: 0x5A, count: entrySize)
        let commands = [[UInt8]](repeating: payload, count: batch)
        let startCommit = committedOnLeader
        messages = 0
        let clock = ContinuousClock()
        let start = clock.now
        while committedOnLeader - startCommit < LogIndex(entries) {
            _ = try! nodes[leader].propose(commands)
            drain()
        }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (Int(committedOnLeader - startCommit), seconds, messages)
    }

    private mutating func electLeader() -> Int {
        while true {
            for index in nodes.indices { nodes[index].tick() }
            drain()
            if let leader = nodes.firstIndex(where: { $0.role == .leader }) {
                drain()
                return leader
            }
        }
    }

    /// Handles every Ready and delivers every message until the cluster is quiet.
    private mutating func drain() {
        var busy = true
        while busy {
            busy = false
            for index in nodes.indices where nodes[index].hasReady {
                busy = true
                let ready = nodes[index].ready()
                messages += ready.messages.count + ready.messagesAfterPersist.count
                network.append(contentsOf: ready.messages)
                if ready.needsPersistence { nodes[index].storageDidPersist(through: ready.id) }
                network.append(contentsOf: ready.messagesAfterPersist)
                if nodes[index].role == .leader, let last = ready.committedEntries.last {
                    committedOnLeader = max(committedOnLeader, last.index)
                }
            }
            while let message = network.popFirst() {
                busy = true
                nodes[Int(message.to) - 1].step(message)
            }
        }
    }
}

EngineThroughput.main()
