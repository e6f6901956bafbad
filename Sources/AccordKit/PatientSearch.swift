import AccordCore
import AccordStore
import Foundation

/// How a clinician's search text matches a patient in the directory: words of a name whatever their case and
/// accents ("jose" finds "José"), an MRN, a birth date, or the start of an id.
public enum PatientSearch {
    /// The name as compared: lower case, accents dropped, single spaces.
    public static func folded(_ name: String) -> String {
        name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// Whether the directory entry matches `query`.
    public static func matches(_ entry: PatientDirectoryEntry, _ query: String) -> Bool {
        if let date = LocalDate(query) { return entry.born == date }
        if entry.mrn?.caseInsensitiveCompare(query) == .orderedSame { return true }
        if query.count >= 4, entry.id.hasPrefix(query.lowercased()) { return true }
        let name = folded(entry.name)
        let nameWords = name.split(separator: " ")
        return folded(query).split(separator: " ").allSatisfy { word in nameWords.contains { $0.hasPrefix(word) } }
    }
}
