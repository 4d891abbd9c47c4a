// Keys for tests and recorded histories only, public by design: the recorded histories under
// test/histories are sealed with this key so the replay tests can open them. Never deploy it.
export const TEST_PAYLOAD_KEYS = 'test-2026:dGVzdC1vbmx5LXBheWxvYWQta2V5LTMyLWJ5dGVzISE=';
