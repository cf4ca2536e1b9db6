/* totp.h — RFC 6238 TOTP (SHA-1, 6 digits, 30 s steps, ±1 step) with liboath, enrolment
 * material (otpauth:// URI and a QR code as SVG via libqrencode) and recovery codes.
 * Thread-safe (liboath initialised once). */
#ifndef SB_AUTH_TOTP_H
#define SB_AUTH_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOTP_SECRET_BYTES   20 /* 160-bit secret, as RFC 4226 recommends */
#define TOTP_BASE32_LEN     32 /* base32 of 20 bytes, no padding */
#define TOTP_RECOVERY_CODES 10
#define TOTP_RECOVERY_LEN   11 /* "xxxxx-xxxxx" */

/* Fills `secret` with TOTP_SECRET_BYTES from the CSPRNG. */
void totp_new_secret(unsigned char secret[TOTP_SECRET_BYTES]);

/* Base32 (RFC 4648, no padding) of the secret into out (TOTP_BASE32_LEN + 1 bytes). */
void totp_secret_base32(const unsigned char secret[TOTP_SECRET_BYTES],
                        char out[TOTP_BASE32_LEN + 1]);

/* Builds "otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&
 * period=30" with issuer and account percent-encoded. Returns a malloc'd string or NULL. */
char *totp_uri(const unsigned char secret[TOTP_SECRET_BYTES], const char *issuer,
               const char *account);

/* Renders `text` as a QR code in SVG (malloc'd, NUL-terminated) or NULL. */
char *totp_qr_svg(const char *text);

/* Checks a 6-digit `code` for time `now_s` (Unix seconds) within ±1 step. A step at or before
 * `last_step` (the last accepted one; -1 = none) is refused so a code works once. Returns 0
 * with *step_out = the matching step, SB_EAUTH when wrong or replayed, SB_EINVAL when not
 * six digits. */
int totp_verify(const unsigned char secret[TOTP_SECRET_BYTES], const char *code, int64_t now_s,
                int64_t last_step, int64_t *step_out);

/* The 6-digit code for `now_s` (tests, the e-mail method). out: 7 bytes. */
int totp_generate(const unsigned char secret[TOTP_SECRET_BYTES], int64_t now_s, char out[7]);

/* Generates TOTP_RECOVERY_CODES codes "xxxxx-xxxxx" (lowercase base32 alphabet, ≥ 50 bits
 * each) into codes[i] (TOTP_RECOVERY_LEN + 1 bytes each). */
void totp_recovery_codes(char codes[TOTP_RECOVERY_CODES][TOTP_RECOVERY_LEN + 1]);

#endif
