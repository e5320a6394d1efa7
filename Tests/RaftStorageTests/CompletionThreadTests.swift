import Foundation
import XCTest
@testable import RaftStorage

/// `CompletionThread`: callbacks run in hand-over order whether they run on its thread or inline.
final class CompletionThreadTests: XCTestCase {
    private final class Order: @unchecked Sendable {
        private let lock = NSLock()
        private var ids: [Int] = []
        func append(_ id: Int) { lock.withLock { ids.append(id) } }
        var all: [Int] { lock.withLock { ids } }
    }

    func testInlineCallbacksWaitForHandedOffOnes() {
        let thread = CompletionThread(name: "test-completions")
        let order = Order()
        let release = DispatchSemaphore(value: 0)
        thread.run([{ release.wait(); order.append(1) }, { order.append(2) }], handOff: true)
        // The handed-off batch is still blocked, so this one must queue behind it, not run here.
        thread.run([{ order.append(3) }], handOff: false)
        XCTAssertEqual(order.all, [])
        release.signal()
        thread.stop()
        XCTAssertEqual(order.all, [1, 2, 3])
    }

    func testCallbacksRunInlineWhenNothingIsPending() {
        let thread = CompletionThread(name: "test-completions")
        let order = Order()
        thread.run([{ order.append(Thread.isMainThread ? 1 : -1) }], handOff: false)
        XCTAssertEqual(order.all, [1], "an idle completion thread should let the caller run the callback itself")
        thread.stop()
    }
}
