public import Logging
public import NIOSSL
import Synchronization

/// The server's TLS certificate and key, loaded from PEM files and reloaded on SIGHUP
/// (new connections use the new pair; open ones keep theirs). A reload that fails keeps the
/// pair in force and logs why.
public final class TLSContextStore: Sendable {
    public let certificatePath: String
    public let keyPath: String
    private let current: Mutex<NIOSSLContext>

    public init(certificatePath: String, keyPath: String) throws {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        current = Mutex(try Self.load(certificatePath: certificatePath, keyPath: keyPath))
    }

    public var context: NIOSSLContext { current.withLock { $0 } }

    public func reload(logger: Logger) {
        do {
            let context = try Self.load(certificatePath: certificatePath, keyPath: keyPath)
            current.withLock { $0 = context }
            logger.info("tls.reloaded", metadata: ["tls.certificate": "\(certificatePath)"])
        } catch {
            logger.error(
                "tls.reload_failed: previous certificate kept",
                metadata: ["tls.certificate": "\(certificatePath)", "tls.error": "\(error)"])
        }
    }

    static func load(certificatePath: String, keyPath: String) throws -> NIOSSLContext {
        let chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        let key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        return try NIOSSLContext(configuration: configuration)
    }
}
