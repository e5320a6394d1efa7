/// A failure that ends raftctl with exit code 1; the message names the problem and the fix.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

