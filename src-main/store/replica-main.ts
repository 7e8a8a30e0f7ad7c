// Replica process entry: `node replica-main.ts '<ReplicaConfig JSON>'`, normally forked by the lab supervisor.
// Talks to the supervisor over the IPC channel when there is one (ready, status every 200 ms, link
// commands, queries); runs until SIGTERM/SIGINT or a 'stop' message, then closes cleanly.
import { Replica } from './replica.ts'
import type { FromReplica, ReplicaConfig, ToReplica } from './types.ts'

function send(m: FromReplica): void {
  if (process.send && process.connected) process.send(m)
}

async function main(): Promise<void> {
  const raw = process.argv[2] ?? process.env.STABILIS_REPLICA_CONFIG
  if (!raw) {
    process.stderr.write("usage: replica-main.ts '<ReplicaConfig JSON>'\n")
    process.exit(2)
  }
  const config = JSON.parse(raw) as ReplicaConfig
  const replica = new Replica(config)
  await replica.start()
  let stopping = false
  const stop = async (): Promise<void> => {
    if (stopping) return
    stopping = true
    clearInterval(timer)
    await replica.stop()
    process.exit(0)
  }
  const timer = setInterval(() => send({ type: 'status', status: replica.status() }), 200)
  process.on('SIGTERM', () => void stop())
  process.on('SIGINT', () => void stop())
  process.on('message', (m: ToReplica) => {
    try {
      if (m.type === 'stop') void stop()
      else if (m.type === 'link') replica.setLink(m.peer, m.link)
      else if (m.type === 'query' && m.op === 'has') send({ type: 'reply', id: m.id, result: m.hashes.map((h) => replica.doc.has(h)) })
    } catch (e) {
      process.stderr.write(`${config.name}: ${(e as Error).message}\n`)
    }
  })
  process.on('disconnect', () => void stop())
  send({ type: 'ready', status: replica.status() })
  process.stderr.write(`${config.name}: serving etcd v3 on 127.0.0.1:${config.clientPort}, peers on ${config.peerPort}, revision ${replica.doc.rev}\n`)
}

main().catch((e: Error) => {
  send({ type: 'fatal', message: e.message })
  process.stderr.write(`replica failed to start: ${e.stack ?? e.message}\n`)
  process.exit(1)
})
