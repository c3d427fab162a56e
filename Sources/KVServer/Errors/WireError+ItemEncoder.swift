public import KVStore

#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Turns an engine item into DynamoDB JSON (`{"attr": {"S": "..."}, ...}`).
public typealias ItemEncoder = @Sendable (Item) -> JSONValue

extension WireError {
    /// The hook the protocol layer sets (once, at startup) so that errors carrying an item
    /// (ConditionalCheckFailedException with `ReturnValuesOnConditionCheckFailure=ALL_OLD`)
    /// can put it on the wire as `"Item"`. While nil, such items are left out.
    public static var itemEncoder: ItemEncoder? {
        get { itemEncoderStorage.value }
        set { itemEncoderStorage.value = newValue }
    }

    /// Defaults to the protocol layer's encoder: nothing at startup ever set the hook, so
    /// `ReturnValuesOnConditionCheckFailure=ALL_OLD` items were silently dropped.
    private static let itemEncoderStorage = LockedValue<ItemEncoder?>({ item in AttributeValueWire.encodeItem(item) })
}

/// A value behind a mutex; for rarely written configuration hooks.
final class LockedValue<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var storage: Value

    init(_ value: Value) {
        storage = value
        mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    var value: Value {
        get {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            return storage
        }
        set {
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            storage = newValue
        }
    }
}
