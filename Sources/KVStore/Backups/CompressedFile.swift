import CZlib

/// A file read or written through zlib's gzip stream API: what exports write (`.json.gz`) and
/// imports read. Reading is transparent: a file that is not gzip-compressed is read as is, so
/// InputCompressionType GZIP and NONE take the same path.
final class CompressedFile: ByteSource {
    private var file: gzFile?

    /// - Parameter mode: "rb" to read, "wb" to write gzip.
    init(path: String, mode: String) throws {
        guard let file = gzopen(path, mode) else {
            throw KVError.internalError("Cannot open \(mode.hasPrefix("r") ? "input" : "output") file")
        }
        self.file = file
    }

    deinit {
        if let file { gzclose(file) }
    }

    func write(_ bytes: [UInt8]) throws {
        guard let file, !bytes.isEmpty else { return }
        let written = bytes.withUnsafeBytes { raw in gzwrite(file, raw.baseAddress, UInt32(raw.count)) }
        guard written == Int32(bytes.count) else { throw KVError.internalError("Cannot write export file") }
    }

    /// Reads up to `count` bytes; an empty result is the end of the file.
    func read(upTo count: Int) throws -> [UInt8] {
        guard let file else { return [] }
        var buffer = [UInt8](repeating: 0, count: count)
        let read = buffer.withUnsafeMutableBytes { raw in gzread(file, raw.baseAddress, UInt32(raw.count)) }
        guard read >= 0 else { throw KVError.validation("Cannot decompress the input file") }
        buffer.removeSubrange(Int(read)...)
        return buffer
    }

    func close() throws {
        guard let file else { return }
        self.file = nil
        guard gzclose(file) == Z_OK else { throw KVError.internalError("Cannot finish export file") }
    }
}

/// A file read in chunks, whatever its compression (`CompressedFile`, `ZstdInputFile`).
protocol ByteSource: AnyObject {
    /// Reads up to `count` bytes; an empty result is the end of the file.
    func read(upTo count: Int) throws -> [UInt8]
}

extension ByteSource {
    /// Calls `body` with each line (without its newline) of the file.
    func forEachLine(_ body: ([UInt8]) throws -> Void) throws {
        var pending: [UInt8] = []
        while true {
            let chunk = try read(upTo: 1 << 16)
            if chunk.isEmpty { break }
            var start = chunk.startIndex
            while let newline = chunk[start...].firstIndex(of: 0x0A) {
                pending += chunk[start..<newline]
                try body(pending)
                pending.removeAll(keepingCapacity: true)
                start = newline + 1
            }
            pending += chunk[start...]
        }
        if !pending.isEmpty { try body(pending) }
    }

    /// The whole (decompressed) file, at most `limit` bytes.
    func readAll(limit: Int) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while true {
            let chunk = try read(upTo: 1 << 16)
            if chunk.isEmpty { return bytes }
            bytes += chunk
            guard bytes.count <= limit else { throw KVError.validation("An input file is too large") }
        }
    }
}
