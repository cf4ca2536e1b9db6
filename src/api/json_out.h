/* json_out.h — serializers shared by the API files. */
#ifndef SB_API_JSON_OUT_H
#define SB_API_JSON_OUT_H

#include <jansson.h>
#include <stdint.h>

#include "staff/accounts.h"

/* UTC milliseconds as an ISO-8601 string; 0 becomes null. New reference. */
json_t *json_time(int64_t ms);

/* The public view of an account (never the password hash). New reference. */
json_t *json_account(const struct account *a);

#endif
