/* mask_policy.h — who sees customers' personal data masked (http/mask.h does the masking):
 * an agent with the setting `mask_sensitive_data`, a supervisor whose user profile has "Mask
 * Sensitive Data"; never an administrator. How many characters: the security setting
 * `security.mask_sensitive_characters` (0 = all). */
#ifndef SB_STAFF_MASK_POLICY_H
#define SB_STAFF_MASK_POLICY_H

struct sb_app;

/* Registers the policy as the mask resolver (main thread, before serving). */
void mask_policy_install(struct sb_app *app);

#endif
