import Foundation

/// One medication as a clinician writes it ("oxycodone 10 mg q6h", "hydrocodone-acetaminophen 10-325 mg 1-2 tabs
/// q4-6h prn", "oxycodone 5 mg/5 mL 10 mL q6h"), read into its parts. As-needed orders and ranges are read at
/// their maximum, as the MME rules ask.
public struct MedicationLine: Sendable, Equatable {
    /// One ingredient of the line with its strength per unit, when the line gives it.
    public struct Component: Sendable, Equatable {
        /// The ingredient.
        public let ingredient: Ingredient
        /// Its strength per unit, when given.
        public let strength: Double?
    }

    /// The line as written.
    public let input: String
    /// The names as written, joined ("acetaminophen/oxycodone", "percocet"); for an `other:` line, its text.
    public let name: String
    /// The brand or product named, when one was.
    public let product: String?
    /// Ingredients in the order the line writes their strengths.
    public let components: [Component]
    /// The dose form read.
    public let form: DoseForm
    /// Strength of the main ingredient per unit: a tablet, a patch, or one mL of an oral liquid.
    public let strength: Double?
    /// "mg", "mcg" (transmucosal fentanyl), "mcg/hr" (patches) or "mg/mL" (oral liquids).
    public let strengthUnit: String?
    /// Tablets, patches or mL per dose, at the maximum of a range.
    public let unitsPerDose: Double
    /// At most how many doses a day; nil when the text gives no frequency.
    public let dosesPerDay: Double?
    /// True for an as-needed (prn) order.
    public let asNeeded: Bool
    /// Marked as treatment for opioid use disorder ("for OUD"), or a product made only for it.
    public let opioidUseDisorderTreatment: Bool
    /// Written `other: …`: a medicine outside the vocabulary that the clinician says is neither an opioid nor a
    /// CNS depressant.
    public let outsideVocabulary: Bool
    let productStrengths: [Double]?

    /// The ingredient the rules look at: the first opioid, else the first CNS depressant, else the first named.
    public var ingredient: Ingredient? {
        components.first { $0.ingredient.isOpioid }?.ingredient
            ?? components.first { $0.ingredient.drugClass.isCNSDepressant }?.ingredient
            ?? components.first?.ingredient
    }

    /// True when any ingredient is an opioid.
    public var isOpioid: Bool { components.contains { $0.ingredient.isOpioid } }
    /// True when any ingredient is a CNS depressant.
    public var isCNSDepressant: Bool { components.contains { $0.ingredient.drugClass.isCNSDepressant } }
    /// A rescue supply of naloxone or nalmefene; buprenorphine with naloxone is not one.
    public var isRescueAntagonist: Bool { components.count == 1 && components[0].ingredient.rescue }
    /// True for an extended-release form.
    public var extendedRelease: Bool { form == .extendedRelease }

    /// The CDC 2022 factor that applies to this line; nil for an opioid the table has no factor for (see
    /// `MMECalculator`), for buprenorphine, for OUD treatment and for anything that is not an opioid.
    public var mmeFactor: Double? {
        guard let ingredient, ingredient.isOpioid, !opioidUseDisorderTreatment, !ingredient.excludedFromMME,
              !ingredient.noFactorForms.contains(form) else { return nil }
        return ingredient.mmeFactor
    }

    /// The unit daily totals are in: mcg/hr for a patch, mcg for transmucosal fentanyl, otherwise mg.
    public var doseUnit: String {
        switch form {
        case .patch: "mcg/hr"
        default: strengthUnit == "mcg" ? "mcg" : "mg"
        }
    }

    /// The total daily amount in `doseUnit` (for a patch, the mcg/hr worn at once), when the text gives enough.
    public var dailyDose: Double? {
        guard let strength else { return nil }
        if form == .patch { return strength * unitsPerDose }
        guard let dosesPerDay else { return nil }
        return strength * unitsPerDose * dosesPerDay
    }

    /// Strengths that exist for this line's ingredient in its form, smallest first; taper steps round to these.
    public var strengthsOfForm: [Double] {
        if let productStrengths { return productStrengths }
        guard let ingredient else { return [] }
        return ingredient.strengths[form] ?? []
    }
}

