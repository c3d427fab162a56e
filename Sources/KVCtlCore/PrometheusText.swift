import KVServer

/// One sample of a Prometheus text exposition: `name{label="value",...} 1.5`.
struct MetricSample: Sendable, Equatable {
    var name: String
    var labels: [String: String]
    var value: Double

    var json: JSONValue {
        .object([
            "name": .string(name),
            "labels": .object(labels.mapValues { .string($0) }),
            "value": .number(value.isFinite ? String(value) : (value.isNaN ? "0" : (value > 0 ? "1e308" : "-1e308"))),
        ])
    }
}

/// Reads the text exposition format kvserver's `/metrics` writes (version 0.0.4): comment lines,
/// then one sample per line. What kvctl needs of it, not a general parser: no timestamps kept,
/// escapes `\\`, `\"` and `\n` in label values.
enum PrometheusText {
    static func parse(_ text: String) -> [MetricSample] {
        var samples: [MetricSample] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") { continue }
            if let sample = sample(Substring(line)) { samples.append(sample) }
        }
        return samples
    }

    static func sample(_ line: Substring) -> MetricSample? {
        var labels: [String: String] = [:]
        let name: Substring
        var rest: Substring
        if let brace = line.firstIndex(of: "{") {
            name = line[..<brace]
            rest = line[line.index(after: brace)...]
            while true {
                rest = rest.drop { $0 == " " || $0 == "," }
                if rest.first == "}" { rest = rest.dropFirst(); break }
                guard let equals = rest.firstIndex(of: "=") else { return nil }
                let key = String(rest[..<equals])
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                var value = ""
                var escaped = false
                var closed = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(character == "n" ? "\n" : character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        closed = true
                        break
                    } else {
                        value.append(character)
                    }
                }
                guard closed else { return nil }
                labels[key] = value
            }
        } else {
            guard let space = line.firstIndex(of: " ") else { return nil }
            name = line[..<space]
            rest = line[space...]
        }
        let fields = rest.split(separator: " ", omittingEmptySubsequences: true)
        guard !name.isEmpty, let first = fields.first else { return nil }
        let value: Double
        switch first {
        case "+Inf": value = .infinity
        case "-Inf": value = -.infinity
        case "NaN": value = .nan
        default:
            guard let parsed = Double(first) else { return nil }
            value = parsed
        }
        return MetricSample(name: String(name), labels: labels, value: value)
    }
}
