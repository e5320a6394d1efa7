import Chaos
import Foundation
import XCTest

final class ScheduleTests: XCTestCase {
    func testScheduleIsAPureFunctionOfItsInputs() {
        let a = Schedule(kind: .killLeader, seed: 42, duration: .seconds(60))
        XCTAssertEqual(a, Schedule(kind: .killLeader, seed: 42, duration: .seconds(60)))
        XCTAssertNotEqual(a.slots, Schedule(kind: .killLeader, seed: 43, duration: .seconds(60)).slots)
    }

    func testFaultsDoNotOverlapAndLeaveWarmupAndCooldown() {
        for seed: UInt64 in 1...50 {
            for kind in NemesisKind.allCases {
                let schedule = Schedule(kind: kind, seed: seed, duration: .seconds(60))
                XCTAssertGreaterThanOrEqual(schedule.slots.count, 3, "\(kind) seed \(seed)")
                XCTAssertEqual(schedule.slots.first?.start, schedule.warmup)
                for (earlier, later) in zip(schedule.slots, schedule.slots.dropFirst()) {
                    XCTAssertLessThan(earlier.start + earlier.length, later.start)
                }
                XCTAssertGreaterThanOrEqual(schedule.cooldown, .seconds(10))
            }
        }
    }

    func testPausesOutlastTheElectionTimeout() {
        for seed: UInt64 in 1...50 {
            for slot in Schedule(kind: .pauseLeader, seed: seed, duration: .seconds(60)).slots {
                XCTAssertGreaterThanOrEqual(slot.length, .seconds(1), "longer than the 300 ms election timeout")
            }
        }
    }

    func testTwentySchedulesCoverEveryNemesis() {
        let options = SuiteOptions(raftd: URL(fileURLWithPath: "/bin/true"), artifactsRoot: URL(fileURLWithPath: "/tmp"),
                                   seed: 5, schedules: 20)
        XCTAssertEqual(Set((0..<20).map { options.schedule($0).kind }),
                       Set(NemesisKind.allCases.filter { $0 != .mixed && !$0.needsNetworkNamespaces }))
        XCTAssertEqual(options.schedule(3).seed, 8)
        var withNamespaces = options
        withNamespaces.nemeses = NemesisKind.rotation(networkNamespaces: true)
        XCTAssertEqual(Set((0..<20).map { withNamespaces.schedule($0).kind }), Set(NemesisKind.allCases.filter { $0 != .mixed }))
    }

    func testRerunCommandReproducesTheSchedule() {
        let options = SuiteOptions(raftd: URL(fileURLWithPath: "/x/raftd"), artifactsRoot: URL(fileURLWithPath: "/tmp"),
                                   seed: 77, schedules: 20, duration: .seconds(30), nemeses: [.mixed])
        XCTAssertEqual(options.rerunCommand(12, executable: "raft-chaos"),
                       "raft-chaos --seed 89 --schedules 1 --nemesis mixed --duration 30s --clients 10 --keys 16 --raftd /x/raftd")
        let rerun = SuiteOptions(raftd: options.raftd, artifactsRoot: options.artifactsRoot, seed: 89, schedules: 1,
                                 duration: .seconds(30), nemeses: [.mixed])
        XCTAssertEqual(rerun.schedule(0), options.schedule(12))
    }
}
