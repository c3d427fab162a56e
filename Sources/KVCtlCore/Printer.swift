import KVServer

/// Prints results in the chosen `OutputFormat`.
struct Printer: Sendable {
    var format: OutputFormat

    /// One result document (DescribeTable, a check report...). `table` renders it for people.
    func document(_ value: JSONValue, table: @autoclosure () -> String) {
        switch format {
        case .json: Terminal.write(JSONRender.pretty(value) + "\n")
        case .jsonl: Terminal.write(JSONRender.compact(value) + "\n")
        case .table: Terminal.write(table())
        }
    }

    /// A sink for items that arrive page by page.
    func itemSink(keyOrder: [String] = []) -> ItemSink { ItemSink(format: format, keyOrder: keyOrder) }
}

/// Collects or streams items: jsonl prints each at once, json and table print at `finish()`.
final class ItemSink {
    let format: OutputFormat
    var keyOrder: [String]
    private var held: [JSONValue] = []
    private(set) var count = 0

    init(format: OutputFormat, keyOrder: [String]) {
        self.format = format
        self.keyOrder = keyOrder
    }

    func add(_ item: JSONValue) {
        count += 1
        if format == .jsonl {
            Terminal.write(JSONRender.compact(item) + "\n")
        } else {
            held.append(item)
        }
    }

    func finish() {
        switch format {
        case .jsonl: break
        case .json: Terminal.write(JSONRender.pretty(.array(held)) + "\n")
        case .table:
            if held.isEmpty {
                Terminal.error("(no items)\n")
            } else {
                Terminal.write(TableText.render(items: held, keyOrder: keyOrder))
            }
        }
    }
}

/// Aligned text columns.
enum TableText {
    static let maxCellWidth = 48

    /// Items as rows; columns are the key attributes first, then every other name sorted.
    static func render(items: [JSONValue], keyOrder: [String]) -> String {
        var names = Set<String>()
        for item in items { if let members = item.objectValue { names.formUnion(members.keys) } }
        let keys = keyOrder.filter { names.contains($0) }
        let columns = keys + names.subtracting(keys).sorted()
        let rows = items.map { item in columns.map { name in item[name].map(cell) ?? "" } }
        return render(header: columns, rows: rows)
    }

    static func render(header: [String], rows: [[String]]) -> String {
        var widths = header.map { $0.count }
        for row in rows {
            for (index, value) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], value.count)
            }
        }
        func line(_ values: [String]) -> String {
            var parts: [String] = []
            for (index, value) in values.enumerated() {
                let isLast = index == values.count - 1
                parts.append(isLast ? value : value + String(repeating: " ", count: widths[index] - value.count))
            }
            var text = parts.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text + "\n"
        }
        return line(header) + rows.map(line).joined()
    }

    /// Name/value pairs, one per line.
    static func pairs(_ pairs: [(String, String)]) -> String {
        let width = pairs.map { $0.0.count }.max() ?? 0
        return pairs.map { name, value in
            name + ":" + String(repeating: " ", count: width - name.count + 1) + value + "\n"
        }.joined()
    }

    /// A value as one short line: strings bare, everything else as compact JSON.
    static func cell(_ value: JSONValue) -> String {
        var text: String
        if case .string(let string) = value {
            text = string
        } else {
            text = JSONRender.compact(value)
        }
        text = text.replacingControlCharacters()
        if text.count > maxCellWidth { text = String(text.prefix(maxCellWidth - 1)) + "…" }
        return text
    }
}

extension String {
    fileprivate func replacingControlCharacters() -> String {
        var out = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
