/* The settings declared so far. Later issues append their sections (security, SMS, routing)
 * here or in their own tables registered the same way. Ranges and defaults come from the seed
 * and reference documents; where the reference has no default, the choice is noted. */
#include "admin/settings_defs.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "staff/avatar.h"

/* A time zone must be a clean IANA name present in the system's zoneinfo. */
static const char *check_timezone(const json_t *v)
{
    const char *tz = json_string_value(v);
    if (!tz || !*tz || strstr(tz, "..") || tz[0] == '/')
        return "must be an IANA time zone name such as Europe/Rome";
    for (const char *p = tz; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '/' || *p == '_' || *p == '-' || *p == '+'))
            return "must be an IANA time zone name such as Europe/Rome";
    char path[128];
    snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
    if (strcmp(tz, "UTC") && access(path, R_OK))
        return "unknown time zone";
    return NULL;
}

const struct setting_def settings_general[] = {
    {"general.interaction_tabs_limit", SETTING_INT, "20", 1, 100, NULL,
     "Maximum number of interaction tabs open on the agent desktop (seed default 20).", NULL},
    {"general.disconnection_timeout_minutes", SETTING_INT, "0", 0, 1440, NULL,
     "Minutes after a socket disconnection before an agent is logged out; 0 = never (the "
     "reference gives no default).",
     NULL},
    {"general.max_attachment_size_mb", SETTING_INT, "10", 1, 25, NULL,
     "Attachment size limit in omnichannel interactions, 1 to 25 MB (no default in the "
     "reference; 10 chosen).",
     NULL},
    {"general.chat_closing_interaction_timeout_minutes", SETTING_INT, "30", 0, 10080, NULL,
     "Idle chats are closed with the disposition Timeout after this many minutes; 0 = never.",
     NULL},
    {"general.min_internal", SETTING_INT, "1000", 1, 99999999, NULL,
     "Lowest internal extension assigned to new agents, users and telephones.", NULL},
    {"general.rtl_support", SETTING_BOOL, "false", 0, 0, NULL,
     "Right-to-left layout support (Arabic, Persian, Hebrew).", NULL},
    {"general.search_on_enter", SETTING_BOOL, "true", 0, 0, NULL,
     "Search fires on Enter; when off, after five typed characters or Enter.", NULL},
    {"general.message_alignment", SETTING_ENUM, "\"alternate\"", 0, 0, "alternate|left|right",
     "How messages are aligned in interaction threads.", NULL},
    {"general.search_max_days", SETTING_INT, "0", 0, 3650, NULL,
     "Largest date range in days agents may search; 0 = no limit.", NULL},
    {"general.timezone", SETTING_STRING, "\"UTC\"", 0, 64, NULL,
     "Time zone for intervals and reports (IANA name).", check_timezone},
};
const size_t settings_general_count = sizeof(settings_general) / sizeof(settings_general[0]);

/* Security block (seed 000 "General", product-behaviour §7). Where the seed gives no default
 * for new installations, the choice and its reason are in the help text and in
 * docs/security.md. */
const struct setting_def settings_security[] = {
    {"security.suite_enabled", SETTING_BOOL, "true", 0, 0, NULL,
     "Security Suite: password composition rules, expiry and the expiry warning.", NULL},
    {"security.max_login_attempts", SETTING_INT, "5", 0, 100, NULL,
     "Failed logins that lock an account; 0 = never lock (the seed's value for upgrades; 100 is "
     "the ceiling NIST and ASVS allow).",
     NULL},
    {"security.unlock_after_minutes", SETTING_INT, "15", 0, 10080, NULL,
     "Minutes after which a locked account unlocks by itself; 0 = only an administrator "
     "unlocks.",
     NULL},
    {"security.enforce_password_history", SETTING_BOOL, "false", 0, 0, NULL,
     "Refuse any of the last N passwords (the current one is always refused).", NULL},
    {"security.password_history_count", SETTING_INT, "5", 1, 12, NULL,
     "N for Enforce Password History, 1 to 12.", NULL},
    {"security.password_expiry_days", SETTING_INT, "90", 0, 3650, NULL,
     "With the Security Suite, passwords expire after this many days; 0 = never.", NULL},
    {"security.password_expiry_warning_days", SETTING_INT, "15", 0, 365, NULL,
     "Days before expiry from which the login answer carries a warning.", NULL},
    {"security.disable_mfa_all", SETTING_BOOL, "false", 0, 0, NULL,
     "Multi-factor authentication is off for everybody: nobody can enable or use it.", NULL},
    {"security.enforce_mfa_agents", SETTING_BOOL, "false", 0, 0, NULL,
     "Agents must enrol in MFA at their next login and cannot turn it off.", NULL},
    {"security.enforce_mfa_users", SETTING_BOOL, "false", 0, 0, NULL,
     "Users (supervisors) must enrol in MFA at their next login and cannot turn it off.", NULL},
    {"security.enforce_sso_agents", SETTING_BOOL, "false", 0, 0, NULL,
     "Agents log in with Active Directory (LDAP) only; their local passwords are refused.", NULL},
    {"security.enforce_sso_users", SETTING_BOOL, "false", 0, 0, NULL,
     "Users (supervisors) log in with Active Directory (LDAP) only.", NULL},
    {"security.mask_sensitive_characters", SETTING_INT, "0", 0, 32, NULL,
     "For agents and profiles with \"Mask Sensitive Data\": how many characters at the end of "
     "a customer's phone, e-mail or name are masked; 0 masks all of them.",
     NULL},
    {"security.session_idle_minutes", SETTING_INT, "30", 1, 1440, NULL,
     "A session unused for this long ends (ASVS L2: 30 minutes).", NULL},
    {"security.session_absolute_hours", SETTING_INT, "12", 1, 720, NULL,
     "A session ends this long after login whatever its use (ASVS L2: 12 hours).", NULL},
};
const size_t settings_security_count = sizeof(settings_security) / sizeof(settings_security[0]);

