import Synchronization

/// The SHA-256 states after absorbing the first blocks of a message, one 64-byte block each
/// from a given state, remembered for the last message seen. The verifier's messages begin
/// alike from request to request: the canonical request's first block is the method, path,
/// query and the first signed headers (`content-type`, `host`), its second the rest of `host`,
/// the request time (to the second) and the start of `x-amz-target`; the string to sign's
/// first block is the algorithm, the request time and the credential scope. Compressing a
/// block is most of what hashing costs, so a repeated block is looked up (a 96-byte
/// comparison) instead.
///
/// Keyed by the whole block and the whole starting state, of which the result is a pure
/// function: a hit gives exactly the state compressing would, whatever the request. One entry
/// per block position (`blocks` of them), so that a second block that differs (another
/// operation, another second) does not push out a first block that repeats.
final class SHA256BlockMemo: Sendable {
    /// 64 bytes held inline.
    struct Block {
        var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    }

    typealias State = (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)

    private struct Entry {
        var block: Block
        var start: State
        var state: State
    }

    /// How many leading blocks of a message are looked up (1 or 2).
    let blocks: Int
    private let first = Mutex<Entry?>(nil)
    private let second = Mutex<Entry?>(nil)

    /// - Parameter blocks: how many leading blocks to remember, 1 or 2.
    init(blocks: Int = 1) {
        self.blocks = min(max(blocks, 1), 2)
    }

    /// The state after `block` from `start`, if it is the one remembered for `position` (0-based).
    func state(after block: Block, from start: State, position: Int = 0) -> State? {
        // Compared under the lock: copying the entry out would cost as much as the comparison.
        if position == 0 {
            return first.withLock { last in
                guard let entry = last, Self.equal(entry.block, block), Self.equal(entry.start, start) else { return nil }
                return entry.state
            }
        }
        return second.withLock { last in
            guard let entry = last, Self.equal(entry.block, block), Self.equal(entry.start, start) else { return nil }
            return entry.state
        }
    }

    func remember(_ block: Block, from start: State, state: State, position: Int = 0) {
        let entry = Entry(block: block, start: start, state: state)
        if position == 0 { first.withLock { $0 = entry } } else { second.withLock { $0 = entry } }
    }

    /// Word by word, without `memcmp` (a call per comparison cost more than the words).
    private static func equal(_ a: Block, _ b: Block) -> Bool {
        let x = a.words
        let y = b.words
        return (x.0 ^ y.0) | (x.1 ^ y.1) | (x.2 ^ y.2) | (x.3 ^ y.3) | (x.4 ^ y.4) | (x.5 ^ y.5) | (x.6 ^ y.6)
            | (x.7 ^ y.7) == 0
    }

    private static func equal(_ a: State, _ b: State) -> Bool {
        (a.0 ^ b.0) | (a.1 ^ b.1) | (a.2 ^ b.2) | (a.3 ^ b.3) | (a.4 ^ b.4) | (a.5 ^ b.5) | (a.6 ^ b.6) | (a.7 ^ b.7)
            == 0
    }
}

/// A SHA-256 stream fed through a buffer (the caller's, on the stack): the canonical request
/// and the string to sign are written in dozens of pieces of a few bytes, which are copied here
/// and hashed in one go. Their first blocks (as many as the memo keeps) go through a
/// `SHA256BlockMemo`.
struct StagedSHA256Stream: SHA256Sink {
    var stream: SHA256Stream
    /// Unmanaged: the verifier holds the memo (its signing-key cache) for as long as the stream
    /// lives, within one call; a strong reference cost a retain and a release per copy, and an
    /// `unowned(unsafe)` one a pair per use.
    private let memo: Unmanaged<SHA256BlockMemo>?
    private let buffer: UnsafeMutableRawBufferPointer
    private var count = 0
    private var flushed = false

    /// - Parameter buffer: where bytes wait; must outlive the stream.
    init(_ stream: SHA256Stream, buffer: UnsafeMutableRawBufferPointer, memo: SHA256BlockMemo?) {
        self.stream = stream
        self.buffer = buffer
        self.memo = memo.map { Unmanaged.passUnretained($0) }
    }

    // Inlined into the writer's dozens of small writes per request (a call each cost more
    // than the copy).
    @inline(__always)
    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        if bytes.count > buffer.count &- count {
            flush()
            if bytes.count > buffer.count { return stream.write(bytes) }
        }
        if let source = bytes.baseAddress, let target = buffer.baseAddress {
            (target + count).copyMemory(from: source, byteCount: bytes.count)
            count &+= bytes.count
        }
    }

    @inline(__always)
    mutating func write(byte: UInt8) {
        if count == buffer.count { flush() }
        if count < buffer.count {
            buffer[count] = byte
            count &+= 1
        } else {
            stream.write(byte: byte)
        }
    }

    /// Hashes the bytes waiting; the message's first blocks through the memo.
    mutating func flush() {
        var staged = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
        if !flushed, let memo {
            memo._withUnsafeGuaranteedRef { memo in
                var position = 0
                while position < memo.blocks, staged.count >= 64 {
                    stream.absorbBlock(UnsafeRawBufferPointer(rebasing: staged[0..<64]), memo: memo, position: position)
                    staged = UnsafeRawBufferPointer(rebasing: staged[64...])
                    position &+= 1
                }
            }
        }
        stream.write(staged)
        flushed = true
        count = 0
    }

    /// The stream with every byte written (the HMAC's inner state, for the string to sign).
    consuming func finished() -> SHA256Stream {
        flush()
        return stream
    }

    consuming func digest() -> SHA256Value {
        flush()
        return stream.finalize()
    }
}

/// A byte sink that ends in a SHA-256 digest (the canonical request's, staged or not).
protocol SHA256Sink: SigV4ByteSink {
    consuming func digest() -> SHA256Value
}

extension SHA256Stream: SHA256Sink {
    consuming func digest() -> SHA256Value { finalize() }
}
