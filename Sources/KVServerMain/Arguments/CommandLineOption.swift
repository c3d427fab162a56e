/// One `--name` of kvserver's command line and how its value lands in the command.
///
/// kvserver reads its command line with this small table instead of swift-argument-parser:
/// that package finds its options by reflection and dynamic casts at every start, which was
/// 45% of the instructions from exec to the first answer (`Scripts/bench/callgrind_start.py`,
/// issue #17). kvctl, whose start-up matters less, keeps swift-argument-parser.
struct CommandLineOption<Command>: Sendable {
    enum Kind {
        /// `--name VALUE` or `--name=VALUE`.
        case value(valueName: String, assign: @Sendable (inout Command, String) throws(CommandLineError) -> Void)
        /// `--name`, no value.
        case flag(assign: @Sendable (inout Command) -> Void)
    }

    let name: String
    let help: String
    let kind: Kind
    /// The heading the option is listed under in `--help`; nil for the general options.
    var group: String?

    /// `--name <value>` as `--help` and error messages show it.
    var synopsis: String {
        switch kind {
        case .value(let valueName, _): "--\(name) <\(valueName)>"
        case .flag: "--\(name)"
        }
    }

    static func string(
        _ name: String, valueName: String? = nil, help: String, _ assign: @escaping @Sendable (inout Command, String) -> Void
    ) -> Self {
        CommandLineOption(name: name, help: help, kind: .value(valueName: valueName ?? name) { command, text in
            assign(&command, text)
        })
    }

    static func int(_ name: String, help: String, _ assign: @escaping @Sendable (inout Command, Int) -> Void) -> Self {
        CommandLineOption(name: name, help: help, kind: .value(valueName: name) { (command, text) throws(CommandLineError) in
            guard let value = Int(text) else { throw .invalidValue(text, synopsis: "--\(name) <\(name)>") }
            assign(&command, value)
        })
    }

    static func double(_ name: String, help: String, _ assign: @escaping @Sendable (inout Command, Double) -> Void) -> Self {
        CommandLineOption(name: name, help: help, kind: .value(valueName: name) { (command, text) throws(CommandLineError) in
            guard let value = Double(text) else { throw .invalidValue(text, synopsis: "--\(name) <\(name)>") }
            assign(&command, value)
        })
    }

    static func flag(_ name: String, help: String, _ assign: @escaping @Sendable (inout Command) -> Void) -> Self {
        CommandLineOption(name: name, help: help, kind: .flag(assign: assign))
    }

    /// The same option, listed under `group` in `--help`.
    func grouped(_ group: String) -> Self {
        var option = self
        option.group = group
        return option
    }
}
