import Foundation
import RaftEngine
import RaftProto

/// Turns the wire messages arriving on one peer stream back into engine messages, reassembling
/// snapshot chunks. One decoder per stream: chunks of a snapshot arrive in order on one stream.
struct WireDecoder {
    private var snapshot: (index: LogIndex, term: Term, total: Int, data: [UInt8])?
    /// Snapshots larger than this are refused (a guard against a corrupt length).
    let maxSnapshotBytes: Int

    init(maxSnapshotBytes: Int = 4 << 30) {
        self.maxSnapshotBytes = maxSnapshotBytes
    }

    /// The complete engine message, nil while a snapshot is still arriving.
    mutating func decode(_ wire: Raftkv_V1_RaftMessage) throws(WireError) -> Message? {
        let body: Message.Body
        switch wire.body {
        case .append(let append):
            var entries: [Entry] = []
            entries.reserveCapacity(append.entries.count)
            for entry in append.entries { entries.append(try WireMessages.decode(entry)) }
            body = .append(AppendRequest(prevIndex: append.prevIndex, prevTerm: append.prevTerm, entries: entries, commit: append.commit))
        case .appendResponse(let answer):
            body = .appendResponse(AppendResponse(index: answer.index, rejected: answer.rejected,
                                                  hintIndex: answer.hintIndex, hintTerm: answer.hintTerm))
        case .heartbeat(let heartbeat):
            body = .heartbeat(commit: heartbeat.commit, readRound: heartbeat.readRound)
        case .heartbeatResponse(let answer):
            body = .heartbeatResponse(readRound: answer.readRound)
        case .vote(let vote):
            body = .vote(VoteRequest(prevote: vote.prevote, lastIndex: vote.lastIndex, lastTerm: vote.lastTerm,
                                     leadershipTransfer: vote.leadershipTransfer))
        case .voteResponse(let answer):
            body = .voteResponse(prevote: answer.prevote, granted: answer.granted)
        case .snapshotChunk(let chunk):
            guard let complete = try add(chunk) else { return nil }
            body = .snapshot(complete)
        case .timeoutNow:
            body = .timeoutNow
        case .readIndexRequest(let request):
            body = .readIndexRequest(requestID: request.requestID)
        case .readIndexResponse(let answer):
            body = .readIndexResponse(requestID: answer.requestID, index: answer.hasIndex ? answer.index : nil)
        case nil:
            throw .malformed("message without a body")
        }
        return Message(from: wire.from, to: wire.to, term: wire.term, body: body)
    }

    private mutating func add(_ chunk: Raftkv_V1_SnapshotChunk) throws(WireError) -> Snapshot? {
        guard chunk.totalBytes <= UInt64(maxSnapshotBytes) else {
            throw .malformed("snapshot of \(chunk.totalBytes) bytes exceeds \(maxSnapshotBytes)")
        }
        if chunk.offset == 0 {
            snapshot = (chunk.index, chunk.term, Int(chunk.totalBytes), [])
            snapshot!.data.reserveCapacity(Int(chunk.totalBytes))
        }
        // Take the partial snapshot out before appending, so its buffer has one owner and grows in
        // place instead of being copied for every chunk.
        guard var current = snapshot.take(), current.index == chunk.index, current.term == chunk.term,
              UInt64(current.data.count) == chunk.offset else {
            throw .malformed("snapshot chunk at offset \(chunk.offset) of \(chunk.index)/\(chunk.term) arrived out of order")
        }
        current.data.append(contentsOf: chunk.data)
        guard current.data.count <= current.total else {
            throw .malformed("snapshot chunks exceed the announced \(current.total) bytes")
        }
        if chunk.last {
            guard current.data.count == current.total else {
                throw .malformed("snapshot ended at \(current.data.count) of \(current.total) bytes")
            }
            return Snapshot(index: current.index, term: current.term, data: current.data)
        }
        snapshot = current
        return nil
    }
}
