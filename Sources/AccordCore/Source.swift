/// A short citation shown beside every rule and item Accord presents, so a clinician can see where it comes from.
public enum Source: String, Codable, Sendable, CaseIterable {
    case cdc2022 = "CDC 2022 opioid guideline (MMWR RR-71(3))"
    case hhs2019 = "HHS 2019 guide to opioid dose reduction and discontinuation"
    case mmeGuide = "HL7/CDC opioid MME implementation guide, release 3.0.0"
    case cdc2016 = "CDC 2016 opioid guideline (superseded; shown for reference)"
}
