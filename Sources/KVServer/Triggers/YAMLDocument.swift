import CYAML

/// A YAML document read into JSON values with libyaml's parser (Debian's libyaml, the C library
/// Yams wraps). The server reads its triggers file this way rather than through Yams, whose
/// Foundation dependency would link all of Foundation and ICU into the static server binary
/// (measured: binary 56 -> 145 MB, idle RSS 19 -> 29.6 MB, cold start 10 -> 20 ms).
///
/// Plain scalars resolve as YAML 1.2's core schema does: `null`/`~`/empty, `true`/`false`,
/// integers and floats; quoted scalars are strings. Anchors and aliases are refused.
enum YAMLDocument {
    struct Failure: Error, Equatable {
        var message: String
    }

    static func parse(_ text: String) throws(Failure) -> JSONValue {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw Failure(message: "cannot start the YAML parser") }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> JSONValue in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var reader = EventReader(parser: &parser)
            return try reader.document()
        }
    }

    /// Walks libyaml's event stream; `parser` outlives it (owned by `parse`).
    private struct EventReader {
        var parser: UnsafeMutablePointer<yaml_parser_t>
        /// Nesting guard: a hostile file must not exhaust the stack.
        var depth = 0
        static let maxDepth = 64

        init(parser: UnsafeMutablePointer<yaml_parser_t>) {
            self.parser = parser
        }

        enum Event {
            case start(isMapping: Bool)
            case end
            case scalar(String, plain: Bool)
            case documentEnd
            case other
        }

        mutating func next() throws(Failure) -> Event {
            var event = yaml_event_t()
            guard yaml_parser_parse(parser, &event) == 1 else {
                let problem = parser.pointee.problem.map { String(cString: $0) } ?? "invalid YAML"
                throw Failure(message: "\(problem) (line \(parser.pointee.problem_mark.line + 1))")
            }
            defer { yaml_event_delete(&event) }
            switch event.type {
            case YAML_MAPPING_START_EVENT: return .start(isMapping: true)
            case YAML_SEQUENCE_START_EVENT: return .start(isMapping: false)
            case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT: return .end
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let value = scalar.value.map {
                    String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self)
                } ?? ""
                return .scalar(value, plain: scalar.style == YAML_PLAIN_SCALAR_STYLE)
            case YAML_ALIAS_EVENT: throw Failure(message: "YAML aliases are not supported")
            case YAML_DOCUMENT_END_EVENT, YAML_STREAM_END_EVENT: return .documentEnd
            default: return .other
            }
        }

        /// The first document of the stream (an empty stream is null).
        mutating func document() throws(Failure) -> JSONValue {
            while true {
                switch try next() {
                case .other: continue
                case .documentEnd: return .null
                case .end: throw Failure(message: "unexpected end of a collection")
                case .scalar(let text, let plain): return Self.scalar(text, plain: plain)
                case .start(let isMapping): return try collection(isMapping: isMapping)
                }
            }
        }

        mutating func value(after event: Event) throws(Failure) -> JSONValue? {
            switch event {
            case .scalar(let text, let plain): return Self.scalar(text, plain: plain)
            case .start(let isMapping): return try collection(isMapping: isMapping)
            case .end: return nil
            case .documentEnd: throw Failure(message: "unexpected end of the document")
            case .other: throw Failure(message: "unexpected YAML event")
            }
        }

        mutating func collection(isMapping: Bool) throws(Failure) -> JSONValue {
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maxDepth else { throw Failure(message: "nested deeper than \(Self.maxDepth) levels") }
            if isMapping {
                var fields: [String: JSONValue] = [:]
                while true {
                    let keyEvent = try next()
                    if case .end = keyEvent { return .object(fields) }
                    guard case .scalar(let key, _) = keyEvent else { throw Failure(message: "mapping keys must be scalars") }
                    guard let item = try value(after: try next()) else { throw Failure(message: "a key without a value") }
                    fields[key] = item
                }
            }
            var items: [JSONValue] = []
            while let item = try value(after: try next()) { items.append(item) }
            return .array(items)
        }

        /// YAML 1.2 core schema resolution of a plain scalar; anything quoted is a string.
        static func scalar(_ text: String, plain: Bool) -> JSONValue {
            guard plain else { return .string(text) }
            switch text {
            case "", "~", "null", "Null", "NULL": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
            if isJSONNumber(text) { return .number(text) }
            return .string(text)
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, the numbers JSON and YAML share.
        static func isJSONNumber(_ text: String) -> Bool {
            var bytes = text.utf8[...]
            if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            func digits() -> Int {
                let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
                bytes = bytes.dropFirst(count)
                return count
            }
            let whole = bytes
            let integerDigits = digits()
            guard integerDigits > 0, !(integerDigits > 1 && whole.first == UInt8(ascii: "0")) else { return false }
            if bytes.first == UInt8(ascii: ".") {
                bytes = bytes.dropFirst()
                guard digits() > 0 else { return false }
            }
            if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
                bytes = bytes.dropFirst()
                if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
                guard digits() > 0 else { return false }
            }
            return bytes.isEmpty
        }
    }
}
