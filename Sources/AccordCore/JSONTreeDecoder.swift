import Foundation

/// Decodes `Decodable` values from JSON by parsing the whole text first (`JSONTree`), then walking the tree.
/// Events are decoded on every push, pull and read; for their small objects this is several times faster than
/// Foundation's `JSONDecoder`, mostly because the walk keeps no coding path. When the walk fails, the same bytes
/// are decoded again with `JSONDecoder`, whose error (with its coding path) is the one thrown, so messages are
/// the same as before. It reads what `JSONDecoder` reads, except two things canonical JSON never holds and
/// `JSONDecoder` lets pass: a repeated key and a trailing comma.
public struct JSONTreeDecoder: Sendable {
    /// Handed to the types being decoded, as `JSONDecoder` does.
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    /// A decoder.
    public init() {}

    /// Decodes `type` from JSON, as `JSONDecoder` would.
    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let tree: JSONTree
        do { tree = try JSONTree.parse(data) } catch let error as JSONSyntaxError {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "The given data was not valid JSON: \(error)", underlyingError: error))
        }
        do {
            return try T(from: TreeDecoder(tree, userInfo: userInfo))
        } catch {
            let foundation = JSONDecoder()
            foundation.userInfo = userInfo
            _ = try foundation.decode(T.self, from: data)
            throw error
        }
    }
}

private struct TreeDecoder: Decoder, SingleValueDecodingContainer {
    let tree: JSONTree
    let userInfo: [CodingUserInfoKey: Any]
    /// Empty: errors get their path from `JSONDecoder` (see `JSONTreeDecoder.decode`).
    var codingPath: [any CodingKey] { [] }

    init(_ tree: JSONTree, userInfo: [CodingUserInfoKey: Any]) {
        self.tree = tree
        self.userInfo = userInfo
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let keys, let values) = tree else { throw mismatch([String: Any].self, tree) }
        return KeyedDecodingContainer(KeyedTreeContainer<Key>(keys: keys, values: values, userInfo: userInfo))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = tree else { throw mismatch([Any].self, tree) }
        return UnkeyedTreeContainer(items: items, userInfo: userInfo)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { if case .null = tree { true } else { false } }
    func decode(_ type: Bool.Type) throws -> Bool { try Read.bool(tree) }
    func decode(_ type: String.Type) throws -> String { try Read.string(tree) }
    func decode(_ type: Double.Type) throws -> Double { try Read.double(tree) }
    func decode(_ type: Float.Type) throws -> Float { Float(try Read.double(tree)) }
    func decode(_ type: Int.Type) throws -> Int { try Read.integer(tree) }
    func decode(_ type: Int8.Type) throws -> Int8 { try Read.integer(tree) }
    func decode(_ type: Int16.Type) throws -> Int16 { try Read.integer(tree) }
    func decode(_ type: Int32.Type) throws -> Int32 { try Read.integer(tree) }
    func decode(_ type: Int64.Type) throws -> Int64 { try Read.integer(tree) }
    func decode(_ type: UInt.Type) throws -> UInt { try Read.integer(tree) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try Read.integer(tree) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try Read.integer(tree) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try Read.integer(tree) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try Read.integer(tree) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: self) }
}

/// Reading one value of a primitive type, with `JSONDecoder`'s errors.
private enum Read {
    static func bool(_ tree: JSONTree) throws -> Bool {
        guard case .bool(let value) = tree else { throw mismatch(Bool.self, tree) }
        return value
    }

    static func string(_ tree: JSONTree) throws -> String {
        guard case .string(let value) = tree else { throw mismatch(String.self, tree) }
        return value
    }

    static func double(_ tree: JSONTree) throws -> Double {
        guard case .number(let text) = tree else { throw mismatch(Double.self, tree) }
        guard let value = Double(text), value.isFinite else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Number \(text) does not fit in Double."))
        }
        return value
    }

    /// Whole numbers; a number written with a fraction or exponent is read when its value is exactly whole.
    static func integer<T: FixedWidthInteger>(_ tree: JSONTree) throws -> T {
        guard case .number(let text) = tree else { throw mismatch(T.self, tree) }
        if let value = T(text) { return value }
        if let double = Double(text), let value = T(exactly: double) { return value }
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Number \(text) is not representable in Swift as \(T.self)."))
    }
}

private func mismatch(_ type: Any.Type, _ tree: JSONTree) -> DecodingError {
    if case .null = tree {
        return .valueNotFound(type, .init(codingPath: [], debugDescription: "Cannot get value of type \(type) -- found null value instead"))
    }
    return .typeMismatch(type, .init(codingPath: [], debugDescription: "Expected to decode \(type) but found \(tree.kind) instead."))
}

private struct KeyedTreeContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let keys: [String]
    let values: [JSONTree]
    let userInfo: [CodingUserInfoKey: Any]
    var codingPath: [any CodingKey] { [] }

    var allKeys: [Key] { keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { keys.contains(key.stringValue) }

    func value(_ key: Key) throws -> JSONTree {
        guard let index = keys.firstIndex(of: key.stringValue) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: [],
                                                       debugDescription: "No value associated with key \(key) (\"\(key.stringValue)\")."))
        }
        return values[index]
    }

    func decodeNil(forKey key: Key) throws -> Bool { if case .null = try value(key) { true } else { false } }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try Read.bool(value(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try Read.string(value(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try Read.double(value(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try Read.double(value(key))) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try Read.integer(value(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try Read.integer(value(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try Read.integer(value(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try Read.integer(value(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try Read.integer(value(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try Read.integer(value(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try Read.integer(value(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try Read.integer(value(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try Read.integer(value(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try Read.integer(value(key)) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try T(from: TreeDecoder(value(key), userInfo: userInfo))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try TreeDecoder(value(key), userInfo: userInfo).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try TreeDecoder(value(key), userInfo: userInfo).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        let index = keys.firstIndex(of: "super")
        return TreeDecoder(index.map { values[$0] } ?? .null, userInfo: userInfo)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        TreeDecoder((try? value(key)) ?? .null, userInfo: userInfo)
    }
}

private struct UnkeyedTreeContainer: UnkeyedDecodingContainer {
    let items: [JSONTree]
    let userInfo: [CodingUserInfoKey: Any]
    var codingPath: [any CodingKey] { [] }
    var currentIndex = 0

    init(items: [JSONTree], userInfo: [CodingUserInfoKey: Any]) {
        self.items = items
        self.userInfo = userInfo
    }

    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    /// The next item's decoder, moving past it.
    mutating func next(_ type: Any.Type) throws -> TreeDecoder {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, .init(codingPath: [], debugDescription: "Unkeyed container is at end."))
        }
        defer { currentIndex += 1 }
        return TreeDecoder(items[currentIndex], userInfo: userInfo)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any?.self, .init(codingPath: [], debugDescription: "Unkeyed container is at end."))
        }
        guard case .null = items[currentIndex] else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: String.Type) throws -> String { try next(type).decode(type) }
    mutating func decode(_ type: Bool.Type) throws -> Bool { try next(type).decode(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next(type).decode(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next(type).decode(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try next(type).decode(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: next(type)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next([String: Any].self).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try next([Any].self).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { try next(Any.self) }
}
