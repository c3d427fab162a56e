import ServiceLifecycle

extension ServiceGroupConfiguration.ServiceConfiguration {
    /// A service named by its own `description`. The plain initializer names it with
    /// `"\(service)"` on an existential, whose dynamic casts each scan every protocol conformance
    /// record of the executable: 2.7 M instructions at start-up for our services
    /// (`Scripts/bench/callgrind_start.py`).
    static func named<S: Service & CustomStringConvertible>(_ service: S) -> Self {
        .init(service: service, serviceName: service.description)
    }
}
