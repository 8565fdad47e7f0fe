import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Relative asset URLs: the daemon serves the app under `<URLPrefix>/web/`, and URLPrefix is only
// known at run time.
export default defineConfig({
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
});
