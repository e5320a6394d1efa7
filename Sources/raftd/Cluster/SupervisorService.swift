import GRPCCore
import RaftProto

/// The Supervisor service of `raftd cluster`: start, kill, pause, resume and list node processes.
struct SupervisorService: Raftkv_V1_Supervisor.SimpleServiceProtocol {
    let processes: NodeProcesses

    private func run(_ body: () throws -> NodeProcesses.Info) throws -> Raftkv_V1_ServerInfo {
        do {
            return SupervisorService.message(try body())
        } catch let error as SupervisorError {
            switch error {
            case .unknownNode: throw RPCError(code: .notFound, message: error.description)
            case .notRunning: throw RPCError(code: .failedPrecondition, message: error.description)
            case .cannotOpenLog: throw RPCError(code: .internalError, message: error.description)
            }
        } catch {
            throw RPCError(code: .internalError, message: "\(error)")
        }
    }

    static func message(_ info: NodeProcesses.Info) -> Raftkv_V1_ServerInfo {
        var message = Raftkv_V1_ServerInfo()
        message.id = UInt64(info.id)
        message.address = info.address
        message.state = info.state.rawValue
        message.pid = info.pid
        return message
    }

    func startServer(request: Raftkv_V1_ServerID, context: ServerContext) async throws -> Raftkv_V1_ServerInfo {
        try run { try processes.start(Int(request.id)) }
    }

    func killServer(request: Raftkv_V1_ServerID, context: ServerContext) async throws -> Raftkv_V1_ServerInfo {
        try run { try processes.kill(Int(request.id)) }
    }

    func pauseServer(request: Raftkv_V1_ServerID, context: ServerContext) async throws -> Raftkv_V1_ServerInfo {
        try run { try processes.pause(Int(request.id)) }
    }

    func resumeServer(request: Raftkv_V1_ServerID, context: ServerContext) async throws -> Raftkv_V1_ServerInfo {
        try run { try processes.resume(Int(request.id)) }
    }

    func listServers(request: Raftkv_V1_ListServersRequest, context: ServerContext) async throws -> Raftkv_V1_ListServersResponse {
        var response = Raftkv_V1_ListServersResponse()
        response.servers = processes.list().map(SupervisorService.message)
        return response
    }
}
