#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The items of a snapshot (an on-demand backup, or a point-in-time restore on its way into
/// the new table), one file per snapshot.
///
/// On-disk format (never change silently): a sequence of records, each a 4-byte little-endian
/// length `n`, a 4-byte little-endian DynamoDB item size, then `n` bytes of `ItemCodec`. The
/// file is written under a `.partial` name and renamed once complete, so a file with the final
/// name is whole.
enum SnapshotFile {
    /// Writes records to `<path>.partial`; `finish()` renames it to `path`.
    final class Writer {
        let path: String
        private var file: UnsafeMutablePointer<FILE>?
        private(set) var itemCount: Int64 = 0
        private(set) var sizeBytes: Int64 = 0

        init(path: String) throws {
            self.path = path
            guard let file = fopen(path + ".partial", "wb") else {
                throw KVError.internalError("Cannot write backup file")
            }
            self.file = file
        }

        deinit {
            if let file {
                fclose(file)
                unlink(path + ".partial")
            }
        }

        func append(encoded: [UInt8], size: Int) throws {
            guard let file else { throw KVError.internalError("Backup file already closed") }
            var header = [UInt8](repeating: 0, count: 8)
            Self.put(UInt32(truncatingIfNeeded: encoded.count), into: &header, at: 0)
            Self.put(UInt32(truncatingIfNeeded: size), into: &header, at: 4)
            guard fwrite(header, 1, 8, file) == 8, fwrite(encoded, 1, encoded.count, file) == encoded.count else {
                throw KVError.internalError("Cannot write backup file")
            }
            itemCount += 1
            sizeBytes += Int64(size)
        }

        /// Flushes, syncs and renames the file to its final name.
        func finish() throws {
            guard let file else { return }
            self.file = nil
            let flushed = fflush(file) == 0 && fsync(fileno(file)) == 0
            fclose(file)
            guard flushed, rename(path + ".partial", path) == 0 else {
                unlink(path + ".partial")
                throw KVError.internalError("Cannot write backup file")
            }
        }

        private static func put(_ value: UInt32, into bytes: inout [UInt8], at offset: Int) {
            for shift in 0..<4 {
                bytes[offset + shift] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(shift)))
            }
        }
    }

    /// Reads records in order.
    final class Reader {
        private let file: UnsafeMutablePointer<FILE>

        init(path: String) throws {
            guard let file = fopen(path, "rb") else {
                throw KVError.internalError("Cannot read backup file")
            }
            self.file = file
        }

        deinit { fclose(file) }

        /// The next record's item bytes and size, or nil at the end of the file.
        func next() throws -> (encoded: [UInt8], size: Int)? {
            var header = [UInt8](repeating: 0, count: 8)
            let read = fread(&header, 1, 8, file)
            if read == 0 { return nil }
            guard read == 8 else { throw KVError.internalError("Backup file is truncated") }
            let length = Int(Self.get(header, at: 0))
            let size = Int(Self.get(header, at: 4))
            var encoded = [UInt8](repeating: 0, count: length)
            guard length == 0 || fread(&encoded, 1, length, file) == length else {
                throw KVError.internalError("Backup file is truncated")
            }
            return (encoded, size)
        }

        private static func get(_ bytes: [UInt8], at offset: Int) -> UInt32 {
            var value: UInt32 = 0
            for shift in 0..<4 {
                value |= UInt32(bytes[offset + shift]) << (8 * UInt32(shift))
            }
            return value
        }
    }
}
