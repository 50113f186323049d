// File: server/store/sqlite/timed_sync_vfs.cc
#include "server/store/sqlite/timed_sync_vfs.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace sprout::store::sqlite {
namespace {

// The file SQLite allocates (szOsFile bytes) for each open: our header, then
// the real VFS's file. SQLite calls our io methods with &base; each forwards
// to `real` (which points just past this header).
struct TimedFile {
  sqlite3_file base;
  const TimedSyncVfs::Shared* shared;
  const char* kind;
  sqlite3_file* real;
};
static_assert(sizeof(TimedFile) % 8 == 0, "the real file after the header must stay aligned");

sqlite3_file* Real(sqlite3_file* file) { return reinterpret_cast<TimedFile*>(file)->real; }

const TimedSyncVfs::Shared& SharedOf(sqlite3_vfs* vfs) {
  return *static_cast<const TimedSyncVfs::Shared*>(vfs->pAppData);
}
sqlite3_vfs* RealVfs(sqlite3_vfs* vfs) { return SharedOf(vfs).real; }

const char* KindOf(int flags) {
  if ((flags & SQLITE_OPEN_WAL) != 0) return "wal";
  if ((flags & SQLITE_OPEN_MAIN_DB) != 0) return "database";
  return "journal";
}

// ---- io methods: all forward; xSync is timed ----

int Close(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  const TimedFile* file = reinterpret_cast<TimedFile*>(f);
  const absl::Time start = absl::Now();
  const int rc = file->real->pMethods->xSync(file->real, flags);
  if (rc == SQLITE_OK && file->shared->observer) {
    file->shared->observer(file->kind, absl::Now() - start);
  }
  return rc;
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int delete_flag) {
  return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), off, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

// One table per io-methods version, so SQLite never calls a method the real
// file lacks: a file gets the table of its real file's version.
constexpr sqlite3_io_methods MethodsOfVersion(int version) {
  return sqlite3_io_methods{version,
                            Close,
                            Read,
                            Write,
                            Truncate,
                            Sync,
                            FileSize,
                            Lock,
                            Unlock,
                            CheckReservedLock,
                            FileControl,
                            SectorSize,
                            DeviceCharacteristics,
                            version >= 2 ? ShmMap : nullptr,
                            version >= 2 ? ShmLock : nullptr,
                            version >= 2 ? ShmBarrier : nullptr,
                            version >= 2 ? ShmUnmap : nullptr,
                            version >= 3 ? Fetch : nullptr,
                            version >= 3 ? Unfetch : nullptr};
}
constexpr sqlite3_io_methods kMethods[3] = {MethodsOfVersion(1), MethodsOfVersion(2),
                                            MethodsOfVersion(3)};

// ---- VFS methods: xOpen wraps the file; the rest forward ----

int Open(sqlite3_vfs* vfs, const char* name, sqlite3_file* f, int flags, int* out_flags) {
  TimedFile* file = reinterpret_cast<TimedFile*>(f);
  file->shared = &SharedOf(vfs);
  file->kind = KindOf(flags);
  file->real = reinterpret_cast<sqlite3_file*>(file + 1);
  file->real->pMethods = nullptr;
  const int rc = RealVfs(vfs)->xOpen(RealVfs(vfs), name, file->real, flags, out_flags);
  // SQLite calls xClose after a failed open only when pMethods is set.
  const sqlite3_io_methods* real_methods = file->real->pMethods;
  if (real_methods == nullptr) {
    file->base.pMethods = nullptr;
  } else {
    file->base.pMethods = &kMethods[std::clamp(real_methods->iVersion, 1, 3) - 1];
  }
  return rc;
}
int Delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return RealVfs(vfs)->xDelete(RealVfs(vfs), name, sync_dir);
}
int Access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return RealVfs(vfs)->xAccess(RealVfs(vfs), name, flags, out);
}
int FullPathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
  return RealVfs(vfs)->xFullPathname(RealVfs(vfs), name, n, out);
}
void* DlOpen(sqlite3_vfs* vfs, const char* name) {
  return RealVfs(vfs)->xDlOpen(RealVfs(vfs), name);
}
void DlError(sqlite3_vfs* vfs, int n, char* out) { RealVfs(vfs)->xDlError(RealVfs(vfs), n, out); }
void (*DlSym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return RealVfs(vfs)->xDlSym(RealVfs(vfs), handle, symbol);
}
void DlClose(sqlite3_vfs* vfs, void* handle) { RealVfs(vfs)->xDlClose(RealVfs(vfs), handle); }
int Randomness(sqlite3_vfs* vfs, int n, char* out) {
  return RealVfs(vfs)->xRandomness(RealVfs(vfs), n, out);
}
int Sleep(sqlite3_vfs* vfs, int micros) { return RealVfs(vfs)->xSleep(RealVfs(vfs), micros); }
int CurrentTime(sqlite3_vfs* vfs, double* out) {
  return RealVfs(vfs)->xCurrentTime(RealVfs(vfs), out);
}
int GetLastError(sqlite3_vfs* vfs, int n, char* out) {
  return RealVfs(vfs)->xGetLastError(RealVfs(vfs), n, out);
}
int CurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return RealVfs(vfs)->xCurrentTimeInt64(RealVfs(vfs), out);
}
int SetSystemCall(sqlite3_vfs* vfs, const char* name, sqlite3_syscall_ptr call) {
  return RealVfs(vfs)->xSetSystemCall(RealVfs(vfs), name, call);
}
sqlite3_syscall_ptr GetSystemCall(sqlite3_vfs* vfs, const char* name) {
  return RealVfs(vfs)->xGetSystemCall(RealVfs(vfs), name);
}
const char* NextSystemCall(sqlite3_vfs* vfs, const char* name) {
  return RealVfs(vfs)->xNextSystemCall(RealVfs(vfs), name);
}

}  // namespace

