import ArgumentParser
import KVServer

/// `kvctl metrics`: one snapshot of the server's `/metrics`.
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics", abstract: "Print one snapshot of the server's metrics (GET /metrics).",
        discussion: """
            Samples with their labels; --output json gives [{"name", "labels", "value"}, ...]. Under --auth the \
            credentials need dynamodb:GetMetrics. With kvserver --metrics-port, pass --metrics-url.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Where /metrics is served (default: ENDPOINT/metrics).", valueName: "url"))
    var metricsURL: String?

    @Option(help: ArgumentHelp("Only metrics whose name starts with this.", valueName: "prefix"))
    var prefix: String?

    func run() async throws {
        let samples = try await global.metricsClient(url: metricsURL).scrape()
            .filter { prefix.map($0.name.hasPrefix) ?? true }
        let value = JSONValue.array(samples.map(\.json))
        switch global.format {
        case .json: Terminal.write(JSONRender.pretty(value) + "\n")
        case .jsonl:
            for sample in samples { Terminal.write(JSONRender.compact(sample.json) + "\n") }
        case .table:
            Terminal.write(
                TableText.render(
                    header: ["NAME", "LABELS", "VALUE"],
                    rows: samples.map { sample in
                        [sample.name, sample.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                            .joined(separator: ","), String(sample.value)]
                    }))
        }
    }
}
