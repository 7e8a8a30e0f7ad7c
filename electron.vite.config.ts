// Builds the Electron main process, the CommonJS preload (a sandboxed preload cannot be ESM) and the renderer.
// The renderer bundle in out/renderer is also what the web host serves.
import { cpSync } from 'node:fs'
import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'

const here = (p: string): string => resolve(import.meta.dirname, p)

/** The store loads its .proto files beside the module that runs: main/index.js and the replica chunk. */
const shipProtos = {
  name: 'stabilis-ship-protos',
  closeBundle(): void {
    for (const to of ['out/main/proto', 'out/main/chunks/proto']) cpSync(here('src-main/store/proto'), here(to), { recursive: true })
  },
}

export default defineConfig({
  main: {
    plugins: [shipProtos],
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
