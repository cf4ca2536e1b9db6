/* sqlite_vfs.c — a VFS shim that counts fsyncs, so tests and metrics can see how many
 * durable commits group commit really saved.
 *
 * Instead of wrapping every file method, the shim lets the real VFS open the file in place
 * and then swaps the file's method table for a copy that differs only in xSync. The copy
 * sits in a slot next to the real table, so xSync finds the original through its own
 * pMethods pointer without any lookup. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/log.h"
#include "db/db_impl.h"
#include "db/writer.h"

/* The unix VFS uses a handful of method tables (one per locking style); a few slots cover
 * them all. Files whose table does not fit are opened unwrapped (not counted). */
#define VFS_MAX_METHODS 8

struct vfs_methods_slot {
    const sqlite3_io_methods *real;
    sqlite3_io_methods shim;
};

static sqlite3_vfs vfs_shim;
static sqlite3_vfs *vfs_real;
static struct vfs_methods_slot vfs_slots[VFS_MAX_METHODS];
static int vfs_nslots;
static pthread_mutex_t vfs_slots_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t vfs_once = PTHREAD_ONCE_INIT;
static int vfs_install_rc;
static _Atomic uint64_t vfs_syncs;

static int vfs_sync(sqlite3_file *f, int flags)
{
    const struct vfs_methods_slot *slot =
        (const struct vfs_methods_slot *)((const char *)f->pMethods -
                                          offsetof(struct vfs_methods_slot, shim));
    atomic_fetch_add_explicit(&vfs_syncs, 1, memory_order_relaxed);
    return slot->real->xSync(f, flags);
}

static const sqlite3_io_methods *vfs_methods_for(const sqlite3_io_methods *real)
{
    const sqlite3_io_methods *found = real;
    pthread_mutex_lock(&vfs_slots_lock);
    for (int i = 0; i < vfs_nslots; i++) {
        if (vfs_slots[i].real == real) {
            found = &vfs_slots[i].shim;
            goto done;
        }
    }
    if (vfs_nslots < VFS_MAX_METHODS && real->xSync) {
        struct vfs_methods_slot *slot = &vfs_slots[vfs_nslots++];
        slot->real = real;
        slot->shim = *real;
        slot->shim.xSync = vfs_sync;
        found = &slot->shim;
    }
done:
    pthread_mutex_unlock(&vfs_slots_lock);
    return found;
}

static int vfs_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
                    int *out_flags)
{
    int rc = vfs_real->xOpen(vfs_real, name, f, flags, out_flags);
    if (rc == SQLITE_OK && f->pMethods)
        f->pMethods = vfs_methods_for(f->pMethods);
    return rc;
}

static void vfs_install_once(void)
{
    vfs_real = sqlite3_vfs_find(NULL);
    if (!vfs_real) {
        vfs_install_rc = SB_EIO;
        return;
    }
    /* Everything but xOpen is the real VFS's own (same pAppData, sizes and limits). */
    vfs_shim = *vfs_real;
    vfs_shim.pNext = NULL;
    vfs_shim.zName = "sb-sync-count";
    vfs_shim.xOpen = vfs_open;
    int rc = sqlite3_vfs_register(&vfs_shim, 1);
    if (rc != SQLITE_OK) {
        log_error("sqlite: cannot register the VFS shim: %s", sqlite3_errstr(rc));
        vfs_install_rc = SB_EIO;
    }
}

int db_sqlite_vfs_install(void)
{
    pthread_once(&vfs_once, vfs_install_once);
    return vfs_install_rc;
}

uint64_t db_sqlite_sync_count(void)
{
    return atomic_load(&vfs_syncs);
}
