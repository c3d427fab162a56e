import ArgumentParser
import KVServer

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `kvctl top`: the busiest tables and operations, refreshed every interval.
struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top", abstract: "Show the busiest tables and operations, refreshed (from /metrics).",
        discussion: """
            Each view compares two scrapes of /metrics an interval apart: requests/s, p99 latency of successful \
            requests (the upper bound of its histogram bucket), consumed capacity units/s, throttles and errors. \
            Runs until interrupted; --once prints one view and exits.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Where /metrics is served (default: ENDPOINT/metrics).", valueName: "url"))
    var metricsURL: String?

    @Option(help: ArgumentHelp("Seconds between scrapes.", valueName: "seconds"))
    var interval: Double = 2

    @Flag(help: "Print one view and exit.")
    var once = false

    @Option(help: ArgumentHelp("Rows per table.", valueName: "n"))
    var limit: Int = 10

    func validate() throws {
        guard interval.isFinite, interval > 0, interval <= 3600 else {
            throw ValidationError("--interval must be a number of seconds in (0, 3600]")
        }
        guard limit > 0 else { throw ValidationError("--limit must be positive") }
    }

    func run() async throws {
        let client = try global.metricsClient(url: metricsURL)
        var before = try await client.scrape()
        var started = ContinuousClock.now
        let clearsScreen = global.format == .table && Terminal.stdoutIsTTY && !once
        while true {
            try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
            let after = try await client.scrape()
            let now = ContinuousClock.now
            let elapsed = now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let view = TopView.compute(before: before, after: after, seconds: seconds, limit: limit)
            switch global.format {
            case .json: Terminal.write(JSONRender.pretty(view.json) + "\n")
            case .jsonl: Terminal.write(JSONRender.compact(view.json) + "\n")
            case .table:
                Terminal.write((clearsScreen ? "\u{1B}[H\u{1B}[2J" : "") + view.rendered())
            }
            if once { return }
            before = after
            started = now
        }
    }
}
