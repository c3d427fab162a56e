/// One API operation: the parsed request body in, the response body out.
/// Errors are thrown as `KVError` and turned into wire errors in one place.
public typealias OperationHandler = @Sendable (JSONValue) async throws -> JSONValue
