#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import KVStore
import NIOHTTP1

/// Lambda's event source mapping operations, served on the DynamoDB port so that
/// `aws lambda ... --endpoint-url` and boto3's `lambda` client manage triggers:
/// - `POST /2015-03-31/event-source-mappings/` CreateEventSourceMapping (202)
/// - `GET /2015-03-31/event-source-mappings/` ListEventSourceMappings (`FunctionName`, `EventSourceArn`, `Marker`, `MaxItems`)
/// - `GET|PUT|DELETE /2015-03-31/event-source-mappings/{UUID}` Get (200) / Update (202) / Delete (202)
/// See https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
///
/// Errors are Lambda's REST errors: the type in `x-amzn-ErrorType`, `{"Type": "User", "message": ...}`.
/// A command target can never be set here (that would let any API caller run programs on the host).
public struct LambdaControlPlane: Sendable {
    public static let prefix = "/2015-03-31/event-source-mappings"

    let engine: KVEngine
    let runner: TriggerRunner

    public init(engine: KVEngine, runner: TriggerRunner) {
        self.engine = engine
        self.runner = runner
    }

    /// The REST route to add to the server's router.
    public var route: RESTRoute {
        RESTRoute(prefix: Self.prefix, service: "lambda", authorization: Self.authorization) { request in
            await self.handle(request)
        }
    }

    /// What IAM checks: `lambda:CreateEventSourceMapping` and `lambda:ListEventSourceMappings`
    /// on `*`, the others on the mapping's ARN (`event-source-mapping:UUID`), as Lambda's
    /// Service Authorization Reference lists them.
    /// See https://docs.aws.amazon.com/service-authorization/latest/reference/list_awslambda.html
    @Sendable static func authorization(_ method: HTTPMethod, _ path: String) -> RESTAuthorization {
        let id = path.utf8.count > prefix.utf8.count + 1 ? String(path.dropFirst(prefix.count + 1)) : nil
        let mapping = id.map { "event-source-mapping:" + $0 }
        switch (method, id != nil) {
        case (.POST, false): return RESTAuthorization(action: "CreateEventSourceMapping")
        case (.GET, false): return RESTAuthorization(action: "ListEventSourceMappings")
        case (.GET, true): return RESTAuthorization(action: "GetEventSourceMapping", resource: mapping)
        case (.PUT, true): return RESTAuthorization(action: "UpdateEventSourceMapping", resource: mapping)
        case (.DELETE, true): return RESTAuthorization(action: "DeleteEventSourceMapping", resource: mapping)
        default: return RESTAuthorization(action: "UnknownEventSourceMappingOperation")
        }
    }

    func handle(_ request: RESTRequest) async -> APIResponse {
        do {
            let rest = request.path.dropFirst(Self.prefix.count)
            let uuid = rest.hasPrefix("/") ? String(rest.dropFirst()) : String(rest)
            await refreshShared()
            switch (request.method, uuid.isEmpty) {
            case (.POST, true): return try await create(request)
            case (.GET, true): return try list(request)
            case (.GET, false): return try get(uuid, request)
            case (.PUT, false): return try await update(uuid, request)
            case (.DELETE, false): return try await delete(uuid, request)
            default:
                return Self.error(MappingError(type: "UnknownOperationException", status: 404, message: "Unknown operation"))
            }
        } catch let error as MappingError {
            return Self.error(error)
        } catch let error as KVError where error.code == .validation {
            // The storage refusing a request (a backend without stream triggers): the client's
            // 400 with its reason, not an internal error.
            return Self.error(MappingError.invalid(error.message))
        } catch {
            return Self.error(MappingError(type: "ServiceException", status: 500, message: "The service encountered an internal error."))
        }
    }

    /// Over a shared database (several kvservers), the mappings as stored: one made, changed or
    /// deleted through another node since the runner's last re-read is answered as it is now. A
    /// failed re-read leaves the runner's copy (at most its `reloadInterval` old).
    func refreshShared() async {
        guard engine.catalogIsShared else { return }
        try? await runner.reload()
    }

    func body(_ request: RESTRequest) throws(MappingError) -> [String: JSONValue] {
        if request.body.isEmpty { return [:] }
        guard let value = try? JSONParser.parse(request.body), case .object(let fields) = value else {
            throw .invalid("The request body is not a JSON object.")
        }
        return fields
    }

