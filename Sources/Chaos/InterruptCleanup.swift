import Dispatch
import Foundation
import Synchronization

/// Stops every running cluster and removes its network namespaces when the runner gets SIGINT or
/// SIGTERM. Nodes exit by themselves when the runner dies, but a node stopped with SIGSTOP cannot
/// notice, and namespaces outlive every process.
enum InterruptCleanup {
    private static let clusters = Mutex<[ObjectIdentifier: LocalCluster]>([:])
    private static let sources = Mutex<[any DispatchSourceSignal]>([])

    /// Installs the handlers once; later calls do nothing.
    static func install() {
        sources.withLock { sources in
            guard sources.isEmpty else { return }
            for number in [SIGINT, SIGTERM] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    for cluster in clusters.withLock({ Array($0.values) }) {
                        cluster.stopAll()
                        cluster.network?.tearDown()
                    }
                    exit(128 + number)
                }
                source.resume()
                sources.append(source)
            }
        }
    }

    static func register(_ cluster: LocalCluster) {
        clusters.withLock { $0[ObjectIdentifier(cluster)] = cluster }
    }

    static func unregister(_ cluster: LocalCluster) {
        clusters.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(cluster)) }
    }
}
