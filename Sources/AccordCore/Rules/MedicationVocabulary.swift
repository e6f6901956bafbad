import Foundation

/// How a medicine is taken; taper steps round to the strengths of the form being tapered.
public enum DoseForm: String, Codable, Sendable, CaseIterable {
    /// Immediate-release tablets or capsules.
    case tablet
    case extendedRelease = "extended-release"
    case patch
    /// Buccal, sublingual, nasal and lozenge forms.
    case transmucosal
    case oralLiquid = "oral-liquid"
    case injection
}

/// The classes of medicine the rules care about: opioids, the CNS depressants CDC 2022 (recommendation 11) names,
/// opioid antagonists, and the non-opioid partners of combination products.
public enum DrugClass: String, Codable, Sendable {
    case opioid
    case benzodiazepine
    case sedativeHypnotic = "sedative-hypnotic"
    case gabapentinoid
    case muscleRelaxant = "muscle-relaxant"
    case barbiturate
    case opioidAntagonist = "opioid-antagonist"
    case nonOpioid = "non-opioid"

    /// Adds to an opioid's effect on breathing (CDC 2022, recommendation 11).
    public var isCNSDepressant: Bool {
        switch self {
        case .benzodiazepine, .sedativeHypnotic, .gabapentinoid, .muscleRelaxant, .barbiturate: true
        case .opioid, .opioidAntagonist, .nonOpioid: false
        }
    }
}

/// One active ingredient as the vocabulary describes it.
public struct Ingredient: Sendable, Hashable, Decodable {
    /// The ingredient's name.
    public let name: String
    /// Its class.
    public let drugClass: DrugClass
    /// Milligrams of oral morphine a day per milligram a day (per mcg/hr for a patch), CDC 2022; nil when the
    /// 2022 table has none.
    public let mmeFactor: Double?
    /// The RxNorm ingredient concept; nil where it has not been checked.
    public let rxNorm: String?
    /// Other names it is written by.
    public let synonyms: [String]
    /// Forms the factor does not apply to (transmucosal fentanyl).
    public let noFactorForms: [DoseForm]
    /// Left out of MME totals by the guideline itself (buprenorphine).
    public let excludedFromMME: Bool
    /// An antagonist that reverses an overdose (naloxone, nalmefene), as opposed to naltrexone.
    public let rescue: Bool
    /// Marketed strengths per unit of each form, smallest first.
    public let strengths: [DoseForm: [Double]]

    enum CodingKeys: String, CodingKey {
        case name, drugClass = "class", mmeFactor, rxNorm, synonyms, noFactorForms, excludedFromMME, rescue, strengths
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        drugClass = try container.decode(DrugClass.self, forKey: .drugClass)
        mmeFactor = try container.decodeIfPresent(Double.self, forKey: .mmeFactor)
        rxNorm = try container.decodeIfPresent(String.self, forKey: .rxNorm)
        synonyms = try container.decodeIfPresent([String].self, forKey: .synonyms) ?? []
        noFactorForms = try container.decodeIfPresent([DoseForm].self, forKey: .noFactorForms) ?? []
        excludedFromMME = try container.decodeIfPresent(Bool.self, forKey: .excludedFromMME) ?? false
        rescue = try container.decodeIfPresent(Bool.self, forKey: .rescue) ?? false
        var strengths: [DoseForm: [Double]] = [:]
        for (key, values) in try container.decodeIfPresent([String: [Double]].self, forKey: .strengths) ?? [:] {
            guard let form = DoseForm(rawValue: key) else {
                throw DecodingError.dataCorruptedError(forKey: .strengths, in: container, debugDescription: "unknown dose form \(key)")
            }
            strengths[form] = values.sorted()
        }
        self.strengths = strengths
    }

    /// True for an opioid.
    public var isOpioid: Bool { drugClass == .opioid }
}

