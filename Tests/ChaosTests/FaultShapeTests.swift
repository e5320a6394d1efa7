import Chaos
import RaftEngine
import XCTest

final class FaultShapeTests: XCTestCase {
    private let nodes = [1, 2, 3, 4, 5]

    private func fault(_ kind: NemesisKind, leader: Int? = nil, seed: UInt64 = 1) -> Fault {
        var random = SeededRandom(seed: seed)
        return FaultShapes.fault(kind, nodes: nodes, leader: leader, random: &random)
    }

    private func cuts(_ fault: Fault) throws -> PartitionCuts {
        guard case .partition(let cuts) = fault else { throw XCTSkip("\(fault) is not a partition") }
        return cuts
    }

    func testLeaderKindsTargetTheLeader() {
        XCTAssertEqual(fault(.killLeader, leader: 4), .kill([4]))
        XCTAssertEqual(fault(.pauseLeader, leader: 2), .pause([2]))
        guard case .partition(let cuts) = fault(.partitionLeader, leader: 3) else { return XCTFail("not a partition") }
        XCTAssertEqual(cuts.reachable(from: 3), [3])
        XCTAssertEqual(cuts.reachable(from: 1), [1, 2, 4, 5])
    }

    func testKillMajorityKillsThreeDistinctNodes() {
        for seed: UInt64 in 1...20 {
            guard case .kill(let killed) = fault(.killMajority, seed: seed) else { return XCTFail("not a kill") }
            XCTAssertEqual(Set(killed).count, 3)
            XCTAssertTrue(Set(killed).isSubset(of: nodes))
            XCTAssertTrue(Fault.kill(killed).affectsMajority(nodeCount: 5))
        }
        XCTAssertFalse(Fault.kill([1, 2]).affectsMajority(nodeCount: 5))
    }

    func testHalvesSplitIntoMinorityAndMajority() throws {
        for seed: UInt64 in 1...20 {
            let cuts = try cuts(fault(.partitionHalves, seed: seed))
            let sides = Set(nodes.map { cuts.reachable(from: $0) })
            XCTAssertEqual(sides.count, 2)
            XCTAssertEqual(sides.map(\.count).sorted().last.map { $0 >= 3 }, true)
            XCTAssertEqual(sides.reduce(Set<Int>()) { $0.union($1) }, Set(nodes))
            XCTAssertFalse(Fault.partition(cuts).affectsMajority(nodeCount: 5))
        }
    }

    func testBridgeNodeReachesEveryoneAndTheHalvesDoNot() throws {
        let cuts = try cuts(fault(.partitionBridge, seed: 7))
        let bridges = nodes.filter { cuts.reachable(from: $0).count == 5 }
        XCTAssertEqual(bridges.count, 1)
        for node in nodes where node != bridges[0] {
            XCTAssertEqual(cuts.reachable(from: node).count, 3, "\(node) should reach its half and the bridge")
        }
    }

    func testRingGivesEveryNodeADifferentMajority() throws {
        let cuts = try cuts(fault(.partitionRing, seed: 3))
        let views = nodes.map { cuts.reachable(from: $0) }
        XCTAssertTrue(views.allSatisfy { $0.count == 3 })
        XCTAssertEqual(Set(views).count, 5)
        // Ring neighbours are mutual: a reaches b exactly when b reaches a.
        for a in nodes { for b in cuts.reachable(from: a) { XCTAssertTrue(cuts.reachable(from: b).contains(a)) } }
        XCTAssertFalse(Fault.partition(cuts).affectsMajority(nodeCount: 5))
    }

    func testPartitionIntoThreeSmallGroupsLeavesNoLeader() {
        let cuts = PartitionCuts(groups: [[1, 2], [3, 4], [5]])
        XCTAssertTrue(Fault.partition(cuts).affectsMajority(nodeCount: 5))
        XCTAssertEqual(cuts.description, "cut 1x3 1x4 1x5 2x3 2x4 2x5 3x5 4x5")
    }

    func testNamespaceKindsCutTheSameShapesThroughTheKernel() throws {
        XCTAssertEqual(fault(.netnsLeaderLink, leader: 5), .linkDown([5]))
        guard case .networkPartition(let cuts) = fault(.netnsHalves, seed: 9) else { return XCTFail("not a network partition") }
        let sides = Set(nodes.map { cuts.reachable(from: $0) })
        XCTAssertEqual(sides.count, 2)
        XCTAssertEqual(sides.map(\.count).max().map { $0 >= 3 }, true)
        XCTAssertFalse(Fault.networkPartition(cuts).affectsMajority(nodeCount: 5))
    }

    func testDegradeLinksSlowsEveryNodeWithinBounds() {
        for seed: UInt64 in 1...20 {
            guard case .degradeLinks(let degraded, let faults) = fault(.degradeLinks, seed: seed) else { return XCTFail("not a degradation") }
            XCTAssertEqual(degraded, nodes)
            XCTAssertTrue((5...20).contains(faults.delayMs), "\(faults)")
            XCTAssertTrue((10...40).contains(faults.jitterMs), "\(faults)")
            XCTAssertTrue((5...30).contains(faults.lossPercent), "\(faults)")
            XCTAssertFalse(Fault.degradeLinks(degraded, faults).affectsMajority(nodeCount: 5))
        }
        XCTAssertEqual(Fault.degradeLinks([1, 2], LinkFaults(delayMs: 5, jitterMs: 10, lossPercent: 20)).description,
                       "degrade links of nodes 1,2: 5 ms + up to 10 ms, 20% dropped")
    }

    func testMixedDrawsConcreteKindsAndIsDeterministic() {
        let drawn = (1...40).map { fault(.mixed, leader: 1, seed: $0) }
        XCTAssertEqual(drawn, (1...40).map { fault(.mixed, leader: 1, seed: $0) })
        XCTAssertTrue(drawn.contains { if case .kill = $0 { true } else { false } })
        XCTAssertTrue(drawn.contains { if case .pause = $0 { true } else { false } })
        XCTAssertTrue(drawn.contains { if case .partition = $0 { true } else { false } })
        XCTAssertFalse(drawn.contains { if case .networkPartition = $0 { true } else if case .linkDown = $0 { true } else { false } },
                       "mixed runs without network namespaces")
    }
}