/// Why a medication line could not be read, with the known names it may have meant.
public struct MedicationReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The line as written.
    public let input: String
    /// What could not be read, and the names it may have meant.
    public let problem: String
    /// The message shown.
    public var description: String { "Cannot read \"\(input)\": \(problem)" }
}

/// Reads medication lines against the vocabulary.
public enum MedicationReader {
    /// Reads one line; throws naming the part that could not be read.
    public static func read(_ input: String, vocabulary: MedicationVocabulary = .shipped) throws(MedicationReadError) -> MedicationLine {
        func fail(_ problem: String) -> MedicationReadError { MedicationReadError(input: input, problem: problem) }
        let trimmed = input.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw fail("the line is empty") }
        if trimmed.lowercased().hasPrefix("other:") {
            let rest = trimmed.dropFirst("other:".count).trimmingCharacters(in: .whitespaces)
            guard !rest.isEmpty else { throw fail("write the medicine after 'other:', e.g. \"other: lisinopril 10 mg daily\"") }
            return MedicationLine(input: input, name: rest, product: nil, components: [], form: .tablet, strength: nil,
                                  strengthUnit: nil, unitsPerDose: 1, dosesPerDay: nil, asNeeded: false,
                                  opioidUseDisorderTreatment: false, outsideVocabulary: true, productStrengths: nil)
        }
        let normal = normalized(trimmed)
        let words = normal.split(separator: " ").map(String.init)
        let hints = Set(words.flatMap { $0.split(whereSeparator: { "/-".contains($0) }).map(String.init) })

        // The names: every word before the first one with a digit in it ("#3" belongs to "tylenol #3").
        var nameWords: [String] = []
        var index = 0
        while index < words.count, words[index].hasPrefix("#") || !words[index].contains(where: \.isNumber) {
            nameWords += words[index].split(whereSeparator: { "/-+&".contains($0) }).map(String.init)
            index += 1
        }
        var meanings: [MedicationVocabulary.Meaning] = []
        var written: [String] = []
        var unmatched: [String] = []
        var position = 0
        while position < nameWords.count {
            if let found = vocabulary.match(nameWords, at: position) {
                meanings.append(found.meaning)
                written.append(nameWords[position..<(position + found.length)].joined(separator: " "))
                position += found.length
                continue
            }
            let word = nameWords[position]
            if !nameConnectors.contains(word), !saltWords.contains(word) { unmatched.append(word) }
            position += 1
        }
        guard !meanings.isEmpty else {
            let unknown = unmatched.filter { !formWords.contains($0) && !fillerWords.contains($0) }
            guard let first = unknown.first else { throw fail("it does not start with the name of a medicine") }
            let guesses = vocabulary.suggestions(for: unknown.joined(separator: " ")) + vocabulary.suggestions(for: first)
            var problem = "'\(unknown.joined(separator: " "))' is not a medicine Accord knows"
            problem += didYouMean(guesses).map { "; \($0)" } ?? "."
            problem += " If it is neither an opioid nor a sedative, write it as \"other: \(trimmed)\""
            throw fail(problem)
        }

        // What the names mean: ingredients in order, and the product's form, strengths and use.
        var ingredients: [Ingredient] = []
        var product: Product?
        for meaning in meanings {
            switch meaning {
            case .ingredient(let ingredient):
                if !ingredients.contains(ingredient) { ingredients.append(ingredient) }
            case .product(let named, let parts):
                product = product ?? named
                for part in parts where !ingredients.contains(part) { ingredients.append(part) }
            }
        }