    func create(_ request: RESTRequest) async throws -> APIResponse {
        let fields = try body(request)
        if fields["Command"] != nil {
            throw MappingError.invalid("Command targets can only be configured in the triggers file (kvserver --triggers).")
        }
        guard case .string = fields["FunctionName"] else { throw MappingError.invalid("FunctionName is required.") }
        let uuid = UUID().uuidString.lowercased()
        if engine.catalogIsShared,
            (try? Self.newMapping(fields, engine: engine, region: request.context.region, origin: .api, uuid: uuid)) == nil
        {
            // The table (or its stream) may have been made through another node: re-read the catalog once.
            await engine.refreshCatalog()
        }
        let mapping = try Self.newMapping(fields, engine: engine, region: request.context.region, origin: .api, uuid: uuid)
        if let existing = runner.mappings.first(where: {
            $0.eventSourceArn == mapping.eventSourceArn && $0.functionName == mapping.functionName
        }) {
            throw MappingError(
                type: "ResourceConflictException", status: 409,
                message:
                    "The event source arn (\" \(mapping.eventSourceArn) \") and function (\" \(mapping.functionName) \") provided mapping already exists. Please update or delete the existing mapping with UUID \(existing.uuid)"
            )
        }
        try await runner.put(mapping)
        return Self.json(202, configuration(mapping, region: request.context.region, state: mapping.enabled ? "Creating" : "Disabled"))
    }

    /// A new mapping from a Create request or a triggers-file entry; the stream must exist.
    static func newMapping(
        _ fields: [String: JSONValue], engine: KVEngine, region: String, origin: EventSourceMapping.Origin, uuid: String
    ) throws(MappingError) -> EventSourceMapping {
        guard let stream = try MappingRequest.stream(fields, engine: engine, region: region) else {
            throw .invalid("The table has no stream; enable one with StreamSpecification first.")
        }
        guard engine.listStreams(tableName: stream.table).contains(where: { $0.stream.label == stream.label }) else {
            throw .invalid("Stream not found: \(stream.arn)")
        }
        var mapping = EventSourceMapping(
            uuid: uuid, eventSourceArn: stream.arn, tableName: stream.table, streamLabel: stream.label, functionName: "",
            startingPosition: try MappingRequest.startingPosition(fields), origin: origin, lastModified: engine.currentTime)
        try MappingRequest.apply(fields, to: &mapping)
        return mapping
    }

    func list(_ request: RESTRequest) throws -> APIResponse {
        var mappings = runner.mappings
        if let function = request.query["FunctionName"] {
            mappings = mappings.filter {
                $0.functionName == function || TriggerDelivery.functionName($0.functionName) == TriggerDelivery.functionName(function)
            }
        }
        if let arn = request.query["EventSourceArn"] { mappings = mappings.filter { $0.eventSourceArn == arn } }
        let start = request.query["Marker"].flatMap { marker in mappings.firstIndex { $0.uuid > marker } } ?? (request.query["Marker"] == nil ? 0 : mappings.count)
        var limit = 100
        if let text = request.query["MaxItems"] {
            guard let value = Int(text), (1...10_000).contains(value) else {
                throw MappingError.invalid("MaxItems must be between 1 and 10000.")
            }
            limit = value
        }
        let page = Array(mappings[start...].prefix(limit))
        var output: [String: JSONValue] = [
            "EventSourceMappings": .array(page.map { configuration($0, region: request.context.region, state: nil) })
        ]
        if start + page.count < mappings.count, let last = page.last { output["NextMarker"] = .string(last.uuid) }
        return Self.json(200, .object(output))
    }

    func get(_ uuid: String, _ request: RESTRequest) throws -> APIResponse {
        guard let mapping = runner.mapping(uuid: uuid) else { throw MappingError.notFound }
        return Self.json(200, configuration(mapping, region: request.context.region, state: nil))
    }

