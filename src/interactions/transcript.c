#include "interactions/transcript.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/err.h"
#include "db/db.h"

static const char *or_empty(const char *s)
{
    return s ? s : "";
}

/* Appends `text`, indenting the lines after the first by four spaces (a CR LF or a lone CR
 * counts as a line end too), so each message starts its own line. */
static int add_text(struct buf *b, const char *text)
{
    int r = 0;
    for (const char *p = or_empty(text); !r && *p; p++) {
        if (*p == '\r' && p[1] == '\n')
            continue;
        r = *p == '\n' || *p == '\r' ? buf_adds(b, "\n    ") : buf_add(b, p, 1);
    }
    return r ? r : buf_adds(b, "\n");
}

/* The header: what the interaction is. */
static int add_header(struct db *db, int64_t id, const struct transcript_contact *c, struct buf *b)
{
    struct db_stmt *st = NULL;
    int r = db_prepare(db,
                       "SELECT channel, account_id, status, disposition, tags, created_at, "
                       "closed_at FROM interactions WHERE id = ?",
                       &st);
    if (!r)
        r = db_bind_int64(st, 1, id);
    if (!r)
        r = db_step(st);
    if (r == DB_ROW) {
        char t1[32], t2[32];
        json_t *tags = json_loads(or_empty(db_col_text(st, 4)), 0, NULL);
        r = buf_addf(b,
                     "Interaction %lld (%s, account %lld)\nContact: %s %s <%s> %s\nStatus: %s\n"
                     "Created: %s\nClosed: %s\nDisposition: %s\nTags: ",
                     (long long)id, db_col_text(st, 0), (long long)db_col_int64(st, 1),
                     or_empty(c->first_name), or_empty(c->last_name), or_empty(c->phone),
                     or_empty(c->email), db_col_text(st, 2), clock_iso8601(db_col_int64(st, 5), t1),
                     db_col_is_null(st, 6) ? "-" : clock_iso8601(db_col_int64(st, 6), t2),
                     db_col_text(st, 3) ? db_col_text(st, 3) : "-");
        size_t i;
        json_t *t;
        json_array_foreach(tags, i, t)
        {
            if (!r)
                r = buf_addf(b, "%s%s", i ? ", " : "", or_empty(json_string_value(t)));
        }
        json_decref(tags);
        if (!r)
            r = buf_adds(b, "\n\n");
    } else if (r == DB_DONE) {
        r = SB_ENOTFOUND;
    }
    db_finalize(st);
    return r;
}

/* The contact's name for inbound lines: first and last name, else the phone, else e-mail. */
static void contact_label(const struct transcript_contact *c, char *out, size_t cap)
{
    if ((c->first_name && *c->first_name) || (c->last_name && *c->last_name))
        snprintf(out, cap, "%s%s%s", or_empty(c->first_name),
                 c->first_name && *c->first_name && c->last_name && *c->last_name ? " " : "",
                 or_empty(c->last_name));
    else
        snprintf(out, cap, "%s", c->phone ? c->phone : c->email ? c->email : "contact");
}

