import RaftEngine
import XCTest
@testable import KVStore

final class KVStoreTests: XCTestCase {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    private func entry(_ index: LogIndex, _ request: KVRequest) -> Entry {
        Entry(term: 1, index: index, kind: .command, data: KVCodec.encode(request))
    }

    func testPutGetDeleteAndCompareAndSwap() {
        var store = KVStore()
        XCTAssertEqual(store.apply(entry(1, KVRequest(command: .put(key: bytes("a"), value: bytes("1"))))), .applied(.put))
        XCTAssertEqual(store.get(bytes("a")), bytes("1"))
        XCTAssertEqual(store.apply(entry(2, KVRequest(command: .compareAndSwap(key: bytes("a"), expected: bytes("2"), newValue: bytes("3"))))),
                       .applied(.compareAndSwap(succeeded: false, current: bytes("1"))))
        XCTAssertEqual(store.apply(entry(3, KVRequest(command: .compareAndSwap(key: bytes("a"), expected: bytes("1"), newValue: bytes("3"))))),
                       .applied(.compareAndSwap(succeeded: true, current: bytes("1"))))
        XCTAssertEqual(store.get(bytes("a")), bytes("3"))
        XCTAssertEqual(store.apply(entry(4, KVRequest(command: .compareAndSwap(key: bytes("b"), expected: nil, newValue: bytes("x"))))),
                       .applied(.compareAndSwap(succeeded: true, current: nil)))
        XCTAssertEqual(store.apply(entry(5, KVRequest(command: .compareAndSwap(key: bytes("b"), expected: nil, newValue: bytes("y"))))),
                       .applied(.compareAndSwap(succeeded: false, current: bytes("x"))))
        XCTAssertEqual(store.apply(entry(6, KVRequest(command: .delete(key: bytes("a"))))), .applied(.delete(existed: true)))
        XCTAssertEqual(store.apply(entry(7, KVRequest(command: .delete(key: bytes("a"))))), .applied(.delete(existed: false)))
        XCTAssertNil(store.get(bytes("a")))
        XCTAssertEqual(store.appliedIndex, 7)
    }

    func testNoopAndUndecodableEntriesAdvanceTheIndexOnly() {
        var store = KVStore()
        XCTAssertEqual(store.apply(Entry(term: 1, index: 1, kind: .noop)), .none)
        XCTAssertEqual(store.apply(Entry(term: 1, index: 2, kind: .command, data: [9, 9, 9])), .none)
        XCTAssertEqual(store.appliedIndex, 2)
        XCTAssertEqual(store.count, 0)
    }

    func testRetriedWriteAppliesExactlyOnce() {
        var store = KVStore()
        let cas = KVRequest(clientID: 7, sequence: 1, proposedAtMs: 10,
                            command: .compareAndSwap(key: bytes("k"), expected: nil, newValue: bytes("v1")))
        XCTAssertEqual(store.apply(entry(1, cas)), .applied(.compareAndSwap(succeeded: true, current: nil)))
        // The same request committed again (a client retry after a timeout): not applied twice,
        // and the original result is returned, not "failed because the key exists".
        XCTAssertEqual(store.apply(entry(2, cas)), .duplicate(.compareAndSwap(succeeded: true, current: nil)))
        XCTAssertEqual(store.get(bytes("k")), bytes("v1"))
        let next = KVRequest(clientID: 7, sequence: 2, proposedAtMs: 20, command: .put(key: bytes("k"), value: bytes("v2")))
        XCTAssertEqual(store.apply(entry(3, next)), .applied(.put))
        XCTAssertEqual(store.apply(entry(4, cas)), .stale)
        XCTAssertEqual(store.get(bytes("k")), bytes("v2"))
        // Without a session there is no deduplication.
        let anonymous = KVRequest(command: .delete(key: bytes("k")))
        XCTAssertEqual(store.apply(entry(5, anonymous)), .applied(.delete(existed: true)))
        XCTAssertEqual(store.apply(entry(6, anonymous)), .applied(.delete(existed: false)))
    }

    func testSessionsExpireByTheLogsClock() {
        var store = KVStore(sessionTTLMs: 1_000)
        let first = KVRequest(clientID: 1, sequence: 1, proposedAtMs: 100, command: .put(key: bytes("a"), value: bytes("1")))
        XCTAssertEqual(store.apply(entry(1, first)), .applied(.put))
        let other = KVRequest(clientID: 2, sequence: 1, proposedAtMs: 5_000, command: .put(key: bytes("b"), value: bytes("1")))
        XCTAssertEqual(store.apply(entry(2, other)), .applied(.put))
        XCTAssertNil(store.sessions[1], "client 1 was idle longer than the TTL")
        XCTAssertNotNil(store.sessions[2])
    }

