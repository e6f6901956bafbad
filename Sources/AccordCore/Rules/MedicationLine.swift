import Foundation

/// One medication as a clinician writes it ("oxycodone 10 mg q6h", "hydrocodone 5/325 mg 1-2 tabs q4-6h prn"),
/// read into its parts. As-needed orders and ranges are read at their maximum, as the MME rules ask.
public struct MedicationLine: Sendable, Equatable {
    public let input: String
    /// What the text names as the medicine (before the strength).
    public let name: String
    public let drug: Drug?
    /// Strength of one unit (tablet, capsule, patch) in `strengthUnit`.
    public let strength: Double?
    public let strengthUnit: String?
    public let unitsPerDose: Double
    /// At most how many doses a day; nil when the text gives no frequency.
    public let dosesPerDay: Double?
    public let asNeeded: Bool
    public let extendedRelease: Bool

    /// The total daily amount in `strengthUnit` (for a patch, the mcg/hr rate), when the text gives enough to say.
    public var dailyDose: Double? {
        guard let strength else { return nil }
        if drug == DrugTable.fentanylPatch { return strength }
        guard let dosesPerDay else { return nil }
        return strength * unitsPerDose * dosesPerDay
    }
}

/// Why a medication line could not be read.
public struct MedicationReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public let input: String
    public let problem: String
    public var description: String { "Cannot read \"\(input)\": \(problem)" }
}