static int add_messages(struct db *db, int64_t id, const struct transcript_contact *c,
                        struct buf *b, json_t *index)
{
    char who[300];
    contact_label(c, who, sizeof(who));
    struct db_stmt *st = NULL;
    int r = db_prepare(db,
                       "SELECT m.id, m.direction, m.body, m.attachments, m.internal, m.created_at, "
                       "s.full_name, s.username, m.sender_id FROM messages m LEFT JOIN staff s ON "
                       "s.id = m.sender_id WHERE m.interaction_id = ? ORDER BY m.id LIMIT ?",
                       &st);
    if (!r)
        r = db_bind_all(st, "ii", id, (int64_t)TRANSCRIPT_MAX_MESSAGES + 1);
    size_t n = 0;
    while (!r && (r = db_step(st)) == DB_ROW) {
        if (++n > TRANSCRIPT_MAX_MESSAGES) {
            r = SB_ETOOBIG;
            break;
        }
        char t[32], author[300];
        clock_iso8601(db_col_int64(st, 5), t);
        bool in = !strcmp(db_col_text(st, 1), "in"), note = db_col_int64(st, 4) != 0;
        if (in)
            snprintf(author, sizeof(author), "%s", who);
        else if (!db_col_is_null(st, 8))
            snprintf(author, sizeof(author), "%s",
                     db_col_text(st, 6) && *db_col_text(st, 6) ? db_col_text(st, 6)
                                                               : or_empty(db_col_text(st, 7)));
        else
            snprintf(author, sizeof(author), "system");
        r = buf_addf(b, "%s %s %s: ", t, in ? "IN" : note ? "NOTE" : "OUT", author);
        if (!r)
            r = add_text(b, db_col_text(st, 2));
        json_t *att = json_loads(or_empty(db_col_text(st, 3)), 0, NULL);
        size_t i;
        json_t *a;
        json_array_foreach(att, i, a)
        {
            json_t *ref =
                json_pack("{s:I, s:s, s:O?, s:O?}", "message_id", (json_int_t)db_col_int64(st, 0),
                          "created_at", t, "url", json_object_get(a, "url"), "content_type",
                          json_object_get(a, "content_type"));
            if (!ref || json_array_append_new(index, ref))
                r = SB_ENOMEM;
        }
        json_decref(att);
    }
    db_finalize(st);
    return r == DB_DONE ? 0 : r;
}

/* Adds `data` (len bytes, copied by libzip on close: freed by it) as `name`. */
static int zip_put(zip_t *z, const char *name, char *data, size_t len)
{
    zip_source_t *src = zip_source_buffer(z, data, len, 1);
    if (!src) {
        free(data);
        return SB_ENOMEM;
    }
    zip_int64_t idx = zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
        zip_source_free(src);
        return SB_EIO;
    }
    zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 6);
    return 0;
}

/* Reads the whole archive written into `src` (kept alive by zip_source_keep). */
static int source_take(zip_source_t *src, void **out, size_t *len)
{
    zip_stat_t zs;
    if (zip_source_open(src) < 0)
        return SB_EIO;
    int r = 0;
    if (zip_source_stat(src, &zs) < 0 || !(zs.valid & ZIP_STAT_SIZE))
        r = SB_EIO;
    char *data = r ? NULL : malloc(zs.size ? zs.size : 1);
    if (!r && !data)
        r = SB_ENOMEM;
    if (!r && zip_source_read(src, data, zs.size) != (zip_int64_t)zs.size)
        r = SB_EIO;
    zip_source_close(src);
    if (r) {
        free(data);
        return r;
    }
    *out = data;
    *len = zs.size;
    return 0;
}

int transcript_zip(struct db *db, int64_t id, const struct transcript_contact *contact,
                   size_t max_bytes, void **zip, size_t *len)
{
    *zip = NULL;
    *len = 0;
    struct buf b;
    buf_init(&b, max_bytes);
    json_t *index = json_array();
    int r = index ? add_header(db, id, contact, &b) : SB_ENOMEM;
    if (!r)
        r = add_messages(db, id, contact, &b, index);
    char *idx = r ? NULL : json_dumps(index, JSON_INDENT(2));
    json_decref(index);
    if (!r && !idx)
        r = SB_ENOMEM;
    if (!r && strlen(idx) > max_bytes - b.len)
        r = SB_ETOOBIG; /* the index counts towards the same cap */
    if (r) {
        free(idx);
        buf_free(&b);
        return r;
    }
    size_t tlen;
    char *text = buf_take(&b, &tlen);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *z = mem ? zip_open_from_source(mem, ZIP_TRUNCATE, &ze) : NULL;
    if (!z) {
        free(text);
        free(idx);
        zip_source_free(mem);
        zip_error_fini(&ze);
        return SB_ENOMEM;
    }
    zip_source_keep(mem); /* survives zip_close, which writes the archive into it */
    r = text ? zip_put(z, "transcript.txt", text, tlen) : SB_ENOMEM;
    if (!r)
        r = zip_put(z, "attachments/index.json", idx, strlen(idx));
    else
        free(idx);
    if (r) {
        zip_discard(z);
    } else if (zip_close(z) < 0) {
        zip_discard(z);
        r = SB_EIO;
    }
    if (!r)
        r = source_take(mem, zip, len);
    zip_source_free(mem);
    zip_error_fini(&ze);
    return r;
}
