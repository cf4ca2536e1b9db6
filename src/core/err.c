#include "core/err.h"

struct err_row {
    int status;
    const char *title;
    const char *name;
};

/* Indexed by -err. */
static const struct err_row err_table[] = {
    [0] = {200, "OK", "SB_OK"},
    [1] = {500, "Out of Memory", "SB_ENOMEM"},
    [2] = {400, "Bad Request", "SB_EINVAL"},
    [3] = {404, "Not Found", "SB_ENOTFOUND"},
    [4] = {409, "Conflict", "SB_ECONFLICT"},
    [5] = {413, "Content Too Large", "SB_ETOOBIG"},
    [6] = {503, "Service Unavailable", "SB_EBUSY"},
    [7] = {503, "Service Unavailable", "SB_EIO"},
    [8] = {503, "Service Unavailable", "SB_EUNAVAIL"},
    [9] = {503, "Service Unavailable", "SB_EFULL"},
    [10] = {401, "Unauthorized", "SB_EAUTH"},
    [11] = {403, "Forbidden", "SB_EFORBIDDEN"},
    [12] = {429, "Too Many Requests", "SB_ETHROTTLED"},
    [13] = {422, "Unprocessable Content", "SB_EINVALID"},
    [14] = {500, "Internal Server Error", "SB_EINTERNAL"},
    [15] = {405, "Method Not Allowed", "SB_EMETHOD"},
};

_Static_assert(sizeof(err_table) / sizeof(err_table[0]) == -SB_ERR_MIN_,
               "err_table needs one row per code");

/* An unknown code is a bug somewhere; answer 500 but keep the log honest about it. */
static const struct err_row err_unknown = {500, "Internal Server Error", "SB_EUNKNOWN"};

static const struct err_row *err_row_of(int err)
{
    if (err > 0 || err <= SB_ERR_MIN_)
        return &err_unknown;
    return &err_table[-err];
}

int sb_err_status(int err)
{
    return err_row_of(err)->status;
}

const char *sb_err_title(int err)
{
    return err_row_of(err)->title;
}

const char *sb_err_name(int err)
{
    return err_row_of(err)->name;
}
