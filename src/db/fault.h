/* fault.h — fault injection for the storage layer (SQLite's fault.c idea): tests make the next
 * N database operations fail with a chosen error so the error paths are really exercised.
 *
 * Global and thread-safe (atomics). Checked at the start of db_exec/db_prepare/db_step/
 * db_begin/db_commit/db_ping on every connection. */
#ifndef SB_DB_FAULT_H
#define SB_DB_FAULT_H

enum db_fault_kind {
    DB_FAULT_NONE = 0,
    DB_FAULT_BUSY, /* behaves as SQLITE_BUSY -> SB_EBUSY */
    DB_FAULT_FULL, /* behaves as SQLITE_FULL -> SB_EIO */
    DB_FAULT_LOST, /* connection lost -> SB_EUNAVAIL; a PG connection is really dropped */
};

/* Arms a fault for the next `count` operations (count < 0: until db_fault_clear()). */
void db_fault_set(enum db_fault_kind kind, int count);

/* Disarms. */
void db_fault_clear(void);

/* Parses "busy" | "full" | "lost"; returns DB_FAULT_NONE for anything else. */
enum db_fault_kind db_fault_parse(const char *s);

/* For the backends: consumes one armed fault if any and returns its kind. */
enum db_fault_kind db_fault_take(void);

#endif
