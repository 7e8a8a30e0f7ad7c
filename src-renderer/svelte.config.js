// Svelte 5 with runes; TypeScript in <script lang="ts"> is handled by vite-plugin-svelte's default preprocessing.
export default {
  compilerOptions: { runes: true },
}