        var text = " " + (unmatched + words[index...]).joined(separator: " ") + " "
        var strengths: [Double] = []
        var rangeOfOne = false
        var unit: String?
        var liquid = false
        var unitsPerDose = 1.0
        let number = #"\d+(?:\.\d+)?"#
        if let m = take(&text, #"(\#(number)(?:\s*/\s*\#(number))*)\s*(mg|mcg)\s*/\s*(\#(number))?\s*ml\b"#) {
            let volume = Double(m[3]) ?? 1
            guard volume > 0 else { throw fail("'\(m[0].trimmingCharacters(in: .whitespaces))' has no volume to divide by") }
            strengths = numbers(m[1]).map { $0 / volume }
            unit = m[2]
            liquid = true
            guard let dose = take(&text, #"(\#(number))(?:\s*(?:-|to)\s*(\#(number)))?\s*ml\b"#) else {
                throw fail("an oral liquid needs the volume of each dose, e.g. \"oxycodone 5 mg/5 mL 10 mL q6h\"")
            }
            unitsPerDose = Double(dose[2].isEmpty ? dose[1] : dose[2]) ?? 0
        } else if let m = take(&text, #"(\#(number)((?:\s*(?:/|-|to|and)\s*\#(number))*))\s*(mcg/hr|mcg|mg)(?=[\s/]|$)"#) {
            strengths = numbers(m[1])
            rangeOfOne = m[2].contains("-") || m[2].contains("to")
            unit = m[3]
        } else if let m = take(&text, #"(\#(number))\s*/\s*(\#(number))(?=\s)"#) {
            strengths = [Double(m[1]) ?? 0, Double(m[2]) ?? 0]
            unit = "mg"
        } else if let implied = product?.impliedStrengths {
            strengths = implied
            unit = "mg"
        }

        // Strengths belong to the ingredients by position; a single name with two numbers is a range ("5-10 mg")
        // or, with a slash, a combination written with only its opioid named ("oxycodone 5/325").
        var perIngredient: [Double?] = Array(repeating: nil, count: ingredients.count)
        if strengths.count == ingredients.count {
            perIngredient = strengths.map(Optional.some)
        } else if strengths.count == 1, let main = mainIndex(ingredients) {
            perIngredient[main] = strengths[0]
        } else if strengths.count == 2, ingredients.count == 1 {
            perIngredient[0] = rangeOfOne ? strengths.max() : strengths[0]
        } else if !strengths.isEmpty {
            throw fail("it gives \(strengths.count) strengths for \(ingredients.count) ingredient\(ingredients.count == 1 ? "" : "s") (\(ingredients.map(\.name).joined(separator: ", "))); give one strength for each, in the order the names are written")
        }

