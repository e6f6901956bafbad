import AccordCore
import GRDB

/// A patient as the directory lists them: enough to find and name them without reading their events.
public struct PatientDirectoryEntry: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    /// The table that caches each patient's name, birth date and MRN.
    public static let databaseTableName = "patient_directory"

    /// The patient's id.
    public var id: String
    /// The patient's name, as last corrected.
    public var name: String
    /// The patient's birth date.
    public var born: LocalDate
    /// The patient's medical record number at this site.
    public var mrn: String?

    enum CodingKeys: String, CodingKey {
        case id = "patient", name, born, mrn
    }

    /// The columns, for queries.
    public enum Columns {
        /// The patient's id.
        public static let id = Column(CodingKeys.id)
        /// The patient's name.
        public static let name = Column(CodingKeys.name)
        /// The patient's MRN.
        public static let mrn = Column(CodingKeys.mrn)
    }
}
