import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` serves the app on :5173 and proxies the API to a running
// `bazaar serve` (BAZAAR_API, default http://127.0.0.1:8080).
const api = process.env.BAZAAR_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    // public/.keep is copied to dist/.keep, which go:embed needs on a
    // fresh clone (the only file of dist/ in git).
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
    // Three pages, each with its own chunks: the app, GraphiQL (served by
    // the binary at GET /graphql to browsers) and the API docs page (GET
    // /api/docs; Swagger UI is one large chunk loaded by that page only).
    rollupOptions: {
      input: { main: 'index.html', graphiql: 'graphiql.html', apidocs: 'api-docs.html' },
    },
  },
  server: {
    proxy: { '/api': api, '/healthz': api },
  },
  test: {
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx'],
    environment: 'node',
  },
});
