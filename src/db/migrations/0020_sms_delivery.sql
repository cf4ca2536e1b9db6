-- 0020_sms_delivery.sql — what a provider said about an outbound message: its own status word
-- and error code (delivery reports and refused sends), next to the normalized delivery_status.
-- The provider's id of an outbound message is looked up when its delivery report arrives.
ALTER TABLE messages ADD COLUMN provider_status TEXT;
ALTER TABLE messages ADD COLUMN error_code TEXT;
CREATE INDEX messages_provider ON messages(provider_id) WHERE provider_id IS NOT NULL;