public enum MedicationReader {
    /// Reads one line; throws naming the part that could not be read.
    public static func read(_ input: String) throws(MedicationReadError) -> MedicationLine {
        var text = " " + input.lowercased()
            .replacingOccurrences(of: "µg", with: "mcg")
            .replacingOccurrences(of: ",", with: " ")
            .replacingOccurrences(of: ";", with: " ")
            .replacingOccurrences(of: "(", with: " ")
            .replacingOccurrences(of: ")", with: " ") + " "
        func fail(_ problem: String) -> MedicationReadError { MedicationReadError(input: input, problem: problem) }
        guard !input.trimmingCharacters(in: .whitespaces).isEmpty else { throw fail("the line is empty") }

        // The medicine: a known name anywhere in the line, else whatever stands before the first number.
        var drug: Drug?
        var name = ""
        for (candidate, known) in DrugTable.names {
            if let range = text.range(of: " \(candidate) ") ?? text.range(of: " \(candidate)/") ?? text.range(of: "/\(candidate) ") {
                drug = known
                name = candidate
                text.replaceSubrange(range, with: "  ")
                break
            }
        }
        if drug == nil {
            let beforeNumber = text.prefix { !$0.isNumber }.trimmingCharacters(in: .whitespaces)
            guard !beforeNumber.isEmpty else { throw fail("it does not start with the name of a medicine") }
            name = beforeNumber
            text = " " + String(text.drop { !$0.isNumber })
        }
        let extendedReleaseBrand = DrugTable.extendedReleaseBrands.contains(name)

        // Strength: the first number with a unit; in "5/325 mg" the opioid is the first number.
        var strength: Double?, strengthUnit: String?
        if let match = take(&text, #"(\d+(?:\.\d+)?)(?:\s*/\s*\d+(?:\.\d+)?)?\s*(mcg\s*/\s*(?:hr|h|hour)|mcg/h|mcg|mg)(?=\s|/|$)"#) {
            strength = Double(match[1])
            strengthUnit = match[2].replacingOccurrences(of: " ", with: "").hasPrefix("mcg/") ? "mcg/hr" : match[2]
        } else if let match = take(&text, #"(\d+(?:\.\d+)?)\s*/\s*\d+(?:\.\d+)?(?=\s)"#) {
            // Combination tablets are written "10/325" without a unit: the opioid's milligrams come first.
            strength = Double(match[1])
            strengthUnit = "mg"
        }

        // Units per dose, at the maximum of a range.
        var unitsPerDose = 1.0
        if let match = take(&text, #"(\d+(?:\.\d+)?)(?:\s*(?:-|to)\s*(\d+(?:\.\d+)?))?\s*(?:tabs?|tablets?|caps?|capsules?|pills?|patch(?:es)?|sprays?|films?|x)(?=\s)"#) {
            unitsPerDose = Double(match[2].isEmpty ? match[1] : match[2]) ?? 1
        }

        let asNeeded = take(&text, #"\b(?:prn|as needed|as-needed|when needed)\b"#) != nil
        let dosesPerDay = try frequency(&text, fail)

        var extendedRelease = extendedReleaseBrand
        if take(&text, #"\b(?:er|xr|sr|cr|la|xl|extended[ -]release|long[ -]acting)\b"#) != nil { extendedRelease = true }
        let saysPatch = take(&text, #"\b(?:patch(?:es)?|transdermal|td)\b"#) != nil
        var transmucosal = false
        for word in DrugTable.transmucosalWords where take(&text, "\\b\(word)\\b") != nil { transmucosal = true }
        _ = take(&text, #"\b(?:ir|immediate[ -]release|short[ -]acting)\b"#)

        // Fentanyl written in mcg/hr or as a patch is the transdermal form; otherwise it is transmucosal.
        if drug == DrugTable.fentanylPatch, transmucosal || !(saysPatch || strengthUnit == "mcg/hr") {
            drug = DrugTable.fentanylTransmucosal
        }

        // Whatever is left must be words that carry no dose information.
        let leftover = text.split(whereSeparator: { $0 == " " || $0 == "/" || $0 == "-" || $0 == "." })
            .map(String.init).filter { !fillerWords.contains($0) }
        guard leftover.isEmpty else {
            throw fail("'\(leftover.joined(separator: " "))' is not a strength, count, frequency or form Accord knows; write it like \"oxycodone 10 mg 1 tab q6h prn\"")
        }
        if let drug, drug.kind == .opioid, drug.factor != nil {
            guard strength != nil else { throw fail("no strength was found; give it with its unit, e.g. 10 mg or 25 mcg/hr") }
            if drug == DrugTable.fentanylPatch {
                guard strengthUnit == "mcg/hr" else { throw fail("a fentanyl patch's strength is in mcg/hr, e.g. 25 mcg/hr") }
            } else {
                guard strengthUnit == "mg" else { throw fail("\(drug.ingredient) strength is written in mg") }
                guard dosesPerDay != nil else {
                    throw fail(asNeeded ? "an as-needed order needs the most often it may be taken, e.g. q6h prn"
                                        : "no frequency was found; add how often, e.g. q6h, bid or daily")
                }
            }
        }
        return MedicationLine(input: input, name: name, drug: drug, strength: strength, strengthUnit: strengthUnit,
                              unitsPerDose: unitsPerDose, dosesPerDay: dosesPerDay, asNeeded: asNeeded,
                              extendedRelease: extendedRelease)
    }

    static let fillerWords: Set<String> = [
        "po", "by", "mouth", "oral", "orally", "take", "takes", "apply", "change", "with", "food", "for", "pain", "and",
        "hcl", "sulfate", "bitartrate", "phosphate", "citrate", "apap", "acetaminophen", "tab", "tablet", "cap", "up",
        "to", "max", "then", "a", "of", "dose", "doses", "tabs", "tablets", "one", "#", "in", "the",
    ]

    /// Doses a day at the most, from the first frequency the text gives.
    static func frequency(_ text: inout String, _ fail: (String) -> MedicationReadError) throws(MedicationReadError) -> Double? {
        let hours = #"\s*(?:h|hr|hrs|hours?)\b"#
        if let m = take(&text, #"\bq\s*(\d+)\s*(?:-|to)\s*(\d+)"# + hours) ?? take(&text, #"\bevery\s+(\d+)\s*(?:-|to)\s*(\d+)"# + hours) {
            guard let low = Double(m[1]), let high = Double(m[2]), low > 0, high > 0 else { throw fail("'\(m[0].trimmingCharacters(in: .whitespaces))' is not a usable interval") }
            return 24 / min(low, high)
        }
        if let m = take(&text, #"\bq\s*(\d+(?:\.\d+)?)"# + hours) ?? take(&text, #"\bevery\s+(\d+(?:\.\d+)?)"# + hours) {
            guard let interval = Double(m[1]), interval > 0 else { throw fail("'\(m[0].trimmingCharacters(in: .whitespaces))' is not a usable interval") }
            return 24 / interval
        }
        if let m = take(&text, #"\bevery\s+(\d+)\s*days?\b"#) ?? take(&text, #"\bq\s*(\d+)\s*d\b"#) {
            guard let days = Double(m[1]), days > 0 else { throw fail("'\(m[0])' is not a usable interval") }
            return 1 / days
        }
        if let m = take(&text, #"\b(\d+)\s*(?:x|times)\s*(?:a|per|each)?\s*(?:day|daily)\b"#) { return Double(m[1]) }
        let words: [(String, Double)] = [
            (#"\b(?:every other day|qod|alternate days)\b"#, 0.5),
            (#"\b(?:weekly|once a week|every week|qweek|qwk)\b"#, 1.0 / 7),
            (#"\b(?:qid|four times (?:a |per )?day|four times daily)\b"#, 4),
            (#"\b(?:tid|three times (?:a |per )?day|three times daily)\b"#, 3),
            (#"\b(?:bid|twice (?:a |per )?day|twice daily|q12h)\b"#, 2),
            (#"\b(?:daily|qd|once (?:a |per )?day|once daily|every day|qam|qpm|qhs|nightly|at bedtime|each morning|each night)\b"#, 1),
        ]
        for (pattern, perDay) in words where take(&text, pattern) != nil { return perDay }
        return nil
    }

    /// Finds the first match of `pattern`, removes it from `text`, and returns its groups (0 is the whole match;
    /// a group that did not take part is "").
    static func take(_ text: inout String, _ pattern: String) -> [String]? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let whole = Range(match.range, in: text) else { return nil }
        let groups = (0..<match.numberOfRanges).map { index -> String in
            Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
        }
        text.replaceSubrange(whole, with: " ")
        return groups
    }
}
