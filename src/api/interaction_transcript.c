/* GET /api/v1/interactions/{id}/transcript.zip — the interaction's transcript as a ZIP archive
 * (interactions/transcript.h): for the agent holding it, administrators and in-scope
 * supervisors (desk_load DESK_STAFF); 404 for anyone else. Contact fields in it are masked
 * for a caller who must not see them, as JSON answers are (http/mask.h). The archive is built
 * in memory under the configured cap (interactions.transcript_max_bytes): one interaction's
 * text, bounded, so it is built on the HTTP thread like the CSV exports. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/desk.h"
#include "api/handlers.h"
#include "app.h"
#include "core/err.h"
#include "db/db.h"
#include "http/mask.h"
#include "http/respond.h"
#include "interactions/transcript.h"

int api_interactions_transcript(struct http_req *req)
{
    struct auth_principal who;
    int64_t id;
    json_t *ix;
    if (!desk_load(req, &who, DESK_STAFF, &id, &ix))
        return http_replied(req);
    int masked = mask_for(req->caller_id, req->caller_role);
    if (masked >= 0)
        mask_contact_fields(ix, masked);
    json_t *c = json_object_get(ix, "contact");
    struct transcript_contact tc = {json_string_value(json_object_get(c, "first_name")),
                                    json_string_value(json_object_get(c, "last_name")),
                                    json_string_value(json_object_get(c, "phone")),
                                    json_string_value(json_object_get(c, "email"))};
    void *zip = NULL;
    size_t len = 0;
    struct db *db = app_thread_db(req->app);
    int r = transcript_zip(db, id, &tc, (size_t)req->app->cfg.interactions_transcript_max_bytes,
                           &zip, &len);
    json_decref(ix);
    if (r == SB_ETOOBIG) {
        json_t *p = http_problem_new(422, "transcript too large", NULL);
        http_problem_add_error(p, "id",
                               "the transcript is larger than interactions.transcript_max_bytes");
        return http_reply_problem_json(req, p);
    }
    if (r)
        return http_reply_error(req, r);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, zip, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(zip);
        return http_reply_error(req, SB_ENOMEM);
    }
    char disposition[96];
    snprintf(disposition, sizeof(disposition),
             "attachment; filename=\"interaction-%lld-transcript.zip\"", (long long)id);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/zip");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    http_add_standard_headers(resp);
    req->status = 200;
    int q = MHD_queue_response(req->conn, 200, resp);
    MHD_destroy_response(resp);
    return req->reply_result = q;
}
