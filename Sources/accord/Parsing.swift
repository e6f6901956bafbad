import AccordCore
import AccordKit
import ArgumentParser

/// Turns command-line text into domain values, with messages that say what form is expected.
enum Parse {
    static func date(_ text: String) throws -> LocalDate {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard let date = LocalDate(trimmed) else {
            if trimmed.count == 10, let year = Int(trimmed.prefix(4)), trimmed.dropFirst(4).first == "-", year < DateSense.earliestYear {
                throw ValidationError("'\(text)' is before \(DateSense.earliestYear); Accord records dates from \(DateSense.earliestYear) on. Check the year.")
            }
            throw ValidationError("'\(text)' is not a valid date; write it as YYYY-MM-DD, for example 2026-03-14.")
        }
        return date
    }

    static func choice<T: RawRepresentable & CaseIterable>(_ text: String, _ what: String) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw ValidationError("'\(text)' is not a valid \(what); use one of: \(T.allCases.map(\.rawValue).joined(separator: ", ")).")
        }
        return value
    }

    static func scores(_ text: String, _ what: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        return try parts.map { part in
            guard let value = Int(part) else {
                throw ValidationError("\(what) scores are whole numbers separated by commas; '\(part)' is not one.")
            }
            return value
        }
    }

    static func yesNo(_ text: String, _ what: String) throws -> Bool {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "yes", "y", "true": return true
        case "no", "n", "false": return false
        default: throw ValidationError("'\(text)' is not a valid answer for \(what); use yes or no.")
        }
    }

    /// A medication line, or a one-line failure naming the part that could not be read. A dose outside
    /// `DoseLimits` is refused unless the clinician confirmed it.
    static func medication(_ text: String, confirmed: Bool = false) throws -> MedicationLine {
        try Clinic.readMedications([text], confirmUnusual: confirmed)[0]
    }

    static func keyList(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
    }
}

import Foundation
