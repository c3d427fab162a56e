import CZstd

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A zstd-compressed input file of ImportTable (`InputCompressionType` ZSTD), decompressed as it
/// is read with libzstd's streaming API (frames one after another, as `zstd` writes them).
/// See https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ImportTable.html
final class ZstdInputFile: ByteSource {
    private var file: UnsafeMutablePointer<FILE>?
    private let stream: OpaquePointer
    private var input: [UInt8] = []
    private var inputPosition = 0
    /// False in the middle of a frame: the file must not end there.
    private var frameComplete = true

    init(path: String) throws {
        guard let file = fopen(path, "rb") else { throw KVError.internalError("Cannot open input file") }
        guard let stream = ZSTD_createDStream() else {
            fclose(file)
            throw KVError.internalError("Cannot start zstd decompression")
        }
        ZSTD_initDStream(stream)
        self.file = file
        self.stream = stream
    }

    deinit {
        if let file { fclose(file) }
        ZSTD_freeDStream(stream)
    }

    func read(upTo count: Int) throws -> [UInt8] {
        guard let file, count > 0 else { return [] }
        var output = [UInt8](repeating: 0, count: count)
        var produced = 0
        while produced == 0 {
            if inputPosition == input.count {
                input = [UInt8](repeating: 0, count: ZSTD_DStreamInSize())
                let read = input.withUnsafeMutableBytes { raw in fread(raw.baseAddress, 1, raw.count, file) }
                input.removeSubrange(read...)
                inputPosition = 0
                if input.isEmpty {
                    guard frameComplete else { throw KVError.validation("A zstd input file ends in the middle of a frame") }
                    return []
                }
            }
            let (result, consumed, written) = input.withUnsafeBytes { source in
                output.withUnsafeMutableBytes { destination in
                    var inBuffer = ZSTD_inBuffer(src: source.baseAddress, size: source.count, pos: inputPosition)
                    var outBuffer = ZSTD_outBuffer(dst: destination.baseAddress, size: destination.count, pos: 0)
                    let result = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
                    return (result, inBuffer.pos, outBuffer.pos)
                }
            }
            guard ZSTD_isError(result) == 0 else { throw KVError.validation("Cannot decompress a zstd input file") }
            frameComplete = result == 0
            inputPosition = consumed
            produced = written
        }
        output.removeSubrange(produced...)
        return output
    }
}
