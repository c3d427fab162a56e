import Foundation

/// A one-line progress bar on stderr with rate and ETA; does nothing when stderr is not a
/// terminal, so scripts and logs stay clean.
final class ProgressBar {
    private let enabled: Bool
    private let label: String
    var total: Int?
    private(set) var done = 0
    private let start = Date()
    private var lastDraw = Date.distantPast

    init(label: String, total: Int?, enabled: Bool = Terminal.stderrIsTTY) {
        self.label = label
        self.total = total
        self.enabled = enabled
    }

    func advance(by count: Int) {
        done += count
        guard enabled, Date().timeIntervalSince(lastDraw) >= 0.1 else { return }
        draw()
    }

    func finish() {
        guard enabled else { return }
        draw()
        Terminal.error("\n")
    }

    private func draw() {
        lastDraw = Date()
        Terminal.error("\r\u{1B}[K" + Self.line(label: label, done: done, total: total, elapsed: lastDraw.timeIntervalSince(start)))
    }

    /// The text of the bar, e.g. `import [#####.....] 50% 500/1000 250/s ETA 0:02`.
    static func line(label: String, done: Int, total: Int?, elapsed: TimeInterval) -> String {
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let rateText = "\(Int(rate.rounded()))/s"
        guard let total, total > 0 else { return "\(label) \(done) items \(rateText)" }
        let fraction = min(1, Double(done) / Double(total))
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        var eta = "--:--"
        if rate > 0 {
            let seconds = Int((Double(max(0, total - done)) / rate).rounded())
            eta = seconds >= 3600
                ? "\(seconds / 3600):\(pad(seconds / 60 % 60)):\(pad(seconds % 60))"
                : "\(seconds / 60):\(pad(seconds % 60))"
        }
        return "\(label) [\(bar)] \(Int(fraction * 100))% \(done)/\(total) \(rateText) ETA \(eta)"
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
