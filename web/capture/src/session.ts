/**
 * Which session this page captures for, and with which token. The token comes in the URL
 * fragment (`/capture/<id>#token=kst_…`), which browsers never send to a server or in a Referer;
 * it is moved to this tab's sessionStorage and removed from the address bar at once.
 */
export interface CaptureSession {
  id: string;
  token: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function captureSessionFromLocation(location: Location, storage: Storage, history: History): CaptureSession | string {
  const id = location.pathname.split('/').filter(Boolean).at(-1) ?? '';
  if (!UUID.test(id)) return 'This link is not a capture link. Ask for a new one.';
  const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromFragment) {
    storage.setItem(`kyc-token:${id}`, fromFragment);
    history.replaceState(null, '', location.pathname);
  }
  const token = fromFragment ?? storage.getItem(`kyc-token:${id}`);
  if (!token) return 'This link has no access token. Open the link you were given again.';
  return { id, token };
}
