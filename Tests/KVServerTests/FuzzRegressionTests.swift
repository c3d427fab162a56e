import Foundation
import KVFuzzTargets
import Testing

/// The fuzz targets' seed and regression corpora (`Fuzz/Corpus/TARGET`, `Fuzz/Regressions/TARGET`)
/// run as ordinary tests, through the same target bodies libFuzzer runs (`Scripts/fuzz.sh`): an
/// input that once crashed the server stays fixed. A target traps on failure, so a regression
/// shows as this test process crashing with the target's message.
@Suite("Fuzz corpora as regression tests")
struct FuzzRegressionTests {
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static func inputs(_ target: String) throws -> [URL] {
        var files: [URL] = []
        for folder in ["Corpus", "Regressions"] {
            let directory = fuzzDirectory.appendingPathComponent(folder).appendingPathComponent(target)
            guard FileManager.default.fileExists(atPath: directory.path) else { continue }
            files += try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { !$0.lastPathComponent.hasPrefix(".") }
        }
        return files.sorted { $0.path < $1.path }
    }

    @Test(arguments: FuzzTargets.names)
    func everyCorpusInputRunsCleanly(target: String) throws {
        let files = try Self.inputs(target)
        #expect(!files.isEmpty, "no seed corpus for \(target)")
        for file in files {
            FuzzTargets.run(target, Array(try Data(contentsOf: file)))
        }
    }
}
