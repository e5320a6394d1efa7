import Foundation
import RaftEngine
import RaftProto

/// Converts engine messages to their wire form and back. A snapshot travels as a sequence of
/// chunks (at most `chunkBytes` of data each); everything else is one wire message.
enum WireMessages {
    static func encode(_ message: Message, chunkBytes: Int = 1 << 20) -> [Raftkv_V1_RaftMessage] {
        var wire = Raftkv_V1_RaftMessage()
        wire.from = message.from
        wire.to = message.to
        wire.term = message.term
        switch message.body {
        case .append(let request):
            var append = Raftkv_V1_AppendRequest()
            append.prevIndex = request.prevIndex
            append.prevTerm = request.prevTerm
            append.commit = request.commit
            append.entries = request.entries.map(encode)
            wire.body = .append(append)
        case .appendResponse(let response):
            var answer = Raftkv_V1_AppendResponse()
            answer.index = response.index
            answer.rejected = response.rejected
            answer.hintIndex = response.hintIndex
            answer.hintTerm = response.hintTerm
            wire.body = .appendResponse(answer)
        case .heartbeat(let commit, let readRound):
            var heartbeat = Raftkv_V1_Heartbeat()
            heartbeat.commit = commit
            heartbeat.readRound = readRound
            wire.body = .heartbeat(heartbeat)
        case .heartbeatResponse(let readRound):
            var answer = Raftkv_V1_HeartbeatResponse()
            answer.readRound = readRound
            wire.body = .heartbeatResponse(answer)
        case .vote(let request):
            var vote = Raftkv_V1_VoteRequest()
            vote.prevote = request.prevote
            vote.lastIndex = request.lastIndex
            vote.lastTerm = request.lastTerm
            vote.leadershipTransfer = request.leadershipTransfer
            wire.body = .vote(vote)
        case .voteResponse(let prevote, let granted):
            var answer = Raftkv_V1_VoteResponse()
            answer.prevote = prevote
            answer.granted = granted
            wire.body = .voteResponse(answer)
        case .snapshot(let snapshot):
            return chunks(of: snapshot, header: wire, chunkBytes: max(1, chunkBytes))
        case .timeoutNow:
            wire.body = .timeoutNow(Raftkv_V1_TimeoutNow())
        case .readIndexRequest(let requestID):
            var request = Raftkv_V1_ReadIndexRequest()
            request.requestID = requestID
            wire.body = .readIndexRequest(request)
        case .readIndexResponse(let requestID, let index):
            var answer = Raftkv_V1_ReadIndexResponse()
            answer.requestID = requestID
            if let index { answer.index = index }
            wire.body = .readIndexResponse(answer)
        }
        return [wire]
    }

    private static func chunks(of snapshot: Snapshot, header: Raftkv_V1_RaftMessage, chunkBytes: Int) -> [Raftkv_V1_RaftMessage] {
        var result: [Raftkv_V1_RaftMessage] = []
        var offset = 0
        repeat {
            let end = min(snapshot.data.count, offset + chunkBytes)
            var chunk = Raftkv_V1_SnapshotChunk()
            chunk.index = snapshot.index
            chunk.term = snapshot.term
            chunk.totalBytes = UInt64(snapshot.data.count)
            chunk.offset = UInt64(offset)
            chunk.data = Data(snapshot.data[offset..<end])
            chunk.last = end == snapshot.data.count
            var wire = header
            wire.body = .snapshotChunk(chunk)
            result.append(wire)
            offset = end
        } while offset < snapshot.data.count
        return result
    }

    static func encode(_ entry: Entry) -> Raftkv_V1_Entry {
        var wire = Raftkv_V1_Entry()
        wire.term = entry.term
        wire.index = entry.index
        wire.kind = entry.kind == .noop ? .noop : .command
        wire.data = Data(entry.data)
        return wire
    }

    static func decode(_ wire: Raftkv_V1_Entry) throws(WireError) -> Entry {
        let kind: EntryKind
        switch wire.kind {
        case .command: kind = .command
        case .noop: kind = .noop
        case .UNRECOGNIZED(let value): throw .malformed("unknown entry kind \(value)")
        }
        return Entry(term: wire.term, index: wire.index, kind: kind, data: [UInt8](wire.data))
    }
}

/// A wire message that cannot be turned into an engine message.
enum WireError: Error, Equatable, CustomStringConvertible {
    case malformed(String)

    var description: String {
        switch self {
        case .malformed(let reason): return "malformed raft message: \(reason)"
        }
    }
}
