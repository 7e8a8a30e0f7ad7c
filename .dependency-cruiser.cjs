// The layers of docs/architecture.md as rules, checked by `npm run lint:layers` (part of `npm test`):
// hosts → lab → checker/models/store → src-shared; the renderer talks only to src-shared; only the Electron host
// imports electron; no import loop between folders.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'shared-is-contract-only',
      comment: 'src-shared is pure TypeScript shared by every side: nothing from src-main, the renderer, Node or electron.',
      severity: 'error',
      from: { path: '^src-shared/' },
      to: { pathNot: '^src-shared/' },
    },
    {
      name: 'renderer-talks-to-shared-only',
      comment: 'The renderer reaches the lab only through LabApi, and types shared with it live in src-shared (type-only imports count).',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^src-main/|^bin/|^electron$|node_modules/electron/' },
    },
    {
      name: 'renderer-no-node',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'electron-only-in-its-host',
      comment: 'Only src-main/hosts/electron may import electron, so the lab runs headless (CLI, web host, tests).',
      severity: 'error',
      from: { pathNot: '^src-main/hosts/electron/' },
      to: { path: '^electron$|node_modules/electron/' },
    },
    {
      name: 'lab-below-hosts',
      comment: 'A host adds no behaviour: lab/ never reaches up into a host.',
      severity: 'error',
      from: { path: '^src-main/lab/' },
      to: { path: '^src-main/hosts/' },
    },
    {
      name: 'hosts-through-lab',
      comment:
        'A host reaches checker/, models/ and store/ only through lab/. Named exception "electron-bundles-entries": ' +
        'hosts/electron/main.ts names store/replica-main.ts, checker/check-worker.ts and models/catalog.ts with ' +
        '?modulePath so that electron-vite bundles the replica process entry, the checker thread entry and the ' +
        'model catalog checker threads import; nothing of them is loaded into the host, it hands their paths to the lab.',
      severity: 'error',
      from: { path: '^src-main/hosts/' },
      to: {
        path: '^src-main/(checker|models|store)/',
        pathNot: ['^src-main/store/replica-main\\.ts$', '^src-main/checker/check-worker\\.ts$', '^src-main/models/catalog\\.ts$'],
      },
    },
    {
      name: 'engine-below-lab',
      comment: 'checker/, models/ and store/ are libraries the lab drives; they never reach up into lab/ or a host.',
      severity: 'error',
      from: { path: '^src-main/(checker|models|store)/' },
      to: { path: '^src-main/(lab|hosts)/' },
    },
    {
      name: 'lab-not-the-replica',
      comment:
        'lab/ talks to replicas as a client (store/protos.ts, store/types.ts) and starts them as processes by file name: ' +
        'it never imports the replica itself (its class, its process entry, its Automerge document), which would load ' +
        "Automerge's wasm into the lab.",
      severity: 'error',
      from: { path: '^src-main/lab/' },
      to: { path: '^src-main/store/(replica|replica-main|document)\\.ts$' },
    },
    {
      name: 'lab-without-automerge',
      comment: "Nothing the lab imports, directly or not, loads Automerge: the CRDT lives in the replica processes.",
      severity: 'error',
      from: { path: '^src-main/lab/' },
      to: { path: '(^|/)node_modules/@automerge/|^@automerge/', reachable: true },
    },
    {
      name: 'checker-below-models',
      comment: 'The engine knows the Model interface, not the model library: it imports the module a model reference names (checker/model-ref.ts).',
      severity: 'error',
      from: { path: '^src-main/checker/' },
      to: { path: '^src-main/models/' },
    },
    {
      name: 'main-not-renderer',
      severity: 'error',
      from: { path: '^src-main/' },
      to: { path: '^src-renderer/' },
    },
    {
      name: 'no-folder-loop',
      comment: 'Folders import one another in one direction only.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    exclude: { path: ['^out/'] },
  },
}
