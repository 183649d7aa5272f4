import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset URLs, so the build works from any sub-path of a static host.
  base: './',
  plugins: [react()],
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    sourcemap: true,
    // tfjs is large by nature; the worker chunk holds it, the page stays small.
    chunkSizeWarningLimit: 4096,
  },
  preview: { port: 4173, strictPort: false },
});
