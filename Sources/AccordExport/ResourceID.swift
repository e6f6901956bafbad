import AccordCore
import Crypto
import Foundation

/// A resource's identity in an export: a UUID derived from what the resource stands for (a goal's id, the event of an
/// agreement version), so every export of the same log gives the same ids and a receiving system updates, not duplicates.
struct ResourceID: Hashable, Sendable {
    let type: String
    let uuid: String

    init(_ type: String, _ key: String) {
        self.type = type
        let digest = Array(SHA256.hash(data: Data("accord-fhir-r4:\(type):\(key)".utf8)))
        var bytes = Array(digest.prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x80  // version 8: a custom, name-based UUID (RFC 9562)
        bytes[8] = (bytes[8] & 0x3f) | 0x80  // RFC 9562 variant
        let hex = bytes.map { byte in String(byte, radix: 16).leftPadded(to: 2) }.joined()
        let groups = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        uuid = groups.joined(separator: "-")
    }

    var fullURL: String { "urn:uuid:\(uuid)" }
}

extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
