/* settings_defs.h — the tables of declared settings (see settings.h). */
#ifndef SB_ADMIN_SETTINGS_DEFS_H
#define SB_ADMIN_SETTINGS_DEFS_H

#include "admin/settings.h"

extern const struct setting_def settings_general[];
extern const size_t settings_general_count;
extern const struct setting_def settings_security[];
extern const size_t settings_security_count;
extern const struct setting_def settings_reports[];
extern const size_t settings_reports_count;
extern const struct setting_def settings_customization[];
extern const size_t settings_customization_count;

#endif
