import KVStore

/// Items as stored (`StoredItems`) to DynamoDB JSON, written straight from the stored bytes.
///
/// Each value is written exactly as `AttributeValueWire.writeValue` writes the decoded value
/// (only the order of map entries may differ, which JSON objects do not fix), without building
/// an `Item` dictionary per item first: for a page of items that was most of a Query's work.
enum StoredItemWire {
    /// `[{...}, ...]`: every item, in order.
    ///
    /// - Throws: when stored bytes are not a valid item.
    static func array(_ items: StoredItems) throws -> JSONValue {
        .raw(
            try StoredItemJSONWriter.bytes(capacity: capacity(items)) { writer in
                writer.out.append(UInt8(ascii: "["))
                var first = true
                try items.forEach { item in
                    if !first { writer.out.append(UInt8(ascii: ",")) }
                    first = false
                    try writer.write(item)
                }
                writer.out.append(UInt8(ascii: "]"))
            })
    }

    /// The first item (a single-item read holds one), or nil if there is none.
    static func item(_ items: StoredItems) throws -> JSONValue? {
        guard !items.isEmpty else { return nil }
        return .raw(
            try StoredItemJSONWriter.bytes(capacity: capacity(items)) { writer in
                try writer.writeFirst(items)
            })
    }

    /// `{"Item":{...}}` with the first item, or `{}` when there is none: the bytes `JSONWriter`
    /// writes for `.object(["Item": item(items)])` (or `.object([:])`), written in one buffer
    /// that becomes the response body as is (a GetItem answer without ConsumedCapacity).
    static func itemObject(_ items: StoredItems?) throws -> JSONValue {
        guard let items, !items.isEmpty else { return .raw(Array("{}".utf8)) }
        return .raw(
            try StoredItemJSONWriter.bytes(capacity: capacity(items) + 9) { writer in
                writer.out.append("{\"Item\":")
                try writer.writeFirst(items)
                writer.out.append(UInt8(ascii: "}"))
            })
    }

    /// JSON adds type tags, quotes and punctuation to the stored bytes: start about that big.
    private static func capacity(_ items: StoredItems) -> Int {
        items.byteCount + items.byteCount / 2 + 16
    }
}

/// Writes the parts `StoredItem.walk` reports as DynamoDB JSON.
struct StoredItemJSONWriter: StoredItemVisitor {
    let out: JSONOutput
    /// Set members are bare strings, not `{"S": ...}` objects; sets do not nest.
    private var inSet = false

    private init(out: JSONOutput) {
        self.out = out
    }

    /// The bytes `body` writes. They are written straight into the returned array while they
    /// fit `capacity` (a 100-item page's answer is about 25 KB, and a copy of it at the end cost
    /// 3% of the Query's instructions); only an answer that outgrows it is copied once more.
    static func bytes(capacity: Int, _ body: (inout StoredItemJSONWriter) throws -> Void) rethrows -> [UInt8] {
        var spilled: JSONOutput?
        let written = try [UInt8](unsafeUninitializedCapacity: max(capacity, 64)) { buffer, initialized in
            var writer = StoredItemJSONWriter(out: JSONOutput(borrowing: buffer))
            try body(&writer)
            if writer.out.isBorrowed {
                initialized = writer.out.count
            } else {
                spilled = writer.out
            }
        }
        return spilled?.bytes ?? written
    }

    /// Appends the first of `items` (there must be one) like `write`.
    mutating func writeFirst(_ items: StoredItems) throws {
        var found = false
        try items.forEach { item in
            guard !found else { return }
            found = true
            try write(item)
        }
    }

    /// Appends `{"name": value, ...}`.
    mutating func write(_ item: StoredItem) throws {
        out.append(UInt8(ascii: "{"))
        try item.walk(&self)
        out.append(UInt8(ascii: "}"))
    }

    // The walk calls these for every part of every item: inlined into it (with the copy of
    // plain text) rather than called, they cost a 100-item Query fewer instructions.
    @inline(__always)
    func name(_ text: StoredText, index: Int) {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        append(text)
        out.append(UInt8(ascii: ":"))
    }

    func element(index: Int) {
        if index > 0 { out.append(UInt8(ascii: ",")) }
    }

    @inline(__always)
    func scalar(_ value: StoredScalar) {
        switch value {
        case .string(let text):
            if !inSet { out.append("{\"S\":") }
            append(text)
        case .number(let number):
            // Number text is digits, '-' and '.': nothing to escape.
            out.append(inSet ? "\"" : "{\"N\":\"")
            out.commit(number.writeText(to: out.reserve(number.textLength)))
            out.append(UInt8(ascii: "\""))
        case .binary(let bytes):
            // Base64 text needs no escaping either.
            out.append(inSet ? "\"" : "{\"B\":\"")
            out.commit(Base64.encode(bytes, into: out.reserve(Base64.encodedCount(bytes.count))))
            out.append(UInt8(ascii: "\""))
        case .bool(let flag):
            out.append(flag ? "{\"BOOL\":true" : "{\"BOOL\":false")
        case .null:
            out.append("{\"NULL\":true")
        }
        if !inSet { out.append(UInt8(ascii: "}")) }
    }

    mutating func beginSet(_ type: ScalarType, count: Int) {
        switch type {
        case .string: out.append("{\"SS\":[")
        case .number: out.append("{\"NS\":[")
        case .binary: out.append("{\"BS\":[")
        }
        inSet = true
    }

    mutating func endSet() {
        inSet = false
        out.append("]}")
    }

    /// Plain text was found plain while being validated: copied without a second look.
    @inline(__always)
    private func append(_ text: StoredText) {
        if text.isPlain {
            out.appendPlainString(UnsafeRawBufferPointer(text.utf8))
        } else {
            out.appendString(utf8: UnsafeRawBufferPointer(text.utf8))
        }
    }

    func beginList(count: Int) { out.append("{\"L\":[") }
    func endList() { out.append("]}") }
    func beginMap(count: Int) { out.append("{\"M\":{") }
    func endMap() { out.append("}}") }
}
