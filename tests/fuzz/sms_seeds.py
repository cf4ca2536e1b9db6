#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz_sms_<provider> targets (tests/fuzz/corpus/fuzz_sms_*):
sample webhooks and send answers of each provider in the input layout of sms_fuzz.h
(flags byte, status byte, URL query, '\\n', body). Re-run after changing the samples; files
are named by the SHA-1 of their content, like libFuzzer's."""
import hashlib, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
JSON, FORM, NONE, TEXT = 0 << 2, 1 << 2, 2 << 2, 3 << 2
STATUS, GET = 1, 2
TOKEN = "token=tok_0123456789abcdefghijklmnopqrstuvwxyz"

def seed(flags, status_idx, query, body):
    return bytes([flags, status_idx]) + query.encode() + b"\n" + body.encode()

S = {
 "twilio": [
  seed(FORM, 1, "foo=1&bar=2", "CallSid=CA1234567890ABCDE&Digits=1234&From=%2B14158675309&To=%2B18005551212&Caller=%2B14158675309"),
  seed(FORM, 2, "", "MessageSid=SM123&From=%2B393331234567&To=%2B39061234&Body=Ciao&NumMedia=1&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm0&MediaContentType0=image%2Fjpeg"),
  seed(FORM | STATUS, 1, "", "MessageSid=SM9&MessageStatus=undelivered&ErrorCode=30003"),
  seed(JSON, 2, "bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620", '{"property": "value", "boolean": true}'),
  seed(JSON, 2, "", '{"sid":"SMabc","status":"queued","error_code":null}'),
  seed(JSON, 4, "", '{"code":21211,"message":"Invalid To","status":400}'),
 ],
 "plivo": [
  seed(FORM, 3, "", "From=14155550100&To=14155550199&Text=hi&MessageUUID=abc"),
  seed(FORM, 3, "b=2&a=1", "From=14155550100&Type=mms&Body=look&MessageUUID=u-1&MediaCount=1&Media1=https%3A%2F%2Fm%2F1"),
  seed(FORM | STATUS, 3, "", "MessageUUID=u-3&Status=failed&ErrorCode=200&To=1&From=2"),
  seed(NONE | GET, 3, "From=1415&To=1416&Text=hi&MessageUUID=u-2", ""),
  seed(JSON, 3, "", '{"message":"message(s) queued","message_uuid":["db3ce55a"],"api_id":"x"}'),
 ],
 "telnyx": [
  seed(JSON, 1, "", '{"data":{"event_type":"message.received","id":"evt-1","payload":{"id":"msg-1","text":"Hello"}}}'),
  seed(JSON, 1, "", '{"data":{"record_type":"event","event_type":"message.received","payload":{"id":"m-1","from":{"phone_number":"+13125550001"},"to":[{"phone_number":"+13125550002"}],"text":"yo","media":[{"url":"https://m/1","content_type":"image/png"}]}}}'),
  seed(JSON | STATUS, 1, "", '{"data":{"event_type":"message.finalized","payload":{"id":"m-2","to":[{"status":"delivery_failed"}],"errors":[{"code":"40008"}]}}}'),
  seed(JSON, 1, "", '{"data":{"id":"40385f64","to":[{"status":"queued"}]}}'),
 ],
 "bandwidth": [
  seed(JSON, 3, TOKEN, '[{"type":"message-received","to":"+15552223333","message":{"id":"bw-1","from":"+15554443333","text":"hey","media":["https://m/a.jpg"]}}]'),
  seed(JSON | STATUS, 3, TOKEN, '[{"type":"message-delivered","message":{"id":"bw-0"}},{"type":"message-failed","errorCode":4432,"message":{"id":"bw-9"}}]'),
  seed(JSON, 3, "", '{"id":"1589228074636lm4k2je7j7jklbn2","owner":"+1"}'),
 ],
 "infobip": [
  seed(JSON, 1, TOKEN, '{"results":[{"messageId":"ib-1","from":"385916242493","to":"385921004026","text":"QUIZ Paris","cleanText":"Paris","smsCount":1}],"messageCount":1,"pendingMessageCount":0}'),
  seed(JSON | STATUS, 1, TOKEN, '{"results":[{"messageId":"ib-2","status":{"groupId":3,"id":5,"name":"DELIVERED_TO_HANDSET"},"error":{"id":0}},{"messageId":"ib-3","status":{"groupId":5,"id":12},"error":{"id":12}}]}'),
  seed(JSON, 1, "", '{"bulkId":"b","messages":[{"messageId":"ib-9","status":{"groupId":1,"name":"PENDING_ACCEPTED"}}]}'),
  seed(TEXT, 1, "", "https://XK3P9.api.infobip.com/"),
  seed(TEXT, 1, "", "https://u:p@127.0.0.1:8443/x?y#z"),
 ],
 # (the body is also tried as a user-set base URL)
 "clicksend": [
  seed(FORM, 1, TOKEN, "timestamp=1700000000&from=%2B61411111111&to=%2B61422222222&body=Hi+there&message_id=cs-1&user_id=42"),
  seed(NONE | GET, 1, TOKEN + "&from=%2B614&body=q&message_id=cs-2", ""),
  seed(JSON, 1, TOKEN, '{"from":"+614","to":"+615","body":"j","message_id":"cs-3"}'),
  seed(FORM | STATUS, 1, TOKEN, "message_id=cs-4&status=Undelivered&status_code=301&error_code=301"),
  seed(JSON, 1, "", '{"http_code":200,"response_code":"SUCCESS","data":{"messages":[{"message_id":"cs-9","status":"SUCCESS"}]}}'),
 ],
 "clickatell": [
  seed(JSON, 3, TOKEN, '{"integrationId":"i","event":{"moText":[{"messageId":"ck-1","from":"2799900001","to":"2799900002","content":"hello"}],"moMedia":[{"messageId":"ck-2","from":"27","contentType":"image/png","content":"iVBORw0KGgo=","caption":"pic"}]}}'),
  seed(JSON | STATUS, 3, TOKEN, '{"event":{"messageStatusUpdate":[{"messageId":"ck-3","status":"SENT","statusCode":4},{"messageId":"ck-4","statusCode":29}]}}'),
  seed(NONE | GET | STATUS, 3, TOKEN + "&messageId=ck-5&statusCode=004&status=RECEIVED", ""),
  seed(FORM, 3, TOKEN, "messageId=ck-6&fromNumber=2799&toNumber=2788&text=old+api"),
  seed(JSON, 3, "", '{"messages":[{"apiMessageId":"02ca87","accepted":true,"to":"27"}],"error":null}'),
 ],
 "skebby": [
  seed(FORM, 1, TOKEN, "sender=%2B393331112222&receiver=%2B393400000000&text=ciao&date=2024-01-01"),
  seed(FORM | STATUS, 1, TOKEN, "order_id=o1&status=DLVRD"),
  seed(TEXT, 1, "", "UK123;SK456\n"),
  seed(JSON, 2, "", '{"result":"OK","order_id":"o-1","total_sent":1}'),
 ],
 "connectel": [
  seed(JSON, 1, TOKEN, '{"id":"cn-1","from":"+1","to":"+2","text":"x"}'),
  seed(JSON | 0x10, 1, TOKEN, '{"results":[{"id":"a","from":"+1","text":"x"},{"id":"b","status":"delivered"}]}'),
  seed(FORM | STATUS, 1, TOKEN, "id=k&status=FAILED&error_code=7"),
 ],
 "csctelecom": [
  seed(NONE | GET | STATUS, 1, TOKEN + "&message_id=c-1&state=UNDELIV", ""),
  seed(JSON, 1, TOKEN, '{"id":"c-2","from":"+3906","to":"+3907","text":"buongiorno"}'),
  seed(JSON, 1, "", '{"id":"c-3"}'),
  seed(TEXT, 1, "", "https://sms.csc.example"),
  seed(TEXT, 1, "", "https://[::ffff:10.0.0.1]/"),
 ],
 "intelepeer": [
  seed(JSON, 1, TOKEN, '{"id":"ip-1","from":"+15551212","to":"1-12345","text":"t"}'),
  seed(JSON | STATUS, 1, TOKEN, '[{"id":"ip-1","status":"delivered"}]'),
  seed(JSON, 7, "", '{}'),
 ],
}

for prov, seeds in S.items():
    d = os.path.join(HERE, "corpus", "fuzz_sms_" + prov)
    os.makedirs(d, exist_ok=True)
    for s in seeds:
        with open(os.path.join(d, hashlib.sha1(s).hexdigest()), "wb") as f:
            f.write(s)
print("wrote", sum(len(v) for v in S.values()), "seeds")
