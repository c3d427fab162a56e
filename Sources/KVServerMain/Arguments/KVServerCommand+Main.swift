#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension KVServerCommand {
    /// Exit status of a command line or setting kvserver cannot run with (`EX_USAGE`, as before
    /// with swift-argument-parser).
    static let usageExitCode: Int32 = 64

    static let parser = CommandLineParser(options: options)

    /// Runs kvserver with this process's command line; `storage` is the backend `--storage`
    /// opens (nil: SQLite only), `commandName` the executable's name in help and errors.
    public static func main(storage: (any ExternalStorageOpener)? = nil, commandName: String = "kvserver") async {
        var command = KVServerCommand()
        command.storageOpener = storage
        do {
            switch try parser.parse(CommandLine.arguments.dropFirst(), into: &command) {
            case .help:
                print(parser.helpText(commandName: commandName, abstract: abstract, discussion: discussion), terminator: "")
                return
            case .run:
                break
            }
        } catch {
            exitWithUsage(error.message, commandName: commandName)
        }
        do {
            try command.validate()
            try await command.run()
        } catch let error as ValidationError {
            exitWithUsage(error.message, commandName: commandName)
        } catch {
            writeStandardError("Error: \(error)\n")
            exit(1)
        }
    }

    private static func writeStandardError(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
    }

    private static func exitWithUsage(_ message: String, commandName: String) -> Never {
        writeStandardError(
            "Error: \(message)\nUsage: \(commandName) [<options>]\n  See '\(commandName) --help' for more information.\n")
        exit(usageExitCode)
    }
}
