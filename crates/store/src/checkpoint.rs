//! SQLite WAL checkpoints off the writer's path.
//
//! Why: by default the connection whose commit takes the write-ahead log past 1,000 pages copies
//! the log into the database file and syncs it before `COMMIT` returns, so one request in a
//! thousand pays for everyone's writes (a 200,000-row import paid about a quarter of a second).
//! Every pooled connection instead gets a WAL hook that, past the same threshold, asks one
//! background thread to run a PASSIVE checkpoint on its own short-lived connection. Durability is
//! unchanged (a committed transaction is in the log, which SQLite replays after a crash); PASSIVE
//! never blocks readers or writers, exactly like the automatic checkpoint it replaces.

//!
//! Under a mixed load the write-ahead log grew without bound (266 MiB beside a 13 MiB database
//! after a minute, never shrinking): readers are always active, so a PASSIVE checkpoint never
//! reaches the end of the log and the log is never reset. When the log file passes the limit
//! ([`set_wal_limit`], 64 MiB by default) the background thread therefore runs a RESTART
//! checkpoint, which waits (up to a second) for the readers to move to the latest snapshot and
//! then lets the next writer start the log from the beginning; `journal_size_limit` (set on every
//! connection to the same figure) truncates the file back when that happens. The log is also
//! truncated to nothing when the database is opened and closed.

use libsqlite3_sys as ffi;
use std::collections::HashSet;
use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Mutex, OnceLock};

/// Size of the write-ahead log past which a RESTART checkpoint is run (bytes).
static WAL_LIMIT: AtomicU64 = AtomicU64::new(64 * 1024 * 1024);

/// Sets the size of the write-ahead log past which the checkpointer resets it (process-wide).
pub fn set_wal_limit(bytes: u64) {
    WAL_LIMIT.store(bytes.max(1024 * 1024), Ordering::Relaxed);
}

/// The current limit (for `journal_size_limit`).
pub fn wal_limit() -> u64 {
    WAL_LIMIT.load(Ordering::Relaxed)
}

/// The size of the log file beside `db_path`, or 0.
pub fn wal_size(db_path: &std::path::Path) -> u64 {
    let mut p = db_path.as_os_str().to_owned();
    p.push("-wal");
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

/// SQLite's own automatic-checkpoint threshold, in log frames (pages).
const FRAMES: c_int = 1000;

struct Checkpointer {
    /// `None` when the thread could not start: the hook then checkpoints in place, as SQLite
    /// would have.
    queue: Option<mpsc::Sender<CString>>,
    /// Files with a checkpoint asked for and not yet begun (one request per file is enough).
    pending: Mutex<HashSet<CString>>,
}

static CHECKPOINTER: OnceLock<Checkpointer> = OnceLock::new();

fn checkpointer() -> &'static Checkpointer {
    CHECKPOINTER.get_or_init(|| {
        let (queue, requests) = mpsc::channel::<CString>();
        let started = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                for path in requests {
                    if let Some(c) = CHECKPOINTER.get() {
                        if let Ok(mut p) = c.pending.lock() {
                            p.remove(&path);
                        }
                    }
                    checkpoint(&path);
                }
            })
            .is_ok();
        Checkpointer {
            queue: started.then_some(queue),
            pending: Mutex::new(HashSet::new()),
        }
    })
}

/// A PASSIVE checkpoint of the database file at `path`, on a connection of its own; then, if the
/// log has grown past the limit, a RESTART one (see the module's comment).
fn checkpoint(path: &CStr) {
    // SAFETY: a private handle, closed on every path (sqlite3_open_v2 allocates one even when
    // it fails); the checkpoint touches only that handle.
    unsafe {
        let mut db: *mut ffi::sqlite3 = std::ptr::null_mut();
        let rc = ffi::sqlite3_open_v2(
            path.as_ptr(),
            &mut db,
            ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_NOMUTEX,
            std::ptr::null(),
        );
        if rc == ffi::SQLITE_OK {
            ffi::sqlite3_busy_timeout(db, 1000);
            // A fresh connection knows the file is in WAL mode only once it has read it; until
            // then a checkpoint is a no-op.
            ffi::sqlite3_exec(
                db,
                c"PRAGMA journal_mode".as_ptr(),
                None,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            );
            ffi::sqlite3_wal_checkpoint_v2(
                db,
                std::ptr::null(),
                ffi::SQLITE_CHECKPOINT_PASSIVE,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            );
            let file = std::path::Path::new(
                <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(path.to_bytes()),
            );
            if wal_size(file) > wal_limit() {
                ffi::sqlite3_wal_checkpoint_v2(
                    db,
                    std::ptr::null(),
                    ffi::SQLITE_CHECKPOINT_RESTART,
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                );
            }
        }
        ffi::sqlite3_close(db);
    }
}

/// The WAL hook: called by SQLite after each commit with the number of frames in the log.
///
/// # Safety
/// Called by SQLite only, with the committing connection and a database name it owns.
unsafe extern "C" fn on_commit(
    _: *mut c_void,
    db: *mut ffi::sqlite3,
    name: *const c_char,
    frames: c_int,
) -> c_int {
    if frames < FRAMES {
        return ffi::SQLITE_OK;
    }
    let file = ffi::sqlite3_db_filename(db, name);
    if file.is_null() || *file == 0 {
        return ffi::SQLITE_OK;
    }
    let path = CStr::from_ptr(file).to_owned();
    let c = checkpointer();
    let fresh = c.pending.lock().map(|mut p| p.insert(path.clone()));
    match (&c.queue, fresh) {
        (Some(q), Ok(true)) => {
            if q.send(path).is_err() {
                ffi::sqlite3_wal_checkpoint(db, name);
            }
        }
        (Some(_), Ok(false)) => {}
        _ => {
            ffi::sqlite3_wal_checkpoint(db, name);
        }
    }
    ffi::SQLITE_OK
}

/// Puts the hook on a connection (replacing SQLite's automatic checkpoint on it).
///
/// # Safety
/// `db` must be an open connection that no other thread uses meanwhile.
pub(crate) unsafe fn install(db: *mut ffi::sqlite3) {
    ffi::sqlite3_wal_hook(db, Some(on_commit), std::ptr::null_mut());
}
