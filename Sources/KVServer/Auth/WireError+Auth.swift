extension WireError {
    /// A key past its `notAfter`. DynamoDB's text for an expired security token (botocore
    /// lists ExpiredTokenException among the errors that mean "refresh your credentials").
    public static let expiredToken = WireError(
        type: "com.amazon.coral.service#ExpiredTokenException",
        message: "The security token included in the request is expired")

    /// The signature does not match (wrong secret, changed body or headers).
    public static let signatureMismatch = WireError.invalidSignature(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
            + "Access Key and signing method. Consult the service documentation for details.")

    /// A session token missing, unexpected or different from the key's.
    public static let invalidSecurityToken = WireError.unrecognizedClient(
        "The security token included in the request is invalid")
}

extension WireError {
    /// Verification is on but nothing decides authorization: deny (fail closed).
    static let accessDeniedNoAuthorizer = WireError(
        type: "com.amazon.coral.service#AccessDeniedException",
        message: "No authorizer is configured for verified requests.")
}
