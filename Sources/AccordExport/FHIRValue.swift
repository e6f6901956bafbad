/// A JSON value as FHIR writes it. Objects are encoded with sorted keys, so the same record always gives the same bytes.
public enum FHIRValue: Sendable, Equatable, Encodable {
    case string(String)
    case integer(Int)
    case decimal(Double)
    case bool(Bool)
    case array([FHIRValue])
    case object([String: FHIRValue])

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .decimal(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The value under `key` of an object, for tests and for readers of a built bundle.
    public subscript(key: String) -> FHIRValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The text, when the value is a string.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The elements, when the value is an array; else empty.
    public var arrayValue: [FHIRValue] {
        if case .array(let values) = self { return values }
        return []
    }
}

extension FHIRValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    /// A string.
    public init(stringLiteral value: String) { self = .string(value) }
    /// A whole number.
    public init(integerLiteral value: Int) { self = .integer(value) }
    /// A boolean.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An array.
    public init(arrayLiteral elements: FHIRValue...) { self = .array(elements) }
    /// An object.
    public init(dictionaryLiteral elements: (String, FHIRValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

/// An object under construction: optional members are left out rather than written as null, as FHIR requires.
struct FHIRObject {
    private(set) var members: [String: FHIRValue] = [:]

    init(_ members: [String: FHIRValue] = [:]) { self.members = members }

    subscript(key: String) -> FHIRValue? {
        get { members[key] }
        set { members[key] = newValue }
    }

    /// Sets `key` to `value` unless it is nil or an empty array or string.
    mutating func set(_ key: String, _ value: FHIRValue?) {
        switch value {
        case nil, .array([])?, .string("")?: members[key] = nil
        default: members[key] = value
        }
    }

    var value: FHIRValue { .object(members) }
}
