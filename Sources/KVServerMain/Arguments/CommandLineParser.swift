/// Reads `--name VALUE`, `--name=VALUE` and `--flag` arguments into a command by a table of
/// `CommandLineOption`s; a later occurrence of an option wins over an earlier one.
struct CommandLineParser<Command>: Sendable {
    let options: [CommandLineOption<Command>]

    enum Outcome: Equatable {
        case run
        /// `-h` or `--help` was given: print `helpText` and stop.
        case help
    }

    func parse(_ arguments: some Sequence<String>, into command: inout Command) throws(CommandLineError) -> Outcome {
        var remaining = arguments.makeIterator()
        while let argument = remaining.next() {
            if argument == "-h" || argument == "--help" { return .help }
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw argument.hasPrefix("-") ? .unknownOption(argument) : .unexpectedArgument(argument)
            }
            let body = argument.dropFirst(2)
            let name: Substring
            let inlineValue: String?
            if let equals = body.firstIndex(of: "=") {
                name = body[..<equals]
                inlineValue = String(body[body.index(after: equals)...])
            } else {
                name = body
                inlineValue = nil
            }
            guard let option = options.first(where: { $0.name == name }) else { throw .unknownOption("--\(name)") }
            switch option.kind {
            case .flag(let assign):
                if inlineValue != nil { throw .flagWithValue("--\(name)") }
                assign(&command)
            case .value(_, let assign):
                guard let value = inlineValue ?? remaining.next() else { throw .missingValue(synopsis: option.synopsis) }
                try assign(&command, value)
            }
        }
        return .run
    }

    /// `--help`: the overview, the usage line, and every option with its help, by group.
    func helpText(commandName: String, abstract: String, discussion: String) -> String {
        var text = "OVERVIEW: \(abstract)\n\n\(discussion)\n\nUSAGE: \(commandName) [<options>]\n"
        var groups: [String?] = []
        for option in options where !groups.contains(option.group) {
            groups.append(option.group)
        }
        for group in groups {
            text += "\n\((group ?? "options").uppercased()):\n"
            for option in options where option.group == group {
                text += Self.line(option.synopsis, option.help)
            }
            if group == nil {
                text += Self.line("-h, --help", "Show help information.")
            }
        }
        return text
    }

    private static func line(_ synopsis: String, _ help: String) -> String {
        let column = 28
        let lead = "  " + synopsis
        if lead.count + 2 <= column {
            return lead + String(repeating: " ", count: column - lead.count) + help + "\n"
        }
        return lead + "\n" + String(repeating: " ", count: column) + help + "\n"
    }
}
