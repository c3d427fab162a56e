/// A growable byte buffer written through a pointer, for writers that append many small pieces
/// (a page of items is thousands of them): no uniqueness or capacity checks of an `Array` per piece.
final class JSONOutput {
    private var storage: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int
    /// The storage is the caller's (`init(borrowing:)`) until the output outgrows it.
    private(set) var isBorrowed = false

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        storage = .allocate(capacity: self.capacity)
    }

    /// Writes into `buffer`, which the caller owns and keeps alive while this output is used,
    /// until it is full; then into storage of its own (`isBorrowed` turns false), as a copy.
    init(borrowing buffer: UnsafeMutableBufferPointer<UInt8>) {
        if let base = buffer.baseAddress, buffer.count >= 64 {
            storage = base
            capacity = buffer.count
            isBorrowed = true
        } else {
            capacity = 64
            storage = .allocate(capacity: capacity)
        }
    }

    deinit {
        if !isBorrowed { storage.deallocate() }
    }

    /// The bytes written so far.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: storage, count: count)) }

    /// Makes room for `extra` more bytes and returns where they go; `commit` then counts them.
    @inline(__always)
    func reserve(_ extra: Int) -> UnsafeMutablePointer<UInt8> {
        if extra > capacity - count { grow(toFit: extra) }
        return storage + count
    }

    @inline(__always)
    func commit(_ written: Int) {
        count += written
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1).initialize(to: byte)
        count += 1
    }

    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count).initialize(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        count += bytes.count
    }

    /// Short literals (type tags, brackets): inlined, a copy of known length becomes a few stores.
    @inline(__always)
    func append(_ text: StaticString) {
        let length = text.utf8CodeUnitCount
        reserve(length).initialize(from: text.utf8Start, count: length)
        count += length
    }

    /// Appends text known to need no escaping (printable ASCII without `"` or `\\`), quoted.
    @inline(__always)
    func appendPlainString(_ utf8: UnsafeRawBufferPointer) {
        let length = utf8.count
        let target = reserve(length + 2)
        target.initialize(to: UInt8(ascii: "\""))
        if let base = utf8.baseAddress {
            (target + 1).initialize(from: base.assumingMemoryBound(to: UInt8.self), count: length)
        }
        (target + 1 + length).initialize(to: UInt8(ascii: "\""))
        count += length + 2
    }

    /// Appends UTF-8 text as a quoted JSON string, escaped as `JSONEscaping` says.
    func appendString(utf8: UnsafeRawBufferPointer) {
        let length = utf8.count
        var runStart = 0
        var next = JSONEscaping.nextEscape(in: utf8, from: 0)
        guard next < length else {
            appendPlainString(utf8)
            return
        }
        append(UInt8(ascii: "\""))
        while next < length {
            if next > runStart { append(UnsafeRawBufferPointer(rebasing: utf8[runStart..<next])) }
            JSONEscaping.sequence(for: utf8[next]).withUnsafeBytes { append($0) }
            runStart = next + 1
            next = JSONEscaping.nextEscape(in: utf8, from: runStart)
        }
        if length > runStart { append(UnsafeRawBufferPointer(rebasing: utf8[runStart..<length])) }
        append(UInt8(ascii: "\""))
    }

    private func grow(toFit extra: Int) {
        let (needed, overflow) = count.addingReportingOverflow(extra)
        precondition(!overflow, "JSON output beyond the address space")
        let newCapacity = max(needed, capacity * 2)
        let newStorage = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newStorage.moveInitialize(from: storage, count: count)
        if !isBorrowed { storage.deallocate() }
        isBorrowed = false
        storage = newStorage
        capacity = newCapacity
    }
}
