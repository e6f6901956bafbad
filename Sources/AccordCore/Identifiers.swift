import Foundation

/// The identifiers Accord mints and the names people choose, with the rules that keep them safe to store and send.
public enum Identifiers {
    /// A new random identifier for a patient, goal, agreement, taper plan or clinician (a lowercase UUID).
    public static func make() -> String { UUID().uuidString.lowercased() }

    /// A lowercase UUID: 8-4-4-4-12 lowercase hex digits. Checked byte by byte: it runs for every event read.
    public static func isValid(_ id: String) -> Bool {
        var index = 0
        for byte in id.utf8 {
            switch index {
            case 8, 13, 18, 23: guard byte == UInt8(ascii: "-") else { return false }
            default: guard HexEncoding.isLowercaseHexDigit(byte) else { return false }
            }
            index += 1
        }
        return index == 36
    }

    /// Site names travel in every event and on the sync server: lowercase letters, digits, '.', '-' and '_'.
    public static func isValidSiteName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 64 else { return false }
        let allowed: (UInt8) -> Bool = { c in (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 45 || c == 46 || c == 95 }
        return first != 45 && first != 46 && name.utf8.allSatisfy(allowed)
    }

    /// What a valid site name is, for messages.
    public static let siteNameRule = "use 1 to 64 lowercase letters, digits, '.', '-' or '_', starting with a letter or digit"
}
