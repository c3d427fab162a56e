import Foundation

/// The system's gzip, used for `.gz` exports and imports (no zlib binding needed).
enum Gzip {
    static func executable() throws -> URL {
        var candidates = ["/usr/bin/gzip", "/bin/gzip"]
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            candidates.append("\(directory)/gzip")
        }
        for path in candidates where FileManager.default.isExecutableFile(atPath: path) {
            return URL(fileURLWithPath: path)
        }
        throw CLIError("gzip not found on PATH; it is needed for .gz files")
    }

    /// Whether the file starts with gzip's magic bytes.
    static func isCompressed(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 2)) ?? Data()
        return head.count == 2 && head[head.startIndex] == 0x1F && head[head.startIndex + 1] == 0x8B
    }
}

/// Reads a text file line by line without loading it whole; gzip files are decompressed
/// through `gzip -dc`.
final class LineReader {
    private let handle: FileHandle
    private let process: Process?
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    let path: String

    init(path: String) throws {
        self.path = path
        guard FileManager.default.isReadableFile(atPath: path) else { throw CLIError("cannot read \(path)") }
        if Gzip.isCompressed(path) {
            let process = Process()
            process.executableURL = try Gzip.executable()
            process.arguments = ["-dc", "--", path]
            let pipe = Pipe()
            process.standardOutput = pipe
            do {
                try process.run()
            } catch {
                throw CLIError("cannot run gzip: \(error.localizedDescription)")
            }
            self.process = process
            handle = pipe.fileHandleForReading
        } else {
            guard let handle = FileHandle(forReadingAtPath: path) else { throw CLIError("cannot read \(path)") }
            self.handle = handle
            process = nil
        }
    }

    /// The next line without its newline, or nil at the end of the file.
    func next() throws -> [UInt8]? {
        while true {
            if let newline = buffer[position...].firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[position..<newline])
                position = newline + 1
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return line
            }
            if atEnd {
                guard position < buffer.count else { return nil }
                let line = Array(buffer[position...])
                position = buffer.count
                return line
            }
            let chunk = (try? handle.read(upToCount: 1 << 20)) ?? Data()
            if position > 0 {
                buffer.removeFirst(position)
                position = 0
            }
            if chunk.isEmpty {
                atEnd = true
                try finishProcess()
            } else {
                buffer.append(contentsOf: chunk)
            }
        }
    }

    private func finishProcess() throws {
        guard let process else { return }
        process.waitUntilExit()
        if process.terminationStatus != 0 { throw CLIError("gzip could not decompress \(path)") }
    }

    /// Counts the lines that are not blank (for progress totals).
    static func countLines(path: String) throws -> Int {
        let reader = try LineReader(path: path)
        var count = 0
        while let line = try reader.next() {
            if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { count += 1 }
        }
        return count
    }
}

/// Writes lines to a file (through `gzip -c` when compressing), atomically: the data goes to
/// a temporary file renamed over the target only by `commit()`. `-` writes to stdout.
final class LineWriter {
    private let target: String
    private let temporary: String?
    private let handle: FileHandle
    private let fileHandle: FileHandle?
    private let process: Process?
    private var pending: [UInt8] = []

    init(path: String, gzip: Bool) throws {
        target = path
        if path == "-" && !gzip {
            temporary = nil
            handle = FileHandle.standardOutput
            fileHandle = nil
            process = nil
            return
        }
        let temporaryPath = path == "-" ? nil : "\(path).tmp-\(ProcessInfo.processInfo.processIdentifier)"
        var output = FileHandle.standardOutput
        if let temporaryPath {
            guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
                let file = FileHandle(forWritingAtPath: temporaryPath)
            else { throw CLIError("cannot write \(path)") }
            output = file
            fileHandle = file
        } else {
            fileHandle = nil
        }
        temporary = temporaryPath
        if gzip {
            let process = Process()
            process.executableURL = try Gzip.executable()
            process.arguments = ["-c"]
            let pipe = Pipe()
            process.standardInput = pipe
            process.standardOutput = output
            try process.run()
            self.process = process
            handle = pipe.fileHandleForWriting
        } else {
            process = nil
            handle = output
        }
    }

    func write(line: [UInt8]) throws {
        pending.append(contentsOf: line)
        pending.append(UInt8(ascii: "\n"))
        if pending.count >= 1 << 16 { try flush() }
    }

    private func flush() throws {
        guard !pending.isEmpty else { return }
        do {
            try handle.write(contentsOf: pending)
        } catch {
            throw CLIError("cannot write \(target): \(error.localizedDescription)")
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Flushes, finishes gzip and moves the file into place.
    func commit() throws {
        try flush()
        if let process {
            try handle.close()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                abandon()
                throw CLIError("gzip failed while writing \(target)")
            }
        }
        try fileHandle?.synchronize()
        try fileHandle?.close()
        if let temporary {
            do {
                if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
                try FileManager.default.moveItem(atPath: temporary, toPath: target)
            } catch {
                throw CLIError("cannot move the export into \(target): \(error.localizedDescription)")
            }
        }
    }

    /// Removes the temporary file after a failure.
    func abandon() {
        if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
    }
}
