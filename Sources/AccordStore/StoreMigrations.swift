import AccordSchema
import GRDB

/// The numbered SQL files in `schema/sqlite/`, applied in order as GRDB migrations named after the files.
enum StoreMigrations {
    static func migrator() throws(StoreError) -> DatabaseMigrator {
        let files: [SchemaResources.Migration]
        do { files = try SchemaResources.sqliteMigrations() } catch {
            throw StoreError(.io, "Accord's schema files are missing from its installation (\(error)); reinstall Accord.")
        }
        var migrator = DatabaseMigrator()
        for file in files {
            migrator.registerMigration(file.name) { db in
                SchemaFunctions.register(in: db)
                try db.execute(sql: file.sql())
            }
        }
        return migrator
    }
}
