import GRDB

/// The site and clinician a store writes as, fixed when the store is created.
public struct StoreIdentity: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "store_identity"

    public var site: String
    public var clinicianID: String
    public var clinicianName: String
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case site
        case clinicianID = "clinician_id"
        case clinicianName = "clinician_name"
        case createdAt = "created_at"
    }

    public func encode(to container: inout PersistenceContainer) {
        container["singleton"] = 1
        container[CodingKeys.site.rawValue] = site
        container[CodingKeys.clinicianID.rawValue] = clinicianID
        container[CodingKeys.clinicianName.rawValue] = clinicianName
        container[CodingKeys.createdAt.rawValue] = createdAt
    }
}
