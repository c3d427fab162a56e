/// One file of the web console, compiled into the binary.
///
/// The text is a `StaticString` (read-only data of the executable): nothing is allocated or
/// read until a browser asks for the file, so the console adds nothing to start-up or to the
/// memory of a server nobody opens it on. `ConsoleAssetFiles.swift` holds the files; it is
/// generated from `Web/` by `Scripts/console-assets.py`.
struct ConsoleAsset: Sendable {
    /// The path under `/console/`, e.g. `app.js`.
    var name: String
    var contentType: String
    /// A strong validator of the text (a digest computed by the generator), quoted.
    var etag: String
    var text: StaticString

    /// The text as bytes for a response body (one copy per request).
    var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// The media type of a file name, by extension.
    static func contentType(forName name: String) -> String {
        if name.hasSuffix(".html") { return "text/html; charset=utf-8" }
        if name.hasSuffix(".js") { return "text/javascript; charset=utf-8" }
        if name.hasSuffix(".css") { return "text/css; charset=utf-8" }
        if name.hasSuffix(".svg") { return "image/svg+xml" }
        if name.hasSuffix(".json") { return "application/json" }
        return "application/octet-stream"
    }
}
