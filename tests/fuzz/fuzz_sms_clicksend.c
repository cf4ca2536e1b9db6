/* Fuzzes the clicksend adapter's webhook verifier and parser and its send-answer reader
 * (sms_fuzz.h has the input layout and the properties checked). */
#include "sms_fuzz.h"

SMS_FUZZ_TARGET("clicksend")
