// raft-tui: the live cluster dashboard. It needs running `raftd` nodes to watch, which this build
// cannot start yet, so it explains that and exits with a usage error instead of drawing a fake cluster.

let message = """
    raft-tui: no cluster to watch; this build contains the Raft engine and simulator only \
    (try `make sim`).

    """
FileOutput.standardError.write(message)
exitProgram(code: 64)
