// Keys for tests and recorded histories only, public by design: the recorded histories under
// test/histories are sealed with the payload key so the replay tests can open them. Never deploy them.
export const TEST_PAYLOAD_KEYS = 'test-2026:dGVzdC1vbmx5LXBheWxvYWQta2V5LTMyLWJ5dGVzISE=';
export const TEST_WEBHOOK_SECRET_KEYS = 'test-webhooks:dGVzdC1vbmx5LXdlYmhvb2stc2VjcmV0cy0zMmJ5dGU=';
/** An Ed25519 pair: GPU workers sign verdicts with the first, the API and recorder verify with the second. */
export const TEST_VERDICT_SIGNING_KEY = 'test-verdicts:mdTVmXUp2Jq5lWzVqzfb95VYgnzB1Pu1tnZrrEtgRK0=';
export const TEST_VERDICT_PUBLIC_KEYS = 'test-verdicts:6oGELWrKwSwKPjoT9Ks/5Nq0UEVQclmowCQDbjmywqs=';
