import AccordCore
import GRDB

/// A patient as the directory lists them: enough to find and name them without reading their events.
public struct PatientDirectoryEntry: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "patient_directory"

    public var id: String
    public var name: String
    public var born: LocalDate
    public var mrn: String?

    enum CodingKeys: String, CodingKey {
        case id = "patient", name, born, mrn
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let name = Column(CodingKeys.name)
        public static let mrn = Column(CodingKeys.mrn)
    }
}
