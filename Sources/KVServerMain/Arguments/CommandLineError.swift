/// A command line kvserver cannot run with. The texts are those swift-argument-parser printed
/// before (scripts may match them).
enum CommandLineError: Error, Equatable {
    case unknownOption(String)
    case unexpectedArgument(String)
    case missingValue(synopsis: String)
    case invalidValue(String, synopsis: String)
    case flagWithValue(String)

    var message: String {
        switch self {
        case .unknownOption(let name): "Unknown option '\(name)'"
        case .unexpectedArgument(let argument): "Unexpected argument '\(argument)'"
        case .missingValue(let synopsis): "Missing value for '\(synopsis)'"
        case .invalidValue(let text, let synopsis): "The value '\(text)' is invalid for '\(synopsis)'"
        case .flagWithValue(let name): "The flag '\(name)' takes no value"
        }
    }
}

/// A setting that is well-formed on the command line but not usable (a port out of range, two
/// options that exclude each other, a file that cannot be read at start-up).
public struct ValidationError: Error, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