absl::StatusOr<std::unique_ptr<TimedSyncVfs>> TimedSyncVfs::Register(SyncObserver observer) {
  sqlite3_initialize();
  sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
  if (real == nullptr) return absl::FailedPreconditionError("SQLite has no default VFS");
  // Each store registers its own, so each reports to its own observer.
  static std::atomic<int> next_id{0};
  std::unique_ptr<TimedSyncVfs> vfs(new TimedSyncVfs(
      absl::StrCat("sprout-timed-sync-", next_id.fetch_add(1)), real, std::move(observer)));
  const int rc = sqlite3_vfs_register(&vfs->vfs_, /*makeDflt=*/0);
  if (rc != SQLITE_OK) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot register the SQLite VFS: ", sqlite3_errstr(rc)));
  }
  return vfs;
}

TimedSyncVfs::TimedSyncVfs(std::string name, sqlite3_vfs* real, SyncObserver observer)
    : name_(std::move(name)), shared_{real, std::move(observer)}, vfs_{} {
  // Never above version 3: the fields after it are not in this SQLite.
  vfs_.iVersion = real->iVersion < 3 ? real->iVersion : 3;
  vfs_.szOsFile = static_cast<int>(sizeof(TimedFile)) + real->szOsFile;
  vfs_.mxPathname = real->mxPathname;
  vfs_.zName = name_.c_str();
  vfs_.pAppData = &shared_;
  vfs_.xOpen = Open;
  vfs_.xDelete = Delete;
  vfs_.xAccess = Access;
  vfs_.xFullPathname = FullPathname;
  vfs_.xDlOpen = DlOpen;
  vfs_.xDlError = DlError;
  vfs_.xDlSym = DlSym;
  vfs_.xDlClose = DlClose;
  vfs_.xRandomness = Randomness;
  vfs_.xSleep = Sleep;
  vfs_.xCurrentTime = CurrentTime;
  vfs_.xGetLastError = GetLastError;
  if (vfs_.iVersion >= 2) vfs_.xCurrentTimeInt64 = CurrentTimeInt64;
  if (vfs_.iVersion >= 3) {
    vfs_.xSetSystemCall = SetSystemCall;
    vfs_.xGetSystemCall = GetSystemCall;
    vfs_.xNextSystemCall = NextSystemCall;
  }
}

TimedSyncVfs::~TimedSyncVfs() { sqlite3_vfs_unregister(&vfs_); }

}  // namespace sprout::store::sqlite