    func update(_ uuid: String, _ request: RESTRequest) async throws -> APIResponse {
        guard var mapping = runner.mapping(uuid: uuid) else { throw MappingError.notFound }
        let fields = try body(request)
        if let unknown = fields.keys.first(where: { !MappingRequest.updatable.contains($0) }) {
            throw MappingError.invalid("\(unknown) cannot be changed by UpdateEventSourceMapping.")
        }
        try MappingRequest.apply(fields, to: &mapping)
        mapping.lastModified = engine.currentTime
        try await runner.put(mapping)
        return Self.json(202, configuration(mapping, region: request.context.region, state: mapping.enabled ? "Updating" : "Disabling"))
    }

    func delete(_ uuid: String, _ request: RESTRequest) async throws -> APIResponse {
        guard let mapping = runner.mapping(uuid: uuid) else { throw MappingError.notFound }
        try await runner.remove(uuid: uuid)
        return Self.json(202, configuration(mapping, region: request.context.region, state: "Deleting"))
    }

    /// `EventSourceMappingConfiguration`, plus this server's delivery figures
    /// (`IteratorAgeSeconds`, `DeliveredRecordCount`, `FailedInvocationCount`, `DiscardedRecordCount`).
    func configuration(_ mapping: EventSourceMapping, region: String, state: String?) -> JSONValue {
        let status = runner.status(uuid: mapping.uuid)
        let functionArn = mapping.command.map { "command:" + $0.joined(separator: " ") }
            ?? (TriggerDelivery.isURL(mapping.functionName) || mapping.functionName.hasPrefix("arn:")
                ? mapping.functionName
                : "arn:aws:lambda:\(region):\(TableName.accountID):function:\(mapping.functionName)")
        var fields: [String: JSONValue] = [
            "UUID": .string(mapping.uuid),
            "EventSourceMappingArn": .string("arn:aws:lambda:\(region):\(TableName.accountID):event-source-mapping:\(mapping.uuid)"),
            "StartingPosition": .string(mapping.startingPosition.rawValue),
            "BatchSize": .number(String(mapping.batchSize)),
            "MaximumBatchingWindowInSeconds": .number(String(mapping.maximumBatchingWindowInSeconds)),
            "ParallelizationFactor": .number(String(mapping.parallelizationFactor)),
            "EventSourceArn": .string(mapping.eventSourceArn),
            "FunctionArn": .string(functionArn),
            "LastModified": .number(String(mapping.lastModified)),
            "LastProcessingResult": .string(status.lastProcessingResult),
            "State": .string(state ?? (mapping.enabled ? "Enabled" : "Disabled")),
            "StateTransitionReason": .string(mapping.origin == .file ? "Triggers file" : "User action"),
            "DestinationConfig": .object([
                "OnFailure": mapping.onFailureDestination.map { .object(["Destination": .string($0)]) } ?? .object([:])
            ]),
            "MaximumRecordAgeInSeconds": .number(String(mapping.maximumRecordAgeInSeconds)),
            "BisectBatchOnFunctionError": .bool(mapping.bisectBatchOnFunctionError),
            "MaximumRetryAttempts": .number(String(mapping.maximumRetryAttempts)),
            "TumblingWindowInSeconds": .number(String(mapping.tumblingWindowInSeconds)),
            "FunctionResponseTypes": .array(mapping.reportBatchItemFailures ? [.string("ReportBatchItemFailures")] : []),
            "IteratorAgeSeconds": .number(String(status.iteratorAgeSeconds)),
            "DeliveredRecordCount": .number(String(status.deliveredRecords)),
            "FailedInvocationCount": .number(String(status.failedInvocations)),
            "DiscardedRecordCount": .number(String(status.discardedRecords)),
        ]
        if !mapping.filterPatterns.isEmpty {
            fields["FilterCriteria"] = .object(["Filters": .array(mapping.filterPatterns.map { .object(["Pattern": .string($0)]) })])
        }
        return .object(fields)
    }

    static func json(_ status: Int, _ value: JSONValue) -> APIResponse {
        APIResponse(status: status, contentType: APIRequestProcessor.plainJSON, body: JSONWriter.encode(value))
    }

    static func error(_ error: MappingError) -> APIResponse {
        APIResponse(
            status: error.status, contentType: APIRequestProcessor.plainJSON,
            body: JSONWriter.encode(.object(["Type": .string("User"), "message": .string(error.message)])),
            extraHeaders: [("x-amzn-ErrorType", error.type)])
    }
}
