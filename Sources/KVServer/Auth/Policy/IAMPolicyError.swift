/// What is wrong with a policy document, for the reload log and `kvctl auth check`.
///
/// `message` starts with where the problem is (`Statement[1].Condition.StringEquals.aws:username: ...`),
/// so a typo in a long auth file is found without guessing.
public struct IAMPolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// The element path (`["Statement[1]", "Condition"]`) and the problem without it.
    private var path: [String] = []
    private var problem: String

    public init(message: String) {
        self.message = message
        self.problem = message
    }

    init(at path: [String], _ problem: String) {
        self.path = path
        self.problem = problem
        self.message = path.isEmpty ? problem : path.joined(separator: ".") + ": " + problem
    }

    public var description: String { message }

    /// The same problem, one element further out.
    func inside(_ location: String) -> IAMPolicyError {
        IAMPolicyError(at: [location] + path, problem)
    }

    public static func == (lhs: IAMPolicyError, rhs: IAMPolicyError) -> Bool { lhs.message == rhs.message }
}
