// Reads a running server's SQLite database from the side, read-only, so
// integration tests can check what was (or was not) stored.
#ifndef SPROUT_TESTS_INTEGRATION_SQLITE_PEEK_H_
#define SPROUT_TESTS_INTEGRATION_SQLITE_PEEK_H_

#include <cstdint>
#include <string>

namespace sprout::testing {

// The first column of the first row of `sql` as an integer (e.g. a count);
// -1 when the file cannot be read or the query fails.
int64_t QueryInt(const std::string& db_file, const std::string& sql);

// The number of rows in `table`.
int64_t CountRows(const std::string& db_file, const std::string& table);

}  // namespace sprout::testing

#endif  // SPROUT_TESTS_INTEGRATION_SQLITE_PEEK_H_
