public import Logging
import NIOHTTP1

/// `/admin/faults`: the fault rules in force, at run time.
/// - `GET` lists them: `{"faults": [...]}`;
/// - `PUT` or `POST` with `{"faults": [...]}` replaces them (a bad rule changes nothing: 400
///   ValidationException naming it);
/// - `DELETE` clears them (injection off).
/// Every answer is the list in force. Authenticated and authorized like every request when
/// auth is on, as `dynamodb:GetFaults`, `dynamodb:PutFaults` and `dynamodb:DeleteFaults`.
public struct FaultsAdmin: Sendable {
    public static let prefix = "/admin/faults"

    let injector: FaultInjector
    let logger: Logger

    public init(injector: FaultInjector, logger: Logger) {
        self.injector = injector
        self.logger = logger
    }

    /// The REST route to add to the server's router.
    public var route: RESTRoute {
        RESTRoute(prefix: Self.prefix, operation: Self.operation) { request in self.handle(request) }
    }

    @Sendable static func operation(_ method: HTTPMethod, _ path: String) -> String {
        switch method {
        case .GET: "GetFaults"
        case .PUT, .POST: "PutFaults"
        case .DELETE: "DeleteFaults"
        default: "UnknownFaultsOperation"
        }
    }

    func handle(_ request: RESTRequest) -> APIResponse {
        guard request.path == Self.prefix || request.path == Self.prefix + "/" else {
            return Self.error("UnknownOperationException", status: 404, "Unknown operation")
        }
        switch request.method {
        case .GET:
            break
        case .PUT, .POST:
            do {
                let rules = try FaultRule.parseDocument(request.body)
                injector.replace(with: rules)
                logger.info("faults.replaced", metadata: ["faults.rules": "\(rules.count)", "faults.source": "admin"])
            } catch {
                return Self.error("ValidationException", status: 400, error.message)
            }
        case .DELETE:
            injector.replace(with: [])
            logger.info("faults.cleared", metadata: ["faults.source": "admin"])
        default:
            return Self.error("UnknownOperationException", status: 404, "Unknown operation")
        }
        return APIResponse(
            status: 200, contentType: APIRequestProcessor.plainJSON,
            body: JSONWriter.encode(FaultRule.document(injector.rules)))
    }

    static func error(_ type: String, status: Int, _ message: String) -> APIResponse {
        APIResponse(
            status: status, contentType: APIRequestProcessor.plainJSON,
            body: JSONWriter.encode(.object(["__type": .string(type), "message": .string(message)])),
            extraHeaders: [("x-amzn-ErrorType", type)])
    }
}

extension FaultInjector {
    /// Loads a `--faults` file into force; on a file that cannot be read or used, keeps the rules
    /// in force and logs why.
    public func reload(from path: String, logger: Logger) {
        do {
            let rules = try Self.load(path)
            replace(with: rules)
            logger.info("faults.reloaded", metadata: ["faults.file": "\(path)", "faults.rules": "\(rules.count)"])
        } catch {
            logger.error(
                "faults.reload_failed: previous rules kept", metadata: ["faults.file": "\(path)", "faults.error": "\(error.message)"])
        }
    }

    /// Reads and checks a `--faults` file.
    public static func load(_ path: String) throws(FaultRuleError) -> [FaultRule] {
        guard let bytes = AuthFileReloader.readFile(path) else { throw FaultRuleError("cannot read \(path)") }
        return try FaultRule.parseDocument(bytes)
    }
}
