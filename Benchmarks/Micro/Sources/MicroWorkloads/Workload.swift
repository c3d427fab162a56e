/// One measured operation, shared by the benchmark target (time, mallocs, instructions from
/// hardware counters) and `micro-count` (instructions under callgrind, where there are none).
public struct Workload: Sendable {
    public enum Body: Sendable {
        /// Pure CPU work: runs the operation the given number of times.
        case cpu(@Sendable (_ count: Int) throws -> Void)
        /// One engine call; `setup` must have run.
        case engine(@Sendable () async throws -> Void)
    }

    public let name: String
    public let body: Body
    public let setup: (@Sendable () async throws -> Void)?
    public let teardown: (@Sendable () -> Void)?

    init(
        _ name: String, setup: (@Sendable () async throws -> Void)? = nil, teardown: (@Sendable () -> Void)? = nil,
        _ body: Body
    ) {
        self.name = name
        self.body = body
        self.setup = setup
        self.teardown = teardown
    }
}
