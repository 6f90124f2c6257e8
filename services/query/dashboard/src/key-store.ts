const STORAGE_KEY = 'vigil.apiKey';

/**
 * The API key of this browser: taken once from the URL fragment (`vigil dashboard` prints `/dashboard#key=…`, and a
 * fragment never reaches the server or its logs), then kept in local storage; the fragment is wiped at once so the
 * key is not left in the address bar, history or a screenshot.
 */
export class KeyStore {
  private key: string | null;

  constructor() {
    this.key = localStorage.getItem(STORAGE_KEY);
    const fromUrl = new URLSearchParams(location.hash.slice(1)).get('key');
    if (fromUrl !== null && fromUrl !== '') {
      this.set(fromUrl);
      history.replaceState(history.state, '', location.pathname + location.search);
    }
  }

  get(): string | null {
    return this.key;
  }

  set(key: string): void {
    this.key = key;
    localStorage.setItem(STORAGE_KEY, key);
  }

  clear(): void {
    this.key = null;
    localStorage.removeItem(STORAGE_KEY);
  }
}
