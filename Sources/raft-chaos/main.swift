print("raft-chaos: not built yet")
