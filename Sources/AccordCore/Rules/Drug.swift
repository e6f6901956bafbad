/// What Accord knows of a medicine a clinician writes on a list: its ingredient, and whether it is an opioid with an
/// MME factor, an opioid that is not counted, a CNS depressant that adds to opioid risk, or naloxone.
public struct Drug: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable {
        case opioid
        /// An opioid the MME total leaves out (buprenorphine), with the reason.
        case opioidNotCounted
        case cnsDepressant
        case naloxone
    }

    public let ingredient: String
    public let kind: Kind
    /// Milligrams of oral morphine per milligram (per mcg/hr for a fentanyl patch), CDC 2022.
    public let factor: Double?
    public let rxNorm: String?
    /// Strengths that exist, in the unit the drug is written in, smallest first; taper steps round to these.
    public let strengths: [Double]
    public let unit: String

    static func opioid(_ ingredient: String, _ factor: Double, rxNorm: String, strengths: [Double], unit: String = "mg") -> Drug {
        Drug(ingredient: ingredient, kind: .opioid, factor: factor, rxNorm: rxNorm, strengths: strengths, unit: unit)
    }

    static func depressant(_ ingredient: String) -> Drug {
        Drug(ingredient: ingredient, kind: .cnsDepressant, factor: nil, rxNorm: nil, strengths: [], unit: "mg")
    }
}

/// The drugs Accord recognises, by the names clinicians write: ingredients and common US brand names.
public enum DrugTable {
    // Factors: CDC 2022 (MMWR RR-71(3)) and the HL7/CDC opioid MME implementation guide.
    static let codeine = Drug.opioid("codeine", 0.15, rxNorm: "2670", strengths: [15, 30, 60])
    static let fentanylPatch = Drug.opioid("fentanyl transdermal", 2.4, rxNorm: "4337", strengths: [12.5, 25, 37.5, 50, 62.5, 75, 87.5, 100], unit: "mcg/hr")
    static let fentanylTransmucosal = Drug(ingredient: "fentanyl transmucosal", kind: .opioid, factor: nil, rxNorm: "4337", strengths: [], unit: "mcg")
    static let hydrocodone = Drug.opioid("hydrocodone", 1, rxNorm: "5489", strengths: [2.5, 5, 7.5, 10])
    static let hydromorphone = Drug.opioid("hydromorphone", 5, rxNorm: "3423", strengths: [2, 4, 8])
    static let methadone = Drug.opioid("methadone", 4.7, rxNorm: "6813", strengths: [5, 10])
    static let morphine = Drug.opioid("morphine", 1, rxNorm: "7052", strengths: [15, 30, 60, 100])
    static let oxycodone = Drug.opioid("oxycodone", 1.5, rxNorm: "7804", strengths: [5, 10, 15, 20, 30])
    static let oxymorphone = Drug.opioid("oxymorphone", 3, rxNorm: "7814", strengths: [5, 10])
    static let tapentadol = Drug.opioid("tapentadol", 0.4, rxNorm: "787390", strengths: [50, 75, 100])
    static let tramadol = Drug.opioid("tramadol", 0.2, rxNorm: "10689", strengths: [50])
    static let buprenorphine = Drug(ingredient: "buprenorphine", kind: .opioidNotCounted, factor: nil, rxNorm: "1819", strengths: [2, 8], unit: "mg")
    static let naloxone = Drug(ingredient: "naloxone", kind: .naloxone, factor: nil, rxNorm: "7242", strengths: [], unit: "mg")

    /// Names as written (lowercase), longest first when matched. Brands map to their opioid ingredient.
    static let names: [(String, Drug)] = [
        ("codeine", codeine), ("tylenol #3", codeine), ("tylenol with codeine", codeine),
        ("fentanyl", fentanylPatch), ("duragesic", fentanylPatch),
        ("actiq", fentanylTransmucosal), ("fentora", fentanylTransmucosal), ("abstral", fentanylTransmucosal), ("subsys", fentanylTransmucosal), ("lazanda", fentanylTransmucosal),
        ("hydrocodone", hydrocodone), ("norco", hydrocodone), ("vicodin", hydrocodone), ("lortab", hydrocodone), ("hysingla", hydrocodone), ("zohydro", hydrocodone),
        ("hydromorphone", hydromorphone), ("dilaudid", hydromorphone), ("exalgo", hydromorphone),
        ("methadone", methadone), ("dolophine", methadone), ("methadose", methadone),
        ("morphine", morphine), ("ms contin", morphine), ("kadian", morphine),
        ("oxycodone", oxycodone), ("oxycontin", oxycodone), ("percocet", oxycodone), ("roxicodone", oxycodone), ("xtampza", oxycodone), ("endocet", oxycodone),
        ("oxymorphone", oxymorphone), ("opana", oxymorphone),
        ("tapentadol", tapentadol), ("nucynta", tapentadol),
        ("tramadol", tramadol), ("ultram", tramadol),
        ("buprenorphine", buprenorphine), ("suboxone", buprenorphine), ("subutex", buprenorphine), ("zubsolv", buprenorphine), ("butrans", buprenorphine), ("belbuca", buprenorphine), ("sublocade", buprenorphine),
        ("naloxone", naloxone), ("narcan", naloxone),
        // Benzodiazepines and other CNS depressants that add to an opioid's effect on breathing (CDC 2022, rec. 11).
        ("alprazolam", .depressant("alprazolam")), ("xanax", .depressant("alprazolam")),
        ("lorazepam", .depressant("lorazepam")), ("ativan", .depressant("lorazepam")),
        ("diazepam", .depressant("diazepam")), ("valium", .depressant("diazepam")),
        ("clonazepam", .depressant("clonazepam")), ("klonopin", .depressant("clonazepam")),
        ("temazepam", .depressant("temazepam")), ("chlordiazepoxide", .depressant("chlordiazepoxide")),
        ("zolpidem", .depressant("zolpidem")), ("ambien", .depressant("zolpidem")), ("eszopiclone", .depressant("eszopiclone")),
        ("gabapentin", .depressant("gabapentin")), ("neurontin", .depressant("gabapentin")),
        ("pregabalin", .depressant("pregabalin")), ("lyrica", .depressant("pregabalin")),
        ("carisoprodol", .depressant("carisoprodol")), ("soma", .depressant("carisoprodol")),
        ("cyclobenzaprine", .depressant("cyclobenzaprine")), ("baclofen", .depressant("baclofen")), ("tizanidine", .depressant("tizanidine")),
        ("phenobarbital", .depressant("phenobarbital")), ("butalbital", .depressant("butalbital")),
    ].sorted { $0.0.count > $1.0.count }

    /// Brand names of extended-release products, so "OxyContin 20 mg" reads as ER without the letters.
    static let extendedReleaseBrands: Set<String> = ["oxycontin", "ms contin", "kadian", "hysingla", "zohydro", "exalgo", "xtampza", "nucynta er"]
    static let transmucosalWords = ["buccal", "lozenge", "lollipop", "sublingual", "nasal", "troche", "film", "spray"]
}