    func testSessionsAreSweptOncePerEighthOfTheTTL() {
        var store = KVStore(sessionTTLMs: 8_000)
        func put(_ index: LogIndex, client: UInt64, at ms: UInt64) {
            _ = store.apply(entry(index, KVRequest(clientID: client, sequence: 1, proposedAtMs: ms, command: .put(key: bytes("k"), value: bytes("v")))))
        }
        put(1, client: 1, at: 10_000)
        put(2, client: 2, at: 18_500)
        XCTAssertNil(store.sessions[1], "the clock entered a new sweep interval: client 1, idle 8.5 s, is forgotten")
        put(3, client: 3, at: 26_400)
        put(4, client: 4, at: 26_900)
        XCTAssertNotNil(store.sessions[2], "idle 8.4 s, but no sweep since the clock entered 26-27 s")
        put(5, client: 5, at: 27_000)
        XCTAssertNil(store.sessions[2], "swept as the clock entered 27-28 s")
        XCTAssertNotNil(store.sessions[3])
        // A write without a session that moves the clock into a new interval sweeps too.
        _ = store.apply(entry(6, KVRequest(proposedAtMs: 35_500, command: .put(key: bytes("k"), value: bytes("v")))))
        XCTAssertNil(store.sessions[3], "swept as a sessionless write moved the clock into 35-36 s")
    }

    func testSnapshotRoundTripIsDeterministic() throws {
        var a = KVStore()
        var b = KVStore()
        var requests: [KVRequest] = []
        for i in 1...50 {
            let command: KVCommand = i % 7 == 0
                ? .delete(key: bytes("k\(i - 3)"))
                : .put(key: bytes("k\(i)"), value: bytes("v\(i)"))
            requests.append(KVRequest(clientID: UInt64(i % 4), sequence: UInt64(i), proposedAtMs: UInt64(i), command: command))
        }
        for (offset, request) in requests.enumerated() {
            _ = a.apply(entry(LogIndex(offset + 1), request))
            _ = b.apply(entry(LogIndex(offset + 1), request))
        }
        XCTAssertEqual(a.snapshotData(), b.snapshotData(), "equal states give byte-identical images")
        var restored = KVStore()
        try restored.restore(a.snapshotData(), index: 50)
        XCTAssertEqual(restored.snapshotData(), a.snapshotData())
        XCTAssertEqual(restored.get(bytes("k50")), bytes("v50"))
        XCTAssertEqual(restored.appliedIndex, 50)
        // Sessions survive the snapshot: a retry after restore is still recognised.
        XCTAssertEqual(restored.apply(entry(51, requests[49])), .duplicate(.put))
    }

    func testDamagedSnapshotIsRefused() {
        var store = KVStore()
        _ = store.apply(entry(1, KVRequest(command: .put(key: bytes("a"), value: bytes("1")))))
        var image = store.snapshotData()
        image.removeLast()
        var target = KVStore()
        XCTAssertThrowsError(try target.restore(image, index: 1))
        XCTAssertThrowsError(try target.restore(store.snapshotData(), index: 2))
    }

    func testCodecRoundTripsEveryCommand() {
        let commands: [KVCommand] = [
            .put(key: bytes("k"), value: []),
            .delete(key: [0, 255]),
            .compareAndSwap(key: bytes("k"), expected: bytes(""), newValue: bytes("n")),
            .compareAndSwap(key: bytes("k"), expected: nil, newValue: bytes("n")),
        ]
        for command in commands {
            let request = KVRequest(clientID: 3, sequence: 9, proposedAtMs: 12, command: command)
            XCTAssertEqual(KVCodec.decode(KVCodec.encode(request)), request)
        }
        XCTAssertNil(KVCodec.decode(KVCodec.encode(KVRequest(command: commands[0])) + [0]))
    }

    func testLimitsNameTheLimit() {
        let limits = KVLimits(maxKeyBytes: 4, maxValueBytes: 8)
        XCTAssertNil(limits.problem(with: .put(key: bytes("abcd"), value: bytes("12345678"))))
        XCTAssertEqual(limits.problem(with: .put(key: [], value: [])), "key must not be empty")
        XCTAssertEqual(limits.problem(with: .delete(key: bytes("abcde"))), "key is 5 bytes; the limit is 4 bytes (max_key_bytes)")
        XCTAssertEqual(limits.problem(with: .put(key: bytes("a"), value: bytes("123456789"))),
                       "value is 9 bytes; the limit is 8 bytes (max_value_bytes)")
        XCTAssertEqual(limits.problem(with: .compareAndSwap(key: bytes("a"), expected: nil, newValue: bytes("123456789"))),
                       "new value is 9 bytes; the limit is 8 bytes (max_value_bytes)")
    }

    func testSummaryIsReadable() {
        XCTAssertEqual(KVCommand.put(key: bytes("k"), value: bytes("v")).summary, "put k=v")
        XCTAssertEqual(KVCommand.delete(key: [0, 1]).summary, "del 0x0001")
        XCTAssertEqual(KVCommand.compareAndSwap(key: bytes("k"), expected: nil, newValue: bytes("1")).summary, "cas k <absent>->1")
    }
}
