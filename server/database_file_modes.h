// File: server/database_file_modes.h
//
// The start-up check that a SQLite database's files are private: they hold
// patient data (sealed, but still), so others on the machine must not read them.
#ifndef SPROUT_SERVER_DATABASE_FILE_MODES_H_
#define SPROUT_SERVER_DATABASE_FILE_MODES_H_

#include <string>

namespace sprout {

// Logs one warning for each of the SQLite database's files, and its folder,
// that others on this machine may read: they hold patient data. (Sproutd
// creates them private; this catches copies, restores and old installs.) A
// PostgreSQL connection string names no file, so reports nothing.
void ReportDatabaseFilesOpenToOthers(const std::string& db);

}  // namespace sprout

#endif  // SPROUT_SERVER_DATABASE_FILE_MODES_H_
