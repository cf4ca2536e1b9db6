/* avatar_store.h — agents' pictures: files under <server.data_dir>/avatars/ (directory 0700,
 * files 0600) and the staff.avatar column that names them.
 *
 * A file gets a generated name, "<32 random hex>.png" or ".jpg": nothing of the upload (name,
 * type) reaches the file system, and a new picture is a new name, so the name doubles as a
 * strong ETag and a cache-busting version.
 *
 * Crash safety (kill -9 anywhere, power loss): a new file is written under a temporary name,
 * fsync'd, renamed, and the directory fsync'd before the column is set to its name; the
 * previous file is removed only after the column stopped naming it. So the column never names
 * a missing file; a crash between the steps leaves at most an orphan file (a ".*.tmp" or an
 * unnamed picture), which costs disk space and nothing else.
 *
 * Functions taking a `struct db` run on the thread owning that connection; the file functions
 * on any thread. */
#ifndef SB_STAFF_AVATAR_STORE_H
#define SB_STAFF_AVATAR_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "staff/avatar.h"

struct db;

/* Room for a generated name and its NUL: 32 hex + ".png" + NUL. */
#define AVATAR_NAME_MAX 40
/* Hex digits of the name used as the version in avatar URLs. */
#define AVATAR_VERSION_LEN 16

/* True when `name` is a generated name: 32 lowercase hex digits, then ".png" or ".jpg". */
bool avatar_name_valid(const char *name);

/* The kind a valid generated name stores (by its extension); AVATAR_UNKNOWN otherwise. */
enum avatar_kind avatar_name_kind(const char *name);

/* Writes data[0..len) durably as a new file of `kind` in <data_dir>/avatars/ (created 0700
 * when missing) and puts its generated name in name_out. Returns 0, or SB_EIO (nothing left
 * behind but, after a crash, a temporary file). */
int avatar_file_write(const char *data_dir, enum avatar_kind kind, const void *data, size_t len,
                      char name_out[AVATAR_NAME_MAX]);

/* Opens the stored file `name` (a valid generated name) read-only, never following a symlink.
 * Returns 0 with *fd_out (the caller closes it), SB_ENOTFOUND, or SB_EIO. */
int avatar_file_open(const char *data_dir, const char *name, int *fd_out);

/* Removes the stored file `name` if it is a valid generated name. A missing file is fine;
 * other failures are logged (they leave an orphan, never a dangling column). */
void avatar_file_remove(const char *data_dir, const char *name);

/* Reads the avatar column of live agent `id` into name ("" when it has none). Returns 0,
 * SB_ENOTFOUND (no such agent, or deleted), SB_EINTERNAL (the column holds something that is
 * not a generated name) or a database error. */
int avatar_get_name(struct db *db, int64_t id, char name[AVATAR_NAME_MAX]);

/* Points live agent `id`'s avatar at `name` (NULL: no avatar) and returns the name it replaced
 * in old_out ("" for none); the caller removes that file afterwards. A compare-and-swap on the
 * column (retried a few times), so two concurrent changes each learn exactly the name they
 * replaced and no file is removed twice or forgotten. Returns 0, SB_ENOTFOUND (agent gone:
 * nothing changed), SB_ECONFLICT (kept changing under us: nothing changed) or a database error
 * (whether it changed is unknown: never remove `name` then). */
int avatar_replace(struct db *db, int64_t id, const char *name, int64_t now_ms,
                   char old_out[AVATAR_NAME_MAX]);

/* The public URL of agent `id`'s avatar stored as `name`:
 * "/api/v1/agents/<id>/avatar?v=<AVATAR_VERSION_LEN hex of the name>" (a new picture is a new
 * URL, so caches refresh), or JSON null when name is NULL or "". New reference; NULL on
 * ENOMEM. */
json_t *avatar_url_json(int64_t id, const char *name);

#endif
