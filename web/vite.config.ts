import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The server serves web/dist with CSP `default-src 'self'` and caches /assets/* as immutable,
// so: hashed file names under assets/, no inline scripts or styles, and no data: URIs
// (assetsInlineLimit 0), which the CSP would block.
export default defineConfig({
  plugins: [preact()],
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev` against a local server started with `make run` (default port 8080).
    proxy: {
      '/api': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
});
