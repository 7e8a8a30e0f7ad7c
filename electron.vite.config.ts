// Builds the Electron main process, the CommonJS preload (a sandboxed preload cannot be ESM) and the renderer.
// The renderer bundle in out/renderer is also what the web host serves.
import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'

const here = (p: string): string => resolve(import.meta.dirname, p)

export default defineConfig({
  main: {
    build: {
      rollupOptions: { input: { index: here('src-main/hosts/electron/main.ts') } },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: here('src-main/hosts/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: here('src-renderer'),
    plugins: [svelte({ configFile: here('src-renderer/svelte.config.js') })],
    build: {
      outDir: here('out/renderer'),
      minify: true,
      rollupOptions: { input: { index: here('src-renderer/index.html') } },
    },
  },
})
