#include "staff/avatar_store.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/log.h"
#include "db/db.h"

/* Attempts of the compare-and-swap before giving up (each loses only to another change of the
 * same agent's avatar that committed in between). */
#define AVATAR_SWAP_TRIES 8

_Static_assert(AVATAR_NAME_MAX >= 32 + 4 + 1, "a generated name and its NUL must fit");

bool avatar_name_valid(const char *name)
{
    if (!name || strlen(name) != 36)
        return false;
    for (int i = 0; i < 32; i++)
        if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
            return false;
    return !strcmp(name + 32, ".png") || !strcmp(name + 32, ".jpg");
}

enum avatar_kind avatar_name_kind(const char *name)
{
    if (!avatar_name_valid(name))
        return AVATAR_UNKNOWN;
    return !strcmp(name + 32, ".png") ? AVATAR_PNG : AVATAR_JPEG;
}

/* Opens <data_dir>/avatars as a directory, creating it 0700 (and making its name durable)
 * when missing. Never follows a symlink in its place. Returns the fd or -1. */
static int open_dir(const char *data_dir)
{
    char dir[600];
    int n = snprintf(dir, sizeof(dir), "%s/avatars", data_dir);
    if (n < 0 || (size_t)n >= sizeof(dir))
        return -1;
    if (mkdir(dir, 0700) == 0) {
        int pfd = open(data_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pfd < 0 || fsync(pfd) != 0)
            log_warn("avatars: cannot fsync %s: %s", data_dir, strerror(errno));
        if (pfd >= 0)
            close(pfd);
    } else if (errno != EEXIST) {
        log_error("avatars: cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0)
        log_error("avatars: cannot open %s: %s", dir, strerror(errno));
    return dfd;
}

static int write_all(int fd, const unsigned char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return SB_EIO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int avatar_file_write(const char *data_dir, enum avatar_kind kind, const void *data, size_t len,
                      char name_out[AVATAR_NAME_MAX])
{
    const char *ext = avatar_kind_ext(kind);
    if (!ext)
        return SB_EINVAL;
    int dfd = open_dir(data_dir);
    if (dfd < 0)
        return SB_EIO;
    unsigned char rnd[16];
    char hex[33], tmp[48], name[AVATAR_NAME_MAX];
    randombytes_buf(rnd, sizeof(rnd));
    sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
    snprintf(tmp, sizeof(tmp), ".%s.tmp", hex);
    snprintf(name, sizeof(name), "%s.%s", hex, ext);
    int rc = 0;
    int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        rc = SB_EIO;
    /* umask can only clear bits, but an inherited default ACL could add some: say 0600. */
    if (!rc && fchmod(fd, 0600) != 0)
        rc = SB_EIO;
    if (!rc)
        rc = write_all(fd, data, len);
    if (!rc && fsync(fd) != 0)
        rc = SB_EIO;
    if (fd >= 0 && close(fd) != 0 && !rc)
        rc = SB_EIO;
    /* Only now may the final name appear, and it must survive a crash before the column can
     * name it. */
    if (!rc && renameat(dfd, tmp, dfd, name) != 0)
        rc = SB_EIO;
    if (!rc && fsync(dfd) != 0) {
        unlinkat(dfd, name, 0);
        rc = SB_EIO;
    }
    if (rc) {
        log_error("avatars: cannot store a file: %s", strerror(errno));
        if (fd >= 0)
            unlinkat(dfd, tmp, 0);
    } else {
        memcpy(name_out, name, sizeof(name));
    }
    close(dfd);
    return rc;
}

int avatar_file_open(const char *data_dir, const char *name, int *fd_out)
{
    if (!avatar_name_valid(name))
        return SB_ENOTFOUND;
    char path[600];
    int n = snprintf(path, sizeof(path), "%s/avatars/%s", data_dir, name);
    if (n < 0 || (size_t)n >= sizeof(path))
        return SB_EIO;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? SB_ENOTFOUND : SB_EIO;
    *fd_out = fd;
    return 0;
}

void avatar_file_remove(const char *data_dir, const char *name)
{
    if (!avatar_name_valid(name))
        return;
    char path[600];
    int n = snprintf(path, sizeof(path), "%s/avatars/%s", data_dir, name);
    if (n < 0 || (size_t)n >= sizeof(path))
        return;
    if (unlink(path) != 0 && errno != ENOENT)
        log_warn("avatars: cannot remove %s (left as an orphan): %s", name, strerror(errno));
}

int avatar_get_name(struct db *db, int64_t id, char name[AVATAR_NAME_MAX])
{
    name[0] = 0;
    struct db_stmt *st;
    int r = db_prepare(db,
                       "SELECT s.avatar FROM staff s JOIN agents g ON g.staff_id = s.id WHERE "
                       "s.id = ? AND s.deleted_at IS NULL",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        const char *v = db_col_text(st, 0);
        r = 0;
        if (v && !avatar_name_valid(v))
            r = SB_EINTERNAL;
        else if (v)
            snprintf(name, AVATAR_NAME_MAX, "%s", v);
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

int avatar_replace(struct db *db, int64_t id, const char *name, int64_t now_ms,
                   char old_out[AVATAR_NAME_MAX])
{
    for (int attempt = 0; attempt < AVATAR_SWAP_TRIES; attempt++) {
        int r = avatar_get_name(db, id, old_out);
        if (r)
            return r;
        int64_t changes = 0;
        r = db_execf(db, &changes,
                     "UPDATE staff SET avatar = ?, updated_at = ? WHERE id = ? AND deleted_at IS "
                     "NULL AND COALESCE(avatar, '') = ?",
                     "tiit", name, now_ms, id, old_out);
        if (r)
            return r;
        if (changes == 1)
            return 0;
    }
    old_out[0] = 0;
    return SB_ECONFLICT;
}

json_t *avatar_url_json(int64_t id, const char *name)
{
    if (!name || !*name)
        return json_null();
    char url[96];
    snprintf(url, sizeof(url), "/api/v1/agents/%lld/avatar?v=%.*s", (long long)id,
             AVATAR_VERSION_LEN, name);
    return json_string(url);
}
