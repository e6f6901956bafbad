import AccordCore
import GRDB

/// The site and clinician a store writes as, fixed when the store is created.
public struct StoreIdentity: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    /// The table that holds the store's one identity row.
    public static let databaseTableName = "store_identity"

    /// The site that writes at this store.
    public var site: String
    /// The clinician's id, the author of every entry written here.
    public var clinicianID: String
    /// The clinician's printed name.
    public var clinicianName: String
    /// When the store was made, as an ISO 8601 UTC time.
    public var createdAt: String
    /// This store's own random id, sent with every sync: the server sends the store every event of its
    /// site written elsewhere, including at other stores of the same site, and never echoes its own events back.
    public var storeID: String

    enum CodingKeys: String, CodingKey {
        case site
        case clinicianID = "clinician_id"
        case clinicianName = "clinician_name"
        case createdAt = "created_at"
        case storeID = "store_id"
    }

    /// The one row, always key 1.
    public func encode(to container: inout PersistenceContainer) {
        container["singleton"] = 1
        container[CodingKeys.site.rawValue] = site
        container[CodingKeys.clinicianID.rawValue] = clinicianID
        container[CodingKeys.clinicianName.rawValue] = clinicianName
        container[CodingKeys.createdAt.rawValue] = createdAt
        container[CodingKeys.storeID.rawValue] = storeID
    }
}

extension StoreIdentity {
    /// A new identity for a store being created: a new clinician id and a new store id.
    static func new(site: String, clinicianName: String, at now: Int64) -> StoreIdentity {
        StoreIdentity(site: site, clinicianID: Identifiers.make(), clinicianName: clinicianName,
                      createdAt: Timestamp.iso8601(epochMilliseconds: now), storeID: Identifiers.make())
    }
}