/// A brand or named product: its ingredients in the order its strengths are written.
public struct Product: Sendable, Hashable, Decodable {
    /// The product's name, lowercase.
    public let name: String
    /// Its ingredients, in the order their strengths are written.
    public let ingredients: [String]
    /// Its dose form, when the name implies one.
    public let form: DoseForm?
    /// Strengths of this product where they differ from the ingredient's, smallest first.
    public let strengths: [Double]?
    /// Strengths the name itself carries ("Tylenol #3" is codeine 30 mg with acetaminophen 300 mg).
    public let impliedStrengths: [Double]?
    /// Made only for opioid use disorder (buprenorphine with naloxone, long-acting buprenorphine injections).
    public let opioidUseDisorder: Bool?
}

/// The medicines Accord can read, loaded once from `medications.json`, which ships with AccordCore.
public struct MedicationVocabulary: Sendable {
    /// Every ingredient.
    public let ingredients: [Ingredient]
    /// Every named product.
    public let products: [Product]
    /// A name as written (ingredient, synonym or product), lowercase and split into words, and what it means.
    let phrases: [(words: [String], meaning: Meaning)]
    let longestPhrase: Int

    enum Meaning: Sendable {
        case ingredient(Ingredient)
        case product(Product, [Ingredient])
    }

    struct File: Decodable {
        let ingredients: [Ingredient]
        let products: [Product]
    }

    /// The vocabulary shipped with Accord.
    public static let shipped: MedicationVocabulary = {
        guard let url = Bundle.module.url(forResource: "medications", withExtension: "json"),
              let data = try? Data(contentsOf: url) else {
            fatalError("Accord's medication vocabulary (medications.json) is missing from this installation; reinstall Accord.")
        }
        do { return try MedicationVocabulary(json: data) } catch {
            fatalError("Accord's medication vocabulary (medications.json) cannot be read: \(error)")
        }
    }()

    /// Reads a vocabulary file; every product must name known ingredients and no name may mean two things.
    public init(json: Data) throws {
        let file = try JSONDecoder().decode(File.self, from: json)
        let byName = Dictionary(file.ingredients.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var phrases: [(words: [String], meaning: Meaning)] = []
        var seen = Set<String>()
        func add(_ name: String, _ meaning: Meaning) throws {
            let key = name.lowercased()
            guard seen.insert(key).inserted else { throw VocabularyError(problem: "the name '\(name)' appears twice") }
            phrases.append((MedicationVocabulary.words(key), meaning))
        }
        for ingredient in file.ingredients {
            try add(ingredient.name, .ingredient(ingredient))
            for synonym in ingredient.synonyms { try add(synonym, .ingredient(ingredient)) }
        }
        for product in file.products {
            let parts = try product.ingredients.map { name in
                guard let ingredient = byName[name] else { throw VocabularyError(problem: "product '\(product.name)' names unknown ingredient '\(name)'") }
                return ingredient
            }
            try add(product.name, .product(product, parts))
        }
        ingredients = file.ingredients
        products = file.products
        self.phrases = phrases.sorted { $0.words.count > $1.words.count }
        longestPhrase = phrases.map(\.words.count).max() ?? 1
    }

    struct VocabularyError: Error, CustomStringConvertible {
        let problem: String
        var description: String { "medication vocabulary: \(problem)" }
    }

    /// The ingredient named `name`, if any.
    public func ingredient(named name: String) -> Ingredient? { ingredients.first { $0.name == name } }

    /// The longest known name that starts at `words[start]`, and how many words it takes.
    func match(_ words: [String], at start: Int) -> (meaning: Meaning, length: Int)? {
        for phrase in phrases where phrase.words.count <= words.count - start {
            if Array(words[start..<(start + phrase.words.count)]) == phrase.words { return (phrase.meaning, phrase.words.count) }
        }
        return nil
    }

    /// Known names closest to `word` in spelling, nearest first, for "did you mean" hints.
    public func suggestions(for word: String, limit: Int = 3) -> [String] {
        let names = Set(phrases.map { $0.words.joined(separator: " ") })
        let allowed = max(2, word.count / 3)
        return names.map { ($0, EditDistance.between(word, $0)) }
            .filter { $0.1 <= allowed }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            .prefix(limit).map(\.0)
    }

    /// Lowercase words of a name; "#3" stays a word of its own so "tylenol #3" can be matched.
    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " }).map(String.init)
    }
}

/// Levenshtein distance, for suggesting the name a clinician probably meant.
enum EditDistance {
    static func between(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