        let asNeeded = take(&text, #"\b(?:prn|as needed|when needed)\b"#) != nil
        let markedForOUD = take(&text, #"\b(?:for\s+)?(?:oud|moud|opioid use disorder)\b"#) != nil
        let dosesPerDay = try frequency(&text, fail)
        if !liquid, let m = take(&text, #"(\#(number))(?:\s*(?:-|to)\s*(\#(number)))?\s*(?:tabs?|tablets?|caps?|capsules?|pills?|patch(?:es)?|sprays?|films?|lozenges?|x)(?=\s)"#) {
            unitsPerDose = Double(m[2].isEmpty ? m[1] : m[2]) ?? 1
        }
        let leftover = text.split(whereSeparator: { " /-.".contains($0) }).map(String.init)
            .filter { !formWords.contains($0) && !fillerWords.contains($0) }
        guard leftover.isEmpty else {
            var problem = "'\(leftover.joined(separator: " "))' is not a strength, count, frequency or form Accord knows"
            if let hint = didYouMean(leftover.flatMap { vocabulary.suggestions(for: $0) }) { problem += " (\(hint))" }
            throw fail(problem + "; write it like \"oxycodone 10 mg 1 tab q6h prn\"")
        }

        // The form: the product's, else what the words say.
        let main = mainIndex(ingredients) ?? 0
        let mainIngredient = ingredients[main]
        var form: DoseForm
        if let productForm = product?.form { form = productForm }
        else if !hints.isDisjoint(with: ["patch", "patches", "transdermal", "td"]) || unit == "mcg/hr" { form = .patch }
        else if liquid { form = .oralLiquid }
        else if !hints.isDisjoint(with: transmucosalWords) { form = .transmucosal }
        else if !hints.isDisjoint(with: ["injection", "inj", "im", "subq", "sc"]) { form = .injection }
        else if !hints.isDisjoint(with: extendedReleaseWords) { form = .extendedRelease }
        else { form = .tablet }

        var strength = perIngredient[main]
        var strengthUnit = unit
        if mainIngredient.name == "fentanyl", form == .tablet {
            // Fentanyl has no tablet: mcg/hr or a 2- or 3-day change reads as a patch; anything else must say.
            if unit == "mcg", let dosesPerDay, dosesPerDay <= 0.5 { form = .patch } else {
                throw fail("say whether this fentanyl is a patch (strength in mcg/hr) or a buccal, sublingual or nasal form")
            }
        }
        if form == .patch, strength != nil {
            guard unit != "mg" else { throw fail("a \(mainIngredient.name) patch's strength is in mcg/hr, e.g. 25 mcg/hr") }
            strengthUnit = "mcg/hr"
        } else if liquid {
            strengthUnit = unit == "mcg" ? "mcg/mL" : "mg/mL"
        } else if unit == "mcg", mainIngredient.name != "fentanyl", let given = strength {
            strength = given / 1000
            strengthUnit = "mg"
        } else if unit == "mcg/hr" {
            throw fail("mcg/hr is the strength of a patch; add the word patch, or give the strength in mg")
        }
        if strength == 0 || unitsPerDose == 0 || perIngredient.contains(0) {
            throw fail("a dose of 0 is not a dose; if the medicine was stopped, take it off the list")
        }

        let opioidUseDisorder = markedForOUD || product?.opioidUseDisorder == true
            || (ingredients.contains { $0.name == "buprenorphine" } && ingredients.contains { $0.name == "naloxone" })
        if markedForOUD, !mainIngredient.isOpioid {
            throw fail("only an opioid (methadone, buprenorphine) can be marked as treatment for opioid use disorder")
        }
        let components = zip(ingredients, perIngredient).map { MedicationLine.Component(ingredient: $0, strength: $1) }
        let line = MedicationLine(input: input, name: written.joined(separator: "/"), product: product?.name,
                                  components: components, form: form, strength: strength, strengthUnit: strength == nil ? nil : strengthUnit,
                                  unitsPerDose: unitsPerDose, dosesPerDay: dosesPerDay, asNeeded: asNeeded,
                                  opioidUseDisorderTreatment: opioidUseDisorder, outsideVocabulary: false,
                                  productStrengths: product?.strengths)
        // A dose the MME total depends on must be complete.
        let counted = mainIngredient.isOpioid && !mainIngredient.excludedFromMME && !mainIngredient.noFactorForms.contains(form) && mainIngredient.mmeFactor != nil
        if counted {
            guard strength != nil else { throw fail("no strength was found; give it with its unit, e.g. 10 mg or 25 mcg/hr") }
            if form != .patch, dosesPerDay == nil {
                throw fail(asNeeded ? "an as-needed order needs the most often it may be taken, e.g. q6h prn"
                                    : "no frequency was found; add how often, e.g. q6h, bid or daily")
            }
        }
        return line
    }

    /// The position of the ingredient the single strength belongs to: the first opioid, else the first.
    static func mainIndex(_ ingredients: [Ingredient]) -> Int? {
        ingredients.firstIndex { $0.isOpioid } ?? ingredients.firstIndex { $0.drugClass.isCNSDepressant } ?? (ingredients.isEmpty ? nil : 0)
    }

    static func numbers(_ text: String) -> [Double] {
        text.split(whereSeparator: { !$0.isNumber && $0 != "." }).compactMap { Double($0) }
    }

    static func didYouMean(_ names: [String]) -> String? {
        var seen = Set<String>()
        let unique = names.filter { seen.insert($0).inserted }.prefix(3)
        guard !unique.isEmpty else { return nil }
        return "did you mean \(unique.joined(separator: " or "))?"
    }

    /// Lowercase, one space between words, units and common phrases in one spelling.
    static func normalized(_ text: String) -> String {
        var text = " " + text.lowercased() + " "
        for (pattern, replacement) in [
            ("µg|μg", "mcg"), ("[,;()\\[\\]]", " "),
            (#"mcg\s*/\s*(?:hr|hour|h)\b|mcg/h\b|mcg per hour"#, "mcg/hr"),
            (#"\bmilligrams?\b"#, "mg"), (#"\bmls?\b|\bmillilit(?:er|re)s?\b"#, "ml"),
            (#"\b(?:extended|sustained|controlled|modified)[ -]release\b|\blong[ -]acting\b"#, "er"),
            (#"\bimmediate[ -]release\b|\bshort[ -]acting\b"#, "ir"),
            (#"\bas[ -]needed\b"#, "prn"),
            (#"\b(tylenol(?: with codeine)?)\s*(?:#|no\.?\s*)\s*([34])\b"#, "$1 #$2"),
            // "oxycodone 5 mg / acetaminophen 325 mg" → "oxycodone/acetaminophen 5/325 mg"
            (#"\b([a-z]+)\s+(\d+(?:\.\d+)?)\s*(mg|mcg)\s*(?:/|-|and|with|\+)\s*([a-z]+)\s+(\d+(?:\.\d+)?)\s*(?:mg|mcg)\b"#, "$1/$4 $2/$5 $3"),
            (#"\s+"#, " "),
        ] {
            text = regex(pattern).stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: replacement)
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    static let nameConnectors: Set<String> = ["and", "with", "/", "-", "+", "&"]
    static let saltWords: Set<String> = [
        "hcl", "hydrochloride", "sulfate", "bitartrate", "phosphate", "citrate", "tartrate", "sodium", "potassium",
        "dipotassium", "mesylate", "hbr",
    ]
    static let extendedReleaseWords: Set<String> = ["er", "xr", "sr", "cr", "la", "xl", "ext"]
    static let transmucosalWords: Set<String> = ["buccal", "lozenge", "lollipop", "sublingual", "sl", "nasal", "troche", "film", "spray", "intranasal"]
    static let formWords: Set<String> = extendedReleaseWords.union(transmucosalWords).union([
        "ir", "patch", "patches", "transdermal", "td", "tab", "tabs", "tablet", "tablets", "cap", "caps", "capsule",
        "capsules", "oral", "solution", "liquid", "elixir", "syrup", "concentrate", "injection", "inj", "im", "subq", "sc",
    ])
    static let fillerWords: Set<String> = [
        "po", "by", "mouth", "orally", "take", "takes", "apply", "change", "with", "food", "for", "pain", "and",
        "up", "to", "max", "then", "a", "of", "dose", "doses", "one", "#", "in", "the", "each",
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
            guard let days = Double(m[1]), days > 0 else { throw fail("'\(m[0].trimmingCharacters(in: .whitespaces))' is not a usable interval") }
            return 1 / days
        }
        if let m = take(&text, #"\b(\d+)\s*(?:x|times)\s*(?:a|per|each)?\s*(?:day|daily)\b"#) {
            guard let times = Double(m[1]), times > 0 else { throw fail("'\(m[0].trimmingCharacters(in: .whitespaces))' is not a usable frequency") }
            return times
        }
        let words: [(String, Double)] = [
            (#"\b(?:every other day|qod|alternate days)\b"#, 0.5),
            (#"\b(?:weekly|once a week|every week|qweek|qwk)\b"#, 1.0 / 7),
            (#"\b(?:monthly|once a month|every month|qmonth)\b"#, 1.0 / 30),
            (#"\b(?:qid|four times (?:a |per )?day|four times daily)\b"#, 4),
            (#"\b(?:tid|three times (?:a |per )?day|three times daily)\b"#, 3),
            (#"\b(?:bid|twice (?:a |per )?day|twice daily)\b"#, 2),
            (#"\b(?:daily|qd|once (?:a |per )?day|once daily|every day|qam|qpm|qhs|nightly|at bedtime|each morning|each night)\b"#, 1),
        ]
        for (pattern, perDay) in words where take(&text, pattern) != nil { return perDay }
        return nil
    }

    /// Finds the first match of `pattern`, removes it from `text`, and returns its groups (0 is the whole match;
    /// a group that did not take part is "").
    static func take(_ text: inout String, _ pattern: String) -> [String]? {
        guard let match = regex(pattern).firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let whole = Range(match.range, in: text) else { return nil }
        let groups = (0..<match.numberOfRanges).map { index -> String in
            Range(match.range(at: index), in: text).map { String(text[$0]) } ?? ""
        }
        text.replaceSubrange(whole, with: " ")
        return groups
    }

    /// Each pattern compiled once: a line runs some forty of them, and flags read every version of every list.
    /// The patterns are this file's own literals, so a failure to compile is a programming error.
    static func regex(_ pattern: String) -> NSRegularExpression {
        compiledLock.lock()
        defer { compiledLock.unlock() }
        if let cached = compiled[pattern] { return cached }
        let made = try! NSRegularExpression(pattern: pattern)
        compiled[pattern] = made
        return made
    }

    private static let compiledLock = NSLock()
    nonisolated(unsafe) private static var compiled: [String: NSRegularExpression] = [:]
}