/* Reports (docs/reports.md). */
const struct setting_def settings_reports[] = {
    {"reports.export_max_rows", SETTING_INT, "50000", 1, 100000, NULL,
     "Most rows one CSV export of a report may hold; a filter matching more is refused with a "
     "message to narrow it or export in pages (limit and offset).",
     NULL},
};
const size_t settings_reports_count = sizeof(settings_reports) / sizeof(settings_reports[0]);

/* Customizations (seed 000 "Customizations", white label). A text is one line shown in the
 * page title or the header: no control characters (a newline or an escape would be an
 * injection into the header, not a title). "" means the default ("Switchboard"). */
static const char *check_label(const json_t *v)
{
    for (const unsigned char *p = (const unsigned char *)json_string_value(v); p && *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return "must be one line of text without control characters";
    return NULL;
}

/* A logo is "" (the default) or a data: URL of a small PNG or JPEG, stored in the setting
 * itself: the page's CSP allows data: images and nothing off-site, and the login page shows
 * the login logo before anyone signs in. The picture is decoded in full (staff/avatar.h) so a
 * truncated, mislabelled or oversized file is refused here, not in every browser. */
#define LOGO_MAX_BYTES 49152u
#define LOGO_MAX_SIDE  1024u
static const char *check_logo(const json_t *v)
{
    static _Thread_local char msg[160];
    const char *s = json_string_value(v);
    if (!s || !*s)
        return NULL;
    static const struct {
        const char *prefix;
        enum avatar_kind kind;
    } kinds[] = {{"data:image/png;base64,", AVATAR_PNG}, {"data:image/jpeg;base64,", AVATAR_JPEG}};
    enum avatar_kind declared = AVATAR_UNKNOWN;
    size_t skip = 0;
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (!strncmp(s, kinds[i].prefix, strlen(kinds[i].prefix))) {
            declared = kinds[i].kind;
            skip = strlen(kinds[i].prefix);
        }
    if (declared == AVATAR_UNKNOWN)
        return "must be a PNG or JPEG image (a data:image/png;base64, or data:image/jpeg;base64, "
               "URL)";
    static _Thread_local unsigned char bin[LOGO_MAX_BYTES];
    size_t len = 0;
    const char *end = NULL;
    if (sodium_base642bin(bin, sizeof(bin), s + skip, strlen(s + skip), NULL, &len, &end,
                          sodium_base64_VARIANT_ORIGINAL) ||
        *end) {
        snprintf(msg, sizeof(msg), "must be valid base64 of an image of at most %u KiB",
                 LOGO_MAX_BYTES / 1024);
        return msg;
    }
    if (avatar_sniff(bin, len) != declared)
        return "is not the kind of image its data: URL declares";
    struct avatar_info info;
    if (avatar_check(bin, len, &info)) {
        snprintf(msg, sizeof(msg), "is not a usable image: %s", info.why);
        return msg;
    }
    if (info.width > LOGO_MAX_SIDE || info.height > LOGO_MAX_SIDE) {
        snprintf(msg, sizeof(msg), "must be at most %u×%u pixels", LOGO_MAX_SIDE, LOGO_MAX_SIDE);
        return msg;
    }
    return NULL;
}

/* Base64 of LOGO_MAX_BYTES plus the longest prefix. */
#define LOGO_MAX_TEXT (4 * ((LOGO_MAX_BYTES + 2) / 3) + 32)

const struct setting_def settings_customization[] = {
    {"customization.page_title", SETTING_STRING, "\"\"", 0, 64, NULL,
     "Title of the browser tab (seed \"Default Page Title\"); empty = the default, Switchboard.",
     check_label},
    {"customization.header_text", SETTING_STRING, "\"\"", 0, 64, NULL,
     "Name shown at the top left of every page (seed \"Header White Label\"); empty = the "
     "default, Switchboard.",
     check_label},
    {"customization.system_logo", SETTING_STRING, "\"\"", 0, LOGO_MAX_TEXT, NULL,
     "Logo at the top left of every page (seed \"System Logo\"): a PNG or JPEG data: URL of at "
     "most 48 KiB and 1024×1024 pixels; empty = no logo.",
     check_logo},
    {"customization.login_logo", SETTING_STRING, "\"\"", 0, LOGO_MAX_TEXT, NULL,
     "Logo of the login page (seed \"Login Logo\"), same rules; empty = none.", check_logo},
    {"customization.favicon", SETTING_STRING, "\"\"", 0, LOGO_MAX_TEXT, NULL,
     "Icon of the browser tab (seed \"Default Favicon\"), same rules; empty = the default icon.",
     check_logo},
};
const size_t settings_customization_count =
    sizeof(settings_customization) / sizeof(settings_customization[0]);
