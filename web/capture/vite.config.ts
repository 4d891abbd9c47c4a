import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The capture page: built into dist/capture, served by the API under /capture/ (no CDN).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/capture/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/capture', import.meta.url)),
    emptyOutDir: true,
    // One script and one stylesheet: the API's CSP allows 'self' only, nothing inline.
    modulePreload: false,
    assetsInlineLimit: 0,
    target: ['chrome109', 'safari15', 'firefox115'],
  },
});
