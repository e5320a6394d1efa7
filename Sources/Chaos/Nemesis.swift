import RaftEngine

/// Applies a schedule's faults to a running cluster at their planned times and undoes each at its
/// end, recording both in the timeline. Only one fault is active at a time.
struct Nemesis {
    let schedule: Schedule
    let cluster: LocalCluster
    let observer: ClusterObserver
    let timeline: FaultTimeline
    let clock: RunClock

    /// Runs the whole schedule; returns when the last fault has ended.
    func run() async {
        var random = SeededRandom(seed: schedule.faultSeed)
        for slot in schedule.slots {
            await sleep(until: slot.start)
            let leader = schedule.kind.targetsLeader || schedule.kind == .mixed ? await observer.leader() : nil
            let fault = FaultShapes.fault(schedule.kind, nodes: cluster.nodeIDs, leader: leader, random: &random)
            await apply(fault)
            await sleep(until: slot.start + slot.length)
            await undo(fault)
        }
    }

    private func apply(_ fault: Fault) async {
        // The fault starts when applying it begins: operations invoked while it is being applied
        // (an `ip` command or a Control-API call can take tens of milliseconds) already meet it.
        let started = clock.now
        var problem: String?
        switch fault {
        case .kill(let nodes): for node in nodes { cluster.kill(node) }
        case .pause(let nodes): for node in nodes { cluster.pause(node) }
        case .partition(let cuts):
            do { try await observer.partition(cuts) } catch { problem = "partition incomplete: \(error)" }
        case .networkPartition(let cuts):
            do { try network().cut(cuts) } catch { problem = "network partition incomplete: \(error)" }
        case .linkDown(let nodes):
            do { for node in nodes { try network().disconnect(node) } } catch { problem = "link down incomplete: \(error)" }
        case .degradeLinks(let nodes, let faults):
            do { try await observer.degradeLinks(nodes, faults) } catch { problem = "link degradation incomplete: \(error)" }
        }
        timeline.record(FaultEvent(at: started, phase: .start, description: fault.description,
                                   majorityAffected: fault.affectsMajority(nodeCount: cluster.nodeIDs.count)))
        if let problem { timeline.record(FaultEvent(at: clock.now, phase: .note, description: problem, majorityAffected: false)) }
    }

    private func undo(_ fault: Fault) async {
        var problems: [String] = []
        switch fault {
        case .kill(let nodes):
            for node in nodes {
                do { try cluster.start(node) } catch { problems.append("restart of node \(node) failed: \(error)") }
            }
        case .pause(let nodes): for node in nodes { cluster.resume(node) }
        case .partition, .degradeLinks:
            let unreachable = await observer.healAll()
            if !unreachable.isEmpty { problems.append("heal did not reach nodes \(unreachable)") }
        case .networkPartition, .linkDown:
            do { problems += try network().healAll() } catch { problems.append("\(error)") }
        }
        timeline.record(FaultEvent(at: clock.now, phase: .end, description: "end of " + fault.description, majorityAffected: false))
        for problem in problems { timeline.record(FaultEvent(at: clock.now, phase: .note, description: problem, majorityAffected: false)) }
    }

    private func network() throws -> NamespaceNetwork {
        guard let network = cluster.network else { throw ScheduleRunner.SetupFailure(description: "this fault needs the nodes in network namespaces") }
        return network
    }

    private func sleep(until offset: Duration) async {
        let elapsed = Duration.nanoseconds(Int64(clock.now))
        if offset > elapsed { try? await Task.sleep(for: offset - elapsed) }
    }
}
