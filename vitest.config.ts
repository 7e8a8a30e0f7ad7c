// Two projects: "main" (Node: checker, SQLite, workers, hosts, store, e2e in Chromium) and "renderer" (happy-dom components).
import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { svelteTesting } from '@testing-library/svelte/vite'

const here = (p: string): string => resolve(import.meta.dirname, p)

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'main',
          environment: 'node',
          include: ['test/unit/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        plugins: [svelte({ configFile: here('src-renderer/svelte.config.js') }), svelteTesting()],
        test: {
          name: 'renderer',
          environment: 'happy-dom',
          include: ['test/component/**/*.test.ts'],
          setupFiles: [here('test/component/setup.ts')],
        },
      },
    ],
  },
})
