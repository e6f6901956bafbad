import Foundation

/// Writes an `Encodable` value as canonical JSON without Foundation's `JSONEncoder`: sorted keys (by their UTF-8
/// bytes), no white space, slashes unescaped, nil optionals left out, whole doubles without ".0". The server checks
/// every pushed event by encoding it again and comparing bytes, which with `JSONEncoder` was 13.5% of its CPU time
/// (it builds a dictionary for every object and a coding path for every value). This writer is only ever used to
/// confirm bytes: a value it cannot write the way `JSONEncoder` would (dates, data, URLs, decimals, a value that
/// writes nothing) makes it throw, and `CanonicalJSON.isEncoding` then asks `JSONEncoder`, so `JSONEncoder` stays the
/// definition of canonical.
enum CanonicalWriter {
    struct Unsupported: Error {}

    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let root = Slot()
        try root.store(value)
        var out: [UInt8] = []
        out.reserveCapacity(512)
        try root.write(into: &out)
        return Data(out)
    }
}

/// One value being written: set once through a single-value container, or grown member by member through a keyed
/// or unkeyed one. A class, because containers hand out nested slots that are filled after they are returned.
private final class Slot {
    enum Kind { case empty, literal, string, object, array, invalid }

    var kind = Kind.empty
    /// The literal's JSON text (number, true, false, null) or the string's value.
    var text = ""
    /// An object's members in the order first written; a key written again replaces its value, as in JSONEncoder.
    var keys: [String] = []
    var values: [Slot] = []

    func set(literal: String) { kind = .literal; text = literal }
    func set(string: String) { kind = .string; text = string }

    func store<T: Encodable>(_ value: T) throws {
        // The types JSONEncoder writes its own way, whatever their Encodable conformance says.
        if value is Date || value is Data || value is URL || value is Decimal { throw CanonicalWriter.Unsupported() }
        try value.encode(to: SlotEncoder(slot: self))
    }

    /// Becomes an object or array unless it already is one; asking for the other kind marks the value unwritable.
    func become(_ container: Kind) {
        if kind == .empty { kind = container } else if kind != container { kind = .invalid }
    }

    func member(_ key: String) -> Slot {
        let slot = Slot()
        guard kind == .object else { kind = .invalid; return slot }
        if let index = keys.firstIndex(of: key) { values[index] = slot } else { keys.append(key); values.append(slot) }
        return slot
    }

    func appendItem() -> Slot {
        let slot = Slot()
        guard kind == .array else { kind = .invalid; return slot }
        values.append(slot)
        return slot
    }

    func write(into out: inout [UInt8]) throws {
        switch kind {
        case .empty, .invalid: throw CanonicalWriter.Unsupported()
        case .literal: out.append(contentsOf: text.utf8)
        case .string: JSONStringWriter.append(text, to: &out)
        case .array:
            out.append(UInt8(ascii: "["))
            for (index, item) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                try item.write(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object:
            out.append(UInt8(ascii: "{"))
            let order = keys.indices.sorted { keys[$0].utf8.lexicographicallyPrecedes(keys[$1].utf8) }
            for (position, index) in order.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                JSONStringWriter.append(keys[index], to: &out)
                out.append(UInt8(ascii: ":"))
                try values[index].write(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

private struct SlotEncoder: Encoder {
    let slot: Slot
    /// Empty: this writer's errors are never shown (JSONEncoder, asked next, gives its own).
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        slot.become(.object)
        return KeyedEncodingContainer(KeyedSlot<Key>(slot: slot))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        slot.become(.array)
        return UnkeyedSlot(slot: slot)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleSlot(slot: slot)
    }
}

/// Number forms as JSONEncoder writes them: integers in decimal, doubles by their shortest description without a
/// trailing ".0"; infinities and NaN are refused, as JSONEncoder refuses them by default.
private func number<F: BinaryFloatingPoint & CustomStringConvertible>(_ value: F) throws -> String {
    guard value.isFinite else { throw CanonicalWriter.Unsupported() }
    var text = value.description
    if text.hasSuffix(".0") { text.removeLast(2) }
    return text
}

private struct SingleSlot: SingleValueEncodingContainer {
    let slot: Slot
    var codingPath: [any CodingKey] { [] }

    func encodeNil() throws { slot.set(literal: "null") }
    func encode(_ value: Bool) throws { slot.set(literal: value ? "true" : "false") }
    func encode(_ value: String) throws { slot.set(string: value) }
    func encode(_ value: Double) throws { slot.set(literal: try number(value)) }
    func encode(_ value: Float) throws { slot.set(literal: try number(value)) }
    func encode(_ value: Int) throws { slot.set(literal: String(value)) }
    func encode(_ value: Int8) throws { slot.set(literal: String(value)) }
    func encode(_ value: Int16) throws { slot.set(literal: String(value)) }
    func encode(_ value: Int32) throws { slot.set(literal: String(value)) }
    func encode(_ value: Int64) throws { slot.set(literal: String(value)) }
    func encode(_ value: UInt) throws { slot.set(literal: String(value)) }
    func encode(_ value: UInt8) throws { slot.set(literal: String(value)) }
    func encode(_ value: UInt16) throws { slot.set(literal: String(value)) }
    func encode(_ value: UInt32) throws { slot.set(literal: String(value)) }
    func encode(_ value: UInt64) throws { slot.set(literal: String(value)) }
    func encode<T: Encodable>(_ value: T) throws { try slot.store(value) }
}

private struct KeyedSlot<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: Slot
    var codingPath: [any CodingKey] { [] }

    func child(_ key: Key) -> Slot { slot.member(key.stringValue) }

    mutating func encodeNil(forKey key: Key) throws { child(key).set(literal: "null") }
    mutating func encode(_ value: String, forKey key: Key) throws { child(key).set(string: value) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { child(key).set(literal: value ? "true" : "false") }
    mutating func encode(_ value: Int, forKey key: Key) throws { child(key).set(literal: String(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { child(key).set(literal: String(value)) }
    mutating func encode(_ value: Double, forKey key: Key) throws { child(key).set(literal: try number(value)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try child(key).store(value)
    }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let nested = child(key)
        nested.become(.object)
        return KeyedEncodingContainer(KeyedSlot<NestedKey>(slot: nested))
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = child(key)
        nested.become(.array)
        return UnkeyedSlot(slot: nested)
    }
    mutating func superEncoder() -> any Encoder { SlotEncoder(slot: slot.member("super")) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { SlotEncoder(slot: child(key)) }
}

private struct UnkeyedSlot: UnkeyedEncodingContainer {
    let slot: Slot
    var codingPath: [any CodingKey] { [] }
    var count: Int { slot.values.count }

    mutating func encodeNil() throws { slot.appendItem().set(literal: "null") }
    mutating func encode(_ value: String) throws { slot.appendItem().set(string: value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try slot.appendItem().store(value) }
    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let nested = slot.appendItem()
        nested.become(.object)
        return KeyedEncodingContainer(KeyedSlot<NestedKey>(slot: nested))
    }
    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = slot.appendItem()
        nested.become(.array)
        return UnkeyedSlot(slot: nested)
    }
    mutating func superEncoder() -> any Encoder { SlotEncoder(slot: slot.appendItem()) }
}
