import Foundation
import GRDB

/// Turns SQLite's result codes into messages a clinician or site administrator can act on.
enum StoreErrorMapping {
    static func map(_ error: DatabaseError, directory: URL) -> StoreError {
        let path = directory.path
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreError(.busy, "The store at \(path) is locked by another program; try again in a moment. Nothing was written.")
        case .SQLITE_CORRUPT, .SQLITE_NOTADB:
            return StoreError(.damaged, "The store at \(path) is damaged (its database file is not readable as Accord's); restore it from a backup or sync it again from the server. Nothing was written.")
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return StoreError(.readOnly, "The store at \(path) is read-only; check the permissions of the folder and its files. Nothing was written.")
        case .SQLITE_CANTOPEN:
            return StoreError(.readOnly, "The store at \(path) cannot be opened; check that the folder exists and that you may write to it. Nothing was written.")
        case .SQLITE_FULL:
            return StoreError(.diskFull, "The disk holding the store at \(path) is full; free some space and try again. Nothing was written.")
        case .SQLITE_IOERR:
            return StoreError(.io, "The store at \(path) could not be read or written (input/output error); check the disk. Nothing was written.")
        case .SQLITE_CONSTRAINT:
            return StoreError(.invalid, "The store refused the change: \(error.message ?? "a constraint failed"). Nothing was written.")
        default:
            return StoreError(.io, "The store at \(path) failed (SQLite code \(error.resultCode.rawValue)). Nothing was written.")
        }
    }
}
