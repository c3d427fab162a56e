extension ItemCodec {
    /// Walks an encoded item, calling `visitor` for each part, with every check `decode` makes:
    /// bytes that `decode` rejects throw here too (possibly after some calls to the visitor).
    ///
    /// Inlinable (with the walker, reader and validation it uses) so that a visitor in another
    /// module (the server's JSON writer) gets a walk specialized for it, its calls inlined: the
    /// generic walk called each part through the witness table, about a third of a 100-item
    /// Query's instructions went to walking (Scripts/bench/callgrind_reads.py).
    @inlinable
    static func walk(_ bytes: UnsafeBufferPointer<UInt8>, _ visitor: inout some StoredItemVisitor) throws(DecodingError) {
        var walker = Walker(reader: Reader(bytes))
        let version = try walker.reader.byte()
        guard version == formatVersion else {
            throw walker.reader.error("unknown item format version \(version)")
        }
        try walker.entries(try walker.reader.count(minimumSize: 2), depth: 0, &visitor)
        guard walker.reader.isAtEnd else {
            throw walker.reader.error("trailing bytes after the item")
        }
    }

    /// The decoder's grammar, reporting parts instead of building values.
    @usableFromInline
    struct Walker {
        @usableFromInline var reader: Reader

        @inlinable
        init(reader: Reader) {
            self.reader = reader
        }

        /// Maps up to this size look for a repeated name by comparing each with the earlier
        /// ones; larger maps sort their names first, so a corrupt count cannot make this quadratic.
        @inlinable
        static var pairwiseLimit: Int { 16 }

        /// The `count` entries of a map at `depth`.
        @inlinable
        mutating func entries(_ count: Int, depth: Int, _ visitor: inout some StoredItemVisitor) throws(DecodingError) {
            guard count > 1 else {
                if count == 1 { try entry(0, depth: depth, &visitor) }
                return
            }
            try withUnsafeTemporaryAllocation(of: UnsafeBufferPointer<UInt8>.self, capacity: count) {
                names throws(DecodingError) in
                for index in 0..<count {
                    let start = reader.offset
                    let name = try entry(index, depth: depth, &visitor)
                    if count <= Self.pairwiseLimit {
                        for earlier in 0..<index where Self.equal(names[earlier], name) {
                            throw DecodingError(reason: "duplicate map entry", offset: start)
                        }
                    }
                    names.initializeElement(at: index, to: name)
                }
                if count > Self.pairwiseLimit {
                    var sorted = names
                    sorted.sort(by: Self.precedes)
                    for index in 1..<count where Self.equal(sorted[index - 1], sorted[index]) {
                        throw reader.error("duplicate map entry")
                    }
                }
            }
        }

        /// One name and its value; returns the name.
        @inlinable
        @discardableResult
        mutating func entry(_ index: Int, depth: Int, _ visitor: inout some StoredItemVisitor) throws(DecodingError)
            -> UnsafeBufferPointer<UInt8>
        {
            let name = try text()
            visitor.name(name, index: index)
            try value(depth: depth, &visitor)
            return name.utf8
        }

        /// A tagged value inside a container at `depth`.
        @inlinable
        mutating func value(depth: Int, _ visitor: inout some StoredItemVisitor) throws(DecodingError) {
            let tag = try reader.byte()
            switch tag {
            case Tag.string: visitor.scalar(.string(try text()))
            case Tag.number: visitor.scalar(.number(try reader.number()))
            case Tag.binary: visitor.scalar(.binary(try reader.lengthPrefixed()))
            case Tag.boolFalse: visitor.scalar(.bool(false))
            case Tag.boolTrue: visitor.scalar(.bool(true))
            case Tag.null: visitor.scalar(.null)
            case Tag.stringSet:
                let count = try reader.count(minimumSize: 1)
                visitor.beginSet(.string, count: count)
                for index in 0..<count {
                    visitor.element(index: index)
                    visitor.scalar(.string(try text()))
                }
                visitor.endSet()
            case Tag.numberSet:
                let count = try reader.count(minimumSize: 1)
                visitor.beginSet(.number, count: count)
                for index in 0..<count {
                    visitor.element(index: index)
                    visitor.scalar(.number(try reader.number()))
                }
                visitor.endSet()
            case Tag.binarySet:
                let count = try reader.count(minimumSize: 1)
                visitor.beginSet(.binary, count: count)
                for index in 0..<count {
                    visitor.element(index: index)
                    visitor.scalar(.binary(try reader.lengthPrefixed()))
                }
                visitor.endSet()
            case Tag.list:
                try reader.checkDepth(depth + 1)
                let count = try reader.count(minimumSize: 1)
                visitor.beginList(count: count)
                for index in 0..<count {
                    visitor.element(index: index)
                    try value(depth: depth + 1, &visitor)
                }
                visitor.endList()
            case Tag.map:
                try reader.checkDepth(depth + 1)
                let count = try reader.count(minimumSize: 2)
                visitor.beginMap(count: count)
                try entries(count, depth: depth + 1, &visitor)
                visitor.endMap()
            default:
                reader.offset -= 1
                throw reader.error("unknown type tag \(tag)")
            }
        }

        /// Length-prefixed UTF-8, checked like the decoder checks it.
        @inlinable
        mutating func text() throws(DecodingError) -> StoredText {
            let start = reader.offset
            let utf8 = try reader.lengthPrefixed()
            switch UTF8Validation.check(utf8) {
            case .plain: return StoredText(utf8: utf8, isPlain: true)
            case .valid: return StoredText(utf8: utf8, isPlain: false)
            case .invalid: throw DecodingError(reason: "invalid UTF-8", offset: start)
            }
        }

        @inlinable
        static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
            a.count == b.count && a.elementsEqual(b)
        }

        @usableFromInline
        static func precedes(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
            a.count != b.count ? a.count < b.count : a.lexicographicallyPrecedes(b)
        }
    }
}
